"""How the JSON API reports problems: one shape, `{"code", "field", "message"}`, for every error.

Domain errors keep their own status (409 conflict, 404 missing or another organization's,
412 stale version, 422 broken rule, 400 bad input); request validation, malformed JSON and
oversized bodies are translated into the same shape so clients parse one thing.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseNotAllowed, JsonResponse
from django.urls import URLPattern
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from carebridge.core.bodies import check_media_type
from carebridge.core.errors import DomainError, InvalidFields, NotFound, UnsupportedMediaType

T = TypeVar("T")

logger = logging.getLogger(__name__)

# Where Ninja found the bad value; the first part of `loc` says which, the rest names the field.
BODY = "body"
QUERY = "query"
JSON_TYPES = ("application/json",)


def problem_response(
    status: int,
    *,
    code: str,
    message: str,
    field: str | None = None,
    errors: list[dict[str, str]] | None = None,
) -> JsonResponse:
    payload: dict = {"code": code, "field": field, "message": message}
    if errors is not None:
        payload["errors"] = errors
    return JsonResponse(payload, status=status)


def _field_name(loc: tuple | list) -> str:
    """`("body", "payload", "start")` -> "start"; `("query", "limit")` -> "limit";
    `("query", "search", "status", 0)` -> "status"."""
    source, *path = loc
    if source == QUERY:
        # Query parameters are flat: a repeated one is named once, without the view
        # argument's name or the repetition's index that Ninja puts around a list.
        names = [str(part) for part in path if not isinstance(part, int)]
        return names[-1] if names else source
    if source == BODY:
        # The second part is the name of the view argument, not something the client sent.
        path = path[1:]
    return ".".join(map(str, path)) or source


def on_domain_error(request: HttpRequest, error: DomainError) -> JsonResponse:
    if isinstance(error, InvalidFields):
        return problem_response(
            error.http_status,
            code=error.code,
            field=error.field,
            message="; ".join(problem.message for problem in error.problems),
            errors=[
                {"field": problem.field, "message": problem.message} for problem in error.problems
            ],
        )
    return problem_response(
        error.http_status, code=error.code, field=error.field, message=error.message
    )


def on_validation_error(request: HttpRequest, error: ValidationError) -> JsonResponse:
    problems = [
        {"field": _field_name(item["loc"]), "message": item["msg"]} for item in error.errors
    ]
    first = problems[0]
    return problem_response(
        400,
        code="invalid",
        field=first["field"],
        message="; ".join(f"{p['field']}: {p['message']}" for p in problems),
        errors=problems,
    )


def on_http_error(request: HttpRequest, error: HttpError) -> JsonResponse:
    if isinstance(error, AuthenticationError):
        response = problem_response(
            401, code="unauthenticated", message="a valid bearer token is required"
        )
        response["WWW-Authenticate"] = 'Bearer realm="carebridge"'
        return response
    if error.status_code == 400 and error.__cause__ is not None:
        # Ninja raises this when the body does not parse; say why, naming the body.
        return problem_response(
            400,
            code="malformed_json",
            field=BODY,
            message=f"body: not valid JSON ({error.__cause__})",
        )
    return problem_response(error.status_code, code="http_error", message=str(error))


def on_unexpected_error(request: HttpRequest, error: Exception) -> JsonResponse:
    """A fault of the server's own still answers in the API's shape; the log keeps the
    traceback, the client gets the request id to quote (the X-Request-ID header)."""
    logger.exception("API %s %s failed", request.method, request.path)
    return problem_response(
        500, code="server_error", message="the server could not complete the request"
    )


@csrf_exempt  # it changes nothing: a POST answers its 404, not the browser's CSRF page
def unknown_address(request: HttpRequest, rest: str) -> JsonResponse:
    """Under /api/, an address no operation has: a 404 in the API's shape, not a page."""
    return problem_response(
        404, code="not_found", message=f"{request.path}: the API has no such address"
    )


def _wrong_method_as_problem(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Ninja answers a method an address does not take in plain text, before any operation
    (and so any exception handler) runs; answer it in the API's shape, Allow header kept."""

    @functools.wraps(view)
    def answered(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if not isinstance(response, HttpResponseNotAllowed):
            return response
        allowed = response["Allow"]
        problem = problem_response(
            405,
            code="method_not_allowed",
            message=f"{request.method} {request.path}: not allowed here (allowed: {allowed})",
        )
        problem["Allow"] = allowed
        return problem

    return answered


def api_urls(api: NinjaAPI) -> tuple[list[URLPattern], str, str]:
    """The API's URL patterns, each answering a wrong method in the API's shape."""
    patterns, app_name, namespace = api.urls
    wrapped = [
        URLPattern(p.pattern, _wrong_method_as_problem(p.callback), p.default_args, p.name)
        for p in patterns
    ]
    return wrapped, app_name, namespace


def _body_too_large(request: HttpRequest) -> JsonResponse | None:
    raw = request.META.get("CONTENT_LENGTH") or "0"
    try:
        length = int(raw)
    except ValueError:
        return problem_response(
            400, code="invalid", field="Content-Length", message="Content-Length: not a number"
        )
    limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    if limit is not None and length > limit:
        return problem_response(
            413,
            code="too_large",
            field=BODY,
            message=f"body: larger than the {limit} bytes accepted",
        )
    return None


def _body_not_json(request: HttpRequest) -> JsonResponse | None:
    try:
        check_media_type(request, JSON_TYPES)
    except UnsupportedMediaType as error:
        return on_domain_error(request, error)
    return None


def body_guard(run: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Refuse oversized bodies from the declared length, before anything reads them, and
    bodies that are not JSON."""

    @functools.wraps(run)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        refused = _body_too_large(request) or _body_not_json(request)
        return refused or run(request, *args, **kwargs)

    return guarded


def install_problem_handlers(api: NinjaAPI) -> None:
    """Make every error the API can meet answer as a `Problem`."""
    api.add_exception_handler(DomainError, on_domain_error)
    api.add_exception_handler(ValidationError, on_validation_error)
    api.add_exception_handler(HttpError, on_http_error)
    api.add_exception_handler(Exception, on_unexpected_error)
    # "view" mode wraps the whole operation, so the guard runs before authentication and parsing.
    api.add_decorator(body_guard, mode="view")


def referenced(field: str, find: Callable[[], T]) -> T:
    """Look up an object the request names by public id; when it is missing (or another
    organization's), the 404 names the request field that pointed at it."""
    try:
        return find()
    except NotFound as error:
        raise NotFound(f"{field}: not found", field=field) from error
