"""Session, login and flash messages belong to the browser's pages; the token-authenticated
APIs pass those middlewares by."""

import pytest
from django.http import HttpResponse

from carebridge.core.middleware import (
    BrowserAuthenticationMiddleware,
    BrowserMessageMiddleware,
    BrowserSessionMiddleware,
)


def what_the_view_got(rf, path: str) -> dict[str, bool]:
    got = {}

    def view(request):
        got.update(
            session=hasattr(request, "session"),
            user=hasattr(request, "user"),
            messages=hasattr(request, "_messages"),
        )
        return HttpResponse()

    handler = BrowserSessionMiddleware(
        BrowserAuthenticationMiddleware(BrowserMessageMiddleware(view))
    )
    assert handler(rf.get(path)).status_code == 200
    return got


@pytest.mark.parametrize("path", ["/api/appointments", "/fhir/Patient/123", "/fhir/metadata"])
def test_token_apis_get_no_session_user_or_messages(rf, path):
    assert what_the_view_got(rf, path) == {"session": False, "user": False, "messages": False}


@pytest.mark.parametrize("path", ["/", "/login/", "/patients/", "/admin/", "/apiary/"])
def test_pages_get_session_user_and_messages(rf, path):
    assert what_the_view_got(rf, path) == {"session": True, "user": True, "messages": True}
