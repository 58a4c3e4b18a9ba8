from collections.abc import Callable
from typing import TypeVar

from django.db import connection
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe

from carebridge.core.errors import NotFound

T = TypeVar("T")


@csrf_exempt  # read only: another method answers 405, not the browser's CSRF page
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, without login (GET or HEAD)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def found_or_404(find: Callable[[], T]) -> T:
    """What `find` looks up by public id, or the 404 page: missing and another
    organization's look the same."""
    try:
        return find()
    except NotFound as error:
        raise Http404(error.message) from error
