"""Practitioner read and search."""

from __future__ import annotations

from carebridge.directory.selectors import (
    PractitionerQuery,
    access_practitioner,
    practitioner_list,
)
from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.resources.practitioner import to_fhir_practitioner
from carebridge.fhir_api.search import (
    SearchParam,
    SearchRequest,
    SearchResult,
    page_of,
    public_ids,
    split_token,
)


def read(caller: Caller, resource_id: str) -> dict:
    return to_fhir_practitioner(
        access_practitioner(organization=caller.organization, public_id=resource_id)
    )


def search(caller: Caller, request: SearchRequest) -> SearchResult:
    ids = public_ids(request)
    if ids is None:
        return SearchResult([], 0, False)
    practitioners = practitioner_list(
        organization=caller.organization,
        query=PractitionerQuery(
            name=" ".join(request.every("name")),
            identifier=split_token(request.first("identifier"))[1],
            public_ids=ids,
            active_only=False,
        ),
    ).order_by("family_name", "given_name", "pk")
    return page_of(practitioners, request.page, to_fhir_practitioner)


HANDLER = ResourceHandler(
    resource_type="Practitioner",
    read=read,
    search=search,
    search_params=(
        SearchParam("_id", "token", "Practitioner ids, comma-separated."),
        SearchParam("name", "string", "Every word starts a given or family name."),
        SearchParam("identifier", "token", "NPI or another identifier (system|value or value)."),
    ),
)
