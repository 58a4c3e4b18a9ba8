"""Practitioner read and search."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import partial

from carebridge.directory.selectors import (
    PractitionerQuery,
    access_practitioner,
    practitioner_list,
)
from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.resources import NPI_SYSTEM, identifier_token
from carebridge.fhir_api.resources.practitioner import to_fhir_practitioner
from carebridge.fhir_api.search import (
    NAME_MODIFIERS,
    SearchParam,
    SearchRequest,
    SearchResult,
    by_public_id,
    name_criteria,
    page_of,
    query_groups,
    split_token,
)


def read(caller: Caller, resource_id: str) -> dict:
    return to_fhir_practitioner(
        access_practitioner(organization=caller.organization, public_id=resource_id)
    )


def search(caller: Caller, request: SearchRequest) -> SearchResult:
    groups = query_groups(request, CRITERIA)
    if groups is None:
        return SearchResult([], 0, False)
    practitioners = practitioner_list(
        organization=caller.organization,
        query=replace(ANY_PRACTITIONER, one_of_each=groups),
    ).order_by("family_name", "given_name", "pk")
    return page_of(practitioners, request.page, to_fhir_practitioner)


# Inactive practitioners are found too: the resource says whether one is active.
ANY_PRACTITIONER = PractitionerQuery(active_only=False)
# What one alternative of each parameter asks of a practitioner.
CRITERIA: dict[str, Callable[[str], PractitionerQuery | None]] = {
    "_id": by_public_id(partial(replace, ANY_PRACTITIONER)),
    **name_criteria(
        ["name"], lambda _, match, name: replace(ANY_PRACTITIONER, name=name, name_match=match)
    ),
    "identifier": lambda token: _by_identifier(*split_token(token)),
}


def _by_identifier(system: str | None, value: str) -> PractitionerQuery:
    """`value` in any system, the NPI by its system, another system's value as stored;
    `system|` is any value in the system, `|` any identifier without one."""
    if system is None:
        return replace(ANY_PRACTITIONER, identifier_value=value)
    if system == NPI_SYSTEM:
        return replace(ANY_PRACTITIONER, npi=value, with_npi=True)
    if not value:
        return replace(ANY_PRACTITIONER, identifier_system=system)
    return replace(ANY_PRACTITIONER, identifier=identifier_token(system, value))


HANDLER = ResourceHandler(
    resource_type="Practitioner",
    read=read,
    search=search,
    search_params=(
        SearchParam("_id", "token", "Practitioner ids."),
        SearchParam(
            "name",
            "string",
            "Every word starts a given or family name; :exact is a whole given or family name"
            " as written, :contains part of one, in any case.",
            modifiers=tuple(NAME_MODIFIERS),
        ),
        SearchParam("identifier", "token", "NPI or another identifier (system|value or value)."),
    ),
)
