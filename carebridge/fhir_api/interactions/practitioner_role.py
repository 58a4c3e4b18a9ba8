"""PractitionerRole read and search."""

from __future__ import annotations

import operator
from collections.abc import Callable
from functools import partial

from django.db.models import prefetch_related_objects

from carebridge.directory.models import PractitionerRole
from carebridge.directory.selectors import access_practitioner_role, practitioner_role_list
from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.references import reference_id
from carebridge.fhir_api.resources.practitioner_role import to_fhir_practitioner_role
from carebridge.fhir_api.search import (
    SearchParam,
    SearchRequest,
    SearchResult,
    is_id,
    meets_all,
    page_of,
    split_token,
)


def read(caller: Caller, resource_id: str) -> dict:
    role = access_practitioner_role(organization=caller.organization, public_id=resource_id)
    return to_fhir_practitioner_role(role)


def search(caller: Caller, request: SearchRequest) -> SearchResult:
    matches = _matcher(request)
    # One clinic's directory is small enough to match here, as Schedule does.
    roles = [
        role for role in practitioner_role_list(organization=caller.organization) if matches(role)
    ]
    prefetch_related_objects(roles, "organization")
    return page_of(roles, request.page, to_fhir_practitioner_role)


def _matcher(request: SearchRequest) -> Callable[[PractitionerRole], bool]:
    """Whether a role meets every parameter; a reference to another type is refused first."""
    ids = request.criteria("_id")
    practitioners = request.criteria("practitioner", partial(_referenced, "Practitioner"))
    locations = request.criteria("location", partial(_referenced, "Location"))
    specialties = request.criteria("specialty", lambda token: split_token(token)[1])

    def matches(role: PractitionerRole) -> bool:
        specialty = role.specialty.code if role.specialty else None
        return (
            meets_all(ids, partial(is_id, role.public_id))
            and meets_all(practitioners, partial(is_id, role.practitioner.public_id))
            and meets_all(locations, partial(is_id, role.location.public_id))
            and meets_all(specialties, partial(operator.eq, specialty))
        )

    return matches


def _referenced(resource_type: str, reference: str) -> str:
    return reference_id(reference, resource_type, field=resource_type.lower())


HANDLER = ResourceHandler(
    resource_type="PractitionerRole",
    read=read,
    search=search,
    search_params=(
        SearchParam("_id", "token", "PractitionerRole ids."),
        SearchParam("practitioner", "reference", "Practitioner/<id>."),
        SearchParam("location", "reference", "Location/<id>."),
        SearchParam("specialty", "token", "Specialty code."),
    ),
)
