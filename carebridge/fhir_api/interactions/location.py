"""Location read and search."""

from __future__ import annotations

from django.db.models import prefetch_related_objects

from carebridge.directory.selectors import access_location, location_list
from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.resources.location import to_fhir_location
from carebridge.fhir_api.search import (
    ENTRY_NAME,
    SearchParam,
    SearchRequest,
    SearchResult,
    id_and_name_match,
    page_of,
)


def read(caller: Caller, resource_id: str) -> dict:
    location = access_location(organization=caller.organization, public_id=resource_id)
    return to_fhir_location(location)


def search(caller: Caller, request: SearchRequest) -> SearchResult:
    # A clinic has a handful of sites, so matching them here is cheap.
    locations = [
        location
        for location in location_list(organization=caller.organization, active_only=False)
        if id_and_name_match(request, location.public_id, location.name)
    ]
    prefetch_related_objects(locations, "organization")
    return page_of(locations, request.page, to_fhir_location)


HANDLER = ResourceHandler(
    resource_type="Location",
    read=read,
    search=search,
    search_params=(
        SearchParam("_id", "token", "Location ids."),
        ENTRY_NAME,
    ),
)
