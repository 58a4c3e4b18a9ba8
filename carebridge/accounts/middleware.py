from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

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
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        return self.get_response(request)
