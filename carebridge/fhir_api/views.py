"""The FHIR REST endpoints: authenticate, find the resource's handler, call it, render."""

from __future__ import annotations

import functools
import logging

from django.http import HttpRequest, HttpResponse, QueryDict
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt

from carebridge.accounts.api_auth import require
from carebridge.core.errors import DomainError, InvalidInput, NotFound
from carebridge.fhir_api.auth import authenticate
from carebridge.fhir_api.bundles import searchset
from carebridge.fhir_api.capability import capability_statement
from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.http import (
    error_response,
    fhir_response,
    if_match_version,
    prefers_strict_handling,
    read_resource_body,
    search_parameters,
)
from carebridge.fhir_api.outcomes import MethodNotAllowed, ServerFault
from carebridge.fhir_api.registry import HANDLERS, handler_for
from carebridge.fhir_api.search import search_request

logger = logging.getLogger(__name__)


def fhir_endpoint(view):
    """Token-authenticated (so no CSRF); every domain error becomes an OperationOutcome."""

    @csrf_exempt
    @functools.wraps(view)
    def wrapped(request: HttpRequest, **kwargs) -> HttpResponse:
        try:
            return view(request, **kwargs)
        except DomainError as error:
            # Errors in a body name FHIR elements; errors in a search (a posted one too) name
            # the parameter.
            searched = request.resolver_match.url_name == "search"
            in_body = request.method in ("POST", "PUT") and not searched
            resource_type = kwargs.get("resource_type", "") if in_body else ""
            return error_response(error, resource_type=resource_type)
        except Exception:
            # FHIR clients expect an OperationOutcome even when the server itself fails.
            logger.exception("FHIR %s %s failed", request.method, request.path)
            return error_response(ServerFault("the server could not complete the request"))

    return wrapped


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("metadata")


def _caller(request: HttpRequest) -> Caller:
    return Caller(user=authenticate(request), base_url=_base_url(request))


def _refuse(request: HttpRequest, allowed: dict[str, object]) -> MethodNotAllowed:
    methods = tuple(method for method, call in allowed.items() if call)
    return MethodNotAllowed(f"{request.method} is not supported here", allowed=methods)


@fhir_endpoint
def metadata(request: HttpRequest) -> HttpResponse:
    if request.method != "GET":
        raise _refuse(request, {"GET": True})
    return fhir_response(capability_statement(HANDLERS.values(), base_url=_base_url(request)))


def _searched(
    request: HttpRequest, caller: Caller, handler: ResourceHandler, parameters: QueryDict
) -> HttpResponse:
    search = search_request(
        parameters, handler.search_params, strict=prefers_strict_handling(request)
    )
    result = handler.search(caller, search)
    return fhir_response(
        searchset(
            base_url=caller.base_url,
            resource_type=handler.resource_type,
            search=search,
            result=result,
        )
    )


@fhir_endpoint
def search_endpoint(request: HttpRequest, resource_type: str) -> HttpResponse:
    """POST [type]/_search: a search whose parameters are in a form body (too long for a
    URL, or kept out of logs that record URLs)."""
    if request.method != "POST":
        raise _refuse(request, {"POST": True})
    caller, handler = _caller(request), handler_for(resource_type)
    return _searched(request, caller, handler, search_parameters(request))


@fhir_endpoint
def resource_type_endpoint(request: HttpRequest, resource_type: str) -> HttpResponse:
    """GET searches, POST creates."""
    caller, handler = _caller(request), handler_for(resource_type)
    if request.method == "GET":
        return _searched(request, caller, handler, request.GET)
    if request.method == "POST" and handler.create:
        require(request, handler.create_permission)
        created = handler.create(caller, read_resource_body(request, resource_type))
        location = f"{caller.base_url}{resource_type}/{created['id']}"
        return fhir_response(created, status=201, headers={"Location": location})
    raise _refuse(request, {"GET": True, "POST": handler.create})


@fhir_endpoint
def resource_endpoint(request: HttpRequest, resource_type: str, resource_id: str) -> HttpResponse:
    """GET reads, PUT updates (If-Match guards against lost updates)."""
    caller = _caller(request)
    handler = handler_for(resource_type)
    if request.method == "GET":
        return fhir_response(handler.read(caller, resource_id))
    if request.method == "PUT" and handler.update:
        require(request, handler.update_permission)
        payload = read_resource_body(request, resource_type)
        if payload.get("id") != resource_id:
            raise InvalidInput(
                f"the body's id {payload.get('id')!r} differs from the URL's {resource_id!r}",
                field=f"{resource_type}.id",
            )
        updated = handler.update(caller, resource_id, payload, if_match_version(request))
        return fhir_response(updated)
    raise _refuse(request, {"GET": True, "PUT": handler.update})


@fhir_endpoint
def unknown_endpoint(request: HttpRequest, rest: str) -> HttpResponse:
    """Anything else under /fhir/ (the base itself, where batches and transactions would be
    posted, history, operations) answers in FHIR too."""
    raise NotFound(f"/fhir/{rest} is not an endpoint of this server")
