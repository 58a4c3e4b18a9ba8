"""Organization: the caller's own clinic, the only organization a token can see."""

from __future__ import annotations

from carebridge.core.errors import NotFound
from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.resources.organization import to_fhir_organization
from carebridge.fhir_api.search import (
    ENTRY_NAME,
    SearchParam,
    SearchRequest,
    SearchResult,
    id_and_name_match,
    page_of,
)


def read(caller: Caller, resource_id: str) -> dict:
    if resource_id != str(caller.organization.public_id):
        raise NotFound("Organization not found")
    return to_fhir_organization(caller.organization)


def search(caller: Caller, request: SearchRequest) -> SearchResult:
    organization = caller.organization
    matches = id_and_name_match(request, organization.public_id, organization.name)
    return page_of([organization] if matches else [], request.page, to_fhir_organization)


HANDLER = ResourceHandler(
    resource_type="Organization",
    read=read,
    search=search,
    search_params=(
        SearchParam("_id", "token", "Organization ids."),
        ENTRY_NAME,
    ),
)
