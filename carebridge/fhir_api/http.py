"""FHIR over HTTP: JSON bodies in and out, versions in ETags, and the Prefer header."""

from __future__ import annotations

import json
import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, QueryDict

from carebridge.core.bodies import check_media_type
from carebridge.core.errors import DomainError, InvalidInput
from carebridge.core.validation import NUL_CHARACTER
from carebridge.fhir_api.outcomes import (
    MethodNotAllowed,
    PayloadTooLarge,
    Unauthorized,
    error_outcome,
)

FHIR_JSON = "application/fhir+json"
# What a resource may be posted as: FHIR's own type, plain JSON, and the type clients
# written for FHIR's earlier releases still send.
RESOURCE_TYPES = (FHIR_JSON, "application/json", "application/json+fhir")
ETAG_PATTERN = re.compile(r'^(?:W/)?"?(\d+)"?$')


def fhir_response(body: dict, *, status: int = 200, headers: dict | None = None) -> HttpResponse:
    response = HttpResponse(
        json.dumps(body, ensure_ascii=False),
        status=status,
        content_type=f"{FHIR_JSON}; charset=utf-8",
        headers=headers,
    )
    version = body.get("meta", {}).get("versionId")
    if version:
        response["ETag"] = etag(version)
    return response


def error_response(error: DomainError, *, resource_type: str = "") -> HttpResponse:
    status, body = error_outcome(error, resource_type=resource_type)
    headers = {}
    if isinstance(error, Unauthorized):
        headers["WWW-Authenticate"] = 'Bearer realm="fhir"'
    if isinstance(error, MethodNotAllowed):
        headers["Allow"] = ", ".join(error.allowed)
    return fhir_response(body, status=status, headers=headers)


FORM = "application/x-www-form-urlencoded"


def search_parameters(request: HttpRequest) -> QueryDict:
    """A POSTed search's parameters: those of its URL and of its form body, together.
    The body must be a form, and no larger than any other body."""
    _refuse_oversized(request)
    check_media_type(request, (FORM,))
    parameters = request.GET.copy()
    for name, values in request.POST.lists():
        parameters.setlist(name, parameters.getlist(name) + values)
    return parameters


def _refuse_oversized(request: HttpRequest) -> None:
    declared = _content_length(request)
    if declared > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
        raise PayloadTooLarge(
            f"the body is larger than the limit of {settings.DATA_UPLOAD_MAX_MEMORY_SIZE} bytes"
        )


def read_resource_body(request: HttpRequest, resource_type: str) -> dict:
    """The posted resource, refusing oversized bodies before reading them."""
    _refuse_oversized(request)
    check_media_type(request, RESOURCE_TYPES)
    try:
        payload = json.loads(request.body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidInput(f"the body is not valid JSON: {error}", field=resource_type) from error
    if not isinstance(payload, dict):
        raise InvalidInput("the body must be a JSON object", field=resource_type)
    if payload.get("resourceType") != resource_type:
        raise InvalidInput(
            f"expected resourceType {resource_type!r}, got {payload.get('resourceType')!r}",
            field=f"{resource_type}.resourceType",
        )
    # JSON can carry a NUL character only escaped; PostgreSQL can store none.
    if b"\\u0000" in request.body and (element := _nul_character_at(payload, resource_type)):
        raise InvalidInput(f"{element}: {NUL_CHARACTER}", field=element)
    return payload


def _nul_character_at(value: object, path: str) -> str | None:
    """The path of the first text in `value` that holds a NUL character."""
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        inside = ((f"{path}.{key}", item) for key, item in value.items())
    elif isinstance(value, list):
        inside = ((f"{path}[{index}]", item) for index, item in enumerate(value))
    else:
        return None
    found = (_nul_character_at(item, where) for where, item in inside)
    return next(filter(None, found), None)


def _content_length(request: HttpRequest) -> int:
    try:
        return int(request.headers.get("Content-Length") or 0)
    except ValueError as error:
        raise InvalidInput("Content-Length: not a number", field="Content-Length") from error


def etag(version: int | str) -> str:
    return f'W/"{version}"'


def if_match_version(request: HttpRequest) -> int | None:
    """The version named by If-Match (W/"3" or "3"), or None when the header is absent."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        return None
    match = ETAG_PATTERN.match(header)
    if not match:
        raise InvalidInput(f'If-Match: expected W/"<version>", got {header!r}', field="If-Match")
    return int(match.group(1))


def prefers_strict_handling(request: HttpRequest) -> bool:
    preferences = request.headers.get("Prefer", "").replace(" ", "").lower().split(",")
    return "handling=strict" in preferences
