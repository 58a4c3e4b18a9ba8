"""Schedule read and search: the practitioner-at-location pairs of the directory's roles."""

from __future__ import annotations

import uuid
from functools import partial

from carebridge.core.errors import NotFound
from carebridge.directory.models import Location, Practitioner
from carebridge.directory.selectors import practitioner_role_list
from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.references import split_reference
from carebridge.fhir_api.resources.schedule import schedule_id, to_fhir_schedule
from carebridge.fhir_api.search import (
    SearchParam,
    SearchRequest,
    SearchResult,
    is_id,
    meets_all,
    page_of,
)

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


def search(caller: Caller, request: SearchRequest) -> SearchResult:
    ids = request.criteria("_id")
    actors = request.criteria("actor", split_reference)
    pairs = [
        pair
        for key, pair in schedules(caller).items()
        if meets_all(ids, partial(is_id, key)) and meets_all(actors, partial(_has_actor, pair))
    ]
    return page_of(pairs, request.page, lambda pair: to_fhir_schedule(*pair))


def _has_actor(pair: Pair, actor: tuple[str, str]) -> bool:
    """Whether the practitioner or the location is the (type, id) reference named."""
    kind, actor_id = actor
    practitioner, location = pair
    return (kind in ("", "Practitioner") and is_id(practitioner.public_id, actor_id)) or (
        kind in ("", "Location") and is_id(location.public_id, actor_id)
    )


HANDLER = ResourceHandler(
    resource_type="Schedule",
    read=read,
    search=search,
    search_params=(
        SearchParam("_id", "token", "Schedule ids."),
        SearchParam("actor", "reference", "Practitioner/<id> or Location/<id>."),
    ),
)
