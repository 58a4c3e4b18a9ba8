"""Location read and search."""

from __future__ import annotations

from django.db.models import prefetch_related_objects

from carebridge.directory.selectors import access_location, location_list
from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.resources.location import to_fhir_location
from carebridge.fhir_api.search import (
    SearchParam,
    SearchRequest,
    SearchResult,
    page_of,
    public_ids,
)


def read(caller: Caller, resource_id: str) -> dict:
    location = access_location(organization=caller.organization, public_id=resource_id)
    return to_fhir_location(location)


def search(caller: Caller, request: SearchRequest) -> SearchResult:
    ids = public_ids(request)
    if ids is None:
        return SearchResult([], 0, False)
    name = request.first("name").casefold()
    # A clinic has a handful of sites, so matching the name here is cheap.
    locations = [
        location
        for location in location_list(organization=caller.organization, active_only=False)
        if (not ids or location.public_id in ids) and location.name.casefold().startswith(name)
    ]
    prefetch_related_objects(locations, "organization")
    return page_of(locations, request.page, to_fhir_location)


HANDLER = ResourceHandler(
    resource_type="Location",
    read=read,
    search=search,
    search_params=(
        SearchParam("_id", "token", "Location ids, comma-separated."),
        SearchParam("name", "string", "Name starts with, case-insensitive."),
    ),
)
