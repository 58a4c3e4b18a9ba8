from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from carebridge.core.htmx import is_htmx
from carebridge.core.middleware import TOKEN_AUTHENTICATED_PREFIXES

# These ways in authenticate themselves (tokens, signatures) or are public by design. The
# token-authenticated ones must stay here: the login middleware passes them by, so they
# have no request.user to ask.
OPEN_PREFIXES = (
    "/healthz",
    "/static/",
    "/login/",
    *TOKEN_AUTHENTICATED_PREFIXES,
    "/hooks/",
    "/p/",
    "/admin/",
)


class StaffLoginRequiredMiddleware:
    """Login is required for every page except the open prefixes."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(OPEN_PREFIXES) and not request.user.is_authenticated:
            return _to_login(request)
        return self.get_response(request)


def _to_login(request: HttpRequest) -> HttpResponse:
    """A redirect to the login page, and back here after it.

    htmx would follow a redirect itself and swap the login page into the panel that asked,
    so an htmx request is told to send the whole browser there instead, and back to the
    page it was showing rather than to the fragment it asked for.
    """
    if not is_htmx(request):
        return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
    login = redirect_to_login(_shown_page(request), settings.LOGIN_URL)
    return HttpResponse(status=401, headers={"HX-Redirect": login.url})


def _shown_page(request: HttpRequest) -> str:
    """The address of the page an htmx request came from, without scheme and host."""
    shown = urlsplit(request.headers.get("HX-Current-URL", ""))
    if not shown.path:
        return request.get_full_path()
    return f"{shown.path}?{shown.query}" if shown.query else shown.path
