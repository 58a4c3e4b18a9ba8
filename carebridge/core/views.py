from collections.abc import Callable
from typing import TypeVar

from django.db import connection
from django.http import Http404, HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from carebridge.core.errors import NotFound

T = TypeVar("T")


@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness and database reachability, without login."""
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
