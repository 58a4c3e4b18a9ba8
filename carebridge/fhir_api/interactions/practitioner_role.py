"""PractitionerRole read and search."""

from __future__ import annotations

from django.db.models import prefetch_related_objects

from carebridge.core.errors import NotFound
from carebridge.directory.selectors import (
    access_location,
    access_practitioner,
    access_practitioner_role,
    practitioner_role_list,
    specialty_list,
)
from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.references import reference_id
from carebridge.fhir_api.resources.practitioner_role import to_fhir_practitioner_role
from carebridge.fhir_api.search import (
    SearchParam,
    SearchRequest,
    SearchResult,
    page_of,
    public_ids,
    split_token,
)


def read(caller: Caller, resource_id: str) -> dict:
    role = access_practitioner_role(organization=caller.organization, public_id=resource_id)
    return to_fhir_practitioner_role(role)


def search(caller: Caller, request: SearchRequest) -> SearchResult:
    ids = public_ids(request)
    try:
        criteria = _criteria(caller, request)
    except NotFound:
        ids = None
    if ids is None:
        return SearchResult([], 0, False)
    roles = [
        role
        for role in practitioner_role_list(organization=caller.organization, **criteria)
        if not ids or role.public_id in ids
    ]
    prefetch_related_objects(roles, "organization")
    return page_of(roles, request.page, to_fhir_practitioner_role)


def _criteria(caller: Caller, request: SearchRequest) -> dict:
    """The selector's filters; NotFound when a named practitioner, location or specialty
    is not the organization's (then nothing matches)."""
    organization = caller.organization
    criteria: dict = {}
    if request.first("practitioner"):
        criteria["practitioner"] = access_practitioner(
            organization=organization,
            public_id=reference_id(
                request.first("practitioner"), "Practitioner", field="practitioner"
            ),
        )
    if request.first("location"):
        criteria["location"] = access_location(
            organization=organization,
            public_id=reference_id(request.first("location"), "Location", field="location"),
        )
    if request.first("specialty"):
        code = split_token(request.first("specialty"))[1]
        specialties = [s for s in specialty_list(organization=organization) if s.code == code]
        if not specialties:
            raise NotFound("specialty not found")
        criteria["specialty"] = specialties[0]
    return criteria


HANDLER = ResourceHandler(
    resource_type="PractitionerRole",
    read=read,
    search=search,
    search_params=(
        SearchParam("_id", "token", "PractitionerRole ids, comma-separated."),
        SearchParam("practitioner", "reference", "Practitioner/<id>."),
        SearchParam("location", "reference", "Location/<id>."),
        SearchParam("specialty", "token", "Specialty code."),
    ),
)
