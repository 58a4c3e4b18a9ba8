"""Request bodies: the formats an endpoint reads, and chunked bodies read at all.

Django reads a body by its Content-Length. A client that streams its body in chunks sends
none, and Django then reads an empty body: a booking posted that way was refused as
missing every field. `chunked_bodies_read` gives such a body its length before Django
sees the request.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Collection, Iterable

from django.http import HttpRequest

from carebridge.core.errors import UnsupportedMediaType

CONTENT_TYPE = "Content-Type"


def body_present(request: HttpRequest) -> bool:
    try:
        return int(request.META.get("CONTENT_LENGTH") or 0) > 0
    except ValueError:
        return False  # the size checks refuse a malformed length, naming it


def check_media_type(request: HttpRequest, accepted: Collection[str]) -> None:
    """Refuse a body in another format than `accepted` (a body sent with no Content-Type
    too): reading XML or plain text as JSON would answer with confusing field errors."""
    if not body_present(request) or request.content_type in accepted:
        return
    sent = request.content_type or "no Content-Type"
    raise UnsupportedMediaType(
        f"{CONTENT_TYPE}: the body must be {' or '.join(accepted)}, not {sent}",
        field=CONTENT_TYPE,
    )


def chunked_bodies_read(application: Callable, limit: Callable[[], int]) -> Callable:
    """Wrap a WSGI application so that a chunked body without a Content-Length is read up
    front, at most one byte past `limit()`, and passed on with its length. A longer body
    reaches the application cut there, with a length over the limit, which every way in
    refuses as too large before reading it."""

    def with_chunked_bodies_read(environ: dict, start_response: Callable) -> Iterable[bytes]:
        chunked = "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        if chunked and not environ.get("CONTENT_LENGTH"):
            body = environ["wsgi.input"].read(limit() + 1)
            environ["wsgi.input"] = io.BytesIO(body)
            environ["CONTENT_LENGTH"] = str(len(body))
        return application(environ, start_response)

    return with_chunked_bodies_read
