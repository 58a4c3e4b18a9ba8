"""Schedule read and search: the practitioner-at-location pairs of the directory's roles."""

from __future__ import annotations

import uuid

from carebridge.core.errors import NotFound
from carebridge.directory.models import Location, Practitioner
from carebridge.directory.selectors import practitioner_role_list
from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.references import split_reference
from carebridge.fhir_api.resources.schedule import schedule_id, to_fhir_schedule
from carebridge.fhir_api.search import SearchParam, SearchRequest, SearchResult, page_of

Pair = tuple[Practitioner, Location]


def schedules(caller: Caller) -> dict[uuid.UUID, Pair]:
    """Every schedule of the organization by id, in the directory's role order."""
    found: dict[uuid.UUID, Pair] = {}
    for role in practitioner_role_list(organization=caller.organization):
        pair = (role.practitioner, role.location)
        found.setdefault(schedule_id(*pair), pair)
    return found


def schedule_pair(caller: Caller, resource_id: str) -> Pair:
    """The practitioner and location behind a schedule id, or NotFound."""
    try:
        return schedules(caller)[uuid.UUID(resource_id)]
    except (KeyError, ValueError) as error:
        raise NotFound("Schedule not found") from error


def read(caller: Caller, resource_id: str) -> dict:
    return to_fhir_schedule(*schedule_pair(caller, resource_id))


def matching_schedules(caller: Caller, ids: list[str], actors: list[str]) -> list[Pair]:
    """Schedules with one of `ids` (when given) and every actor reference in `actors`."""
    return [
        pair
        for key, pair in schedules(caller).items()
        if (not ids or str(key) in ids)
        and all(_has_actor(pair, *split_reference(actor)) for actor in actors)
    ]


def _has_actor(pair: Pair, kind: str, actor_id: str) -> bool:
    practitioner, location = pair
    return (kind in ("", "Practitioner") and str(practitioner.public_id) == actor_id) or (
        kind in ("", "Location") and str(location.public_id) == actor_id
    )


def search(caller: Caller, request: SearchRequest) -> SearchResult:
    pairs = matching_schedules(caller, request.any_of("_id"), request.every("actor"))
    return page_of(pairs, request.page, lambda pair: to_fhir_schedule(*pair))


HANDLER = ResourceHandler(
    resource_type="Schedule",
    read=read,
    search=search,
    search_params=(
        SearchParam("_id", "token", "Schedule ids, comma-separated."),
        SearchParam("actor", "reference", "Practitioner/<id> or Location/<id>."),
    ),
)
