"""Slot read and search: free times from the availability engine, busy ones from bookings."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

from carebridge.core import clock
from carebridge.core.errors import InvalidInput, NotFound
from carebridge.core.timeranges import zone_of
from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.interactions.schedule import Pair, schedule_pair, schedules
from carebridge.fhir_api.references import reference_id
from carebridge.fhir_api.resources.schedule import schedule_id
from carebridge.fhir_api.resources.slot import (
    VISIT_TYPE_SYSTEM,
    ScheduleSlot,
    SlotKey,
    parse_slot_id,
    to_fhir_slot,
)
from carebridge.fhir_api.search import (
    SearchParam,
    SearchRequest,
    SearchResult,
    is_id,
    meets_all,
    page_of,
    split_token,
    start_bounds,
)
from carebridge.scheduling.availability import last_searchable_day, slot_is_free, slot_search
from carebridge.scheduling.constants import ACTIVE_STATUSES
from carebridge.scheduling.models import Appointment, VisitType
from carebridge.scheduling.selectors import (
    AppointmentQuery,
    access_visit_type,
    appointment_list,
    visit_type_list,
)

DEFAULT_WINDOW = datetime.timedelta(days=7)
MAX_WINDOW = datetime.timedelta(days=31)
# The most the availability engine returns per call; a search that reaches it is refused
# rather than answered with a silently short list and a wrong total.
ENGINE_LIMIT = 1000
ONE_SECOND = datetime.timedelta(seconds=1)


@dataclass(frozen=True)
class Window:
    start_from: datetime.datetime
    start_before: datetime.datetime


def visit_types_named(caller: Caller, criteria: Sequence[Sequence[str]]) -> list[VisitType]:
    """Active visit types that a code token of every group of alternatives names."""
    return [
        visit_type
        for visit_type in visit_type_list(organization=caller.organization)
        if meets_all(criteria, partial(_names_visit_type, visit_type))
    ]


def _names_visit_type(visit_type: VisitType, token: str) -> bool:
    system, code = split_token(token)
    return system in (None, "", VISIT_TYPE_SYSTEM) and code == visit_type.code


def slot_target(caller: Caller, resource_id: str) -> tuple[Pair, VisitType, datetime.datetime]:
    """The practitioner and location, visit type and start a slot id stands for."""
    key = parse_slot_id(resource_id)
    try:
        pair = schedule_pair(caller, str(key.schedule_id))
        visit_type = access_visit_type(
            organization=caller.organization, public_id=key.visit_type_id
        )
    except NotFound as error:
        raise NotFound("Slot not found") from error
    return pair, visit_type, key.start


def read(caller: Caller, resource_id: str) -> dict:
    """The slot as it is now: free, busy, or not found when the time is no longer offered."""
    pair, visit_type, start = slot_target(caller, resource_id)
    practitioner, location = pair
    # The engine will not look past the booking horizon, and nothing is offered there.
    if start.astimezone(zone_of(location.timezone)).date() > last_searchable_day():
        raise NotFound("Slot not found: no time that far ahead is offered")
    free = slot_is_free(
        organization=caller.organization,
        visit_type=visit_type,
        practitioner=practitioner,
        location=location,
        start=start,
    )
    if not free and not _booked(caller, [pair], Window(start, start + ONE_SECOND)):
        raise NotFound("Slot not found: that time is no longer offered")
    return to_fhir_slot(_slot(pair, visit_type, start, busy=not free))


def search(caller: Caller, request: SearchRequest) -> SearchResult:
    wanted = request.criteria(
        "schedule", partial(reference_id, resource_type="Schedule", field="schedule")
    )
    pairs = [
        pair for key, pair in schedules(caller).items() if meets_all(wanted, partial(is_id, key))
    ]
    visit_types = visit_types_named(caller, request.criteria("service-type"))
    window = _window(caller, request)
    statuses = request.criteria("status")
    slots = []
    if meets_all(statuses, "free".__eq__):
        slots += _free_slots(caller, pairs, visit_types, window)
    if meets_all(statuses, "busy".__eq__):
        slots += _busy_slots(caller, pairs, visit_types, window)
    slots.sort(key=lambda slot: (slot.key.start, str(slot.key.schedule_id), slot.visit_type.code))
    return page_of(slots, request.page, to_fhir_slot)


def _window(caller: Caller, request: SearchRequest) -> Window:
    values = [value for (value,) in request.criteria("start")]
    start_from, start_before = start_bounds(values, zone=caller.zone, field="start")
    start_from = start_from or clock.now()
    start_before = start_before or start_from + DEFAULT_WINDOW
    if start_before - start_from > MAX_WINDOW:
        raise InvalidInput(f"start: search at most {MAX_WINDOW.days} days at a time", field="start")
    return Window(start_from, start_before)


def _by_ids(pairs: list[Pair]) -> dict[tuple[int, int], Pair]:
    return {
        (practitioner.pk, location.pk): (practitioner, location) for practitioner, location in pairs
    }


def _free_slots(
    caller: Caller, pairs: list[Pair], visit_types: list[VisitType], window: Window
) -> list[ScheduleSlot]:
    dates = _engine_dates(window)
    if not pairs or dates is None:
        return []
    by_ids = _by_ids(pairs)
    found = []
    for visit_type in visit_types:
        free = slot_search(
            organization=caller.organization,
            visit_type=visit_type,
            start_date=dates[0],
            end_date=dates[1],
            practitioner_ids=sorted({practitioner.pk for practitioner, _ in pairs}),
            limit=ENGINE_LIMIT,
        )
        _refuse_if_truncated(free)
        found += [
            _slot(by_ids[slot.practitioner_id, slot.location_id], visit_type, slot.start)
            for slot in free
            if (slot.practitioner_id, slot.location_id) in by_ids
            and window.start_from <= slot.start < window.start_before
        ]
    return found


def _engine_dates(window: Window) -> tuple[datetime.date, datetime.date] | None:
    """The local dates to ask the engine for free time: a day either side of the window
    covers every zone's offset; none before yesterday (no past time is free) nor past the
    booking horizon (none is offered there). None when nothing is left."""
    one_day = datetime.timedelta(days=1)
    today = clock.now().date()
    first = max((window.start_from - one_day).date(), today - one_day)
    last = min((window.start_before + one_day).date(), last_searchable_day())
    return (first, last) if first <= last else None


def _busy_slots(
    caller: Caller, pairs: list[Pair], visit_types: list[VisitType], window: Window
) -> list[ScheduleSlot]:
    by_ids = _by_ids(pairs)
    wanted = {visit_type.pk: visit_type for visit_type in visit_types}
    return [
        _slot(
            by_ids[appointment.practitioner_id, appointment.location_id],
            wanted[appointment.visit_type_id],
            appointment.start,
            busy=True,
        )
        for appointment in _booked(caller, pairs, window)
        if appointment.visit_type_id in wanted
    ]


def _refuse_if_truncated(found: list) -> None:
    if len(found) == ENGINE_LIMIT:
        raise InvalidInput(
            "start: too many slots; narrow the start range or name a schedule", field="start"
        )


def _booked(caller: Caller, pairs: list[Pair], window: Window) -> list[Appointment]:
    """Active appointments starting in the window on one of the schedules."""
    if not pairs:
        return []
    narrow = {}
    if len(pairs) == 1:
        narrow = {"practitioner_id": pairs[0][0].pk, "location_id": pairs[0][1].pk}
    appointments, _ = appointment_list(
        organization=caller.organization,
        actor=caller.user,
        query=AppointmentQuery(
            start_from=window.start_from,
            start_before=window.start_before,
            statuses=tuple(ACTIVE_STATUSES),
            **narrow,
        ),
        limit=ENGINE_LIMIT,
    )
    _refuse_if_truncated(appointments)
    by_ids = _by_ids(pairs)
    return [
        appointment
        for appointment in appointments
        if (appointment.practitioner_id, appointment.location_id) in by_ids
    ]


def _slot(
    pair: Pair, visit_type: VisitType, start: datetime.datetime, *, busy: bool = False
) -> ScheduleSlot:
    practitioner, location = pair
    key = SlotKey(schedule_id(practitioner, location), visit_type.public_id, start)
    return ScheduleSlot(key, visit_type, zone_of(location.timezone), busy)


HANDLER = ResourceHandler(
    resource_type="Slot",
    read=read,
    search=search,
    search_params=(
        SearchParam("schedule", "reference", "Schedule/<id>."),
        SearchParam(
            "start",
            "date",
            "Start time with eq, ge, gt, le or lt; default the next 7 days, at most 31 days.",
            alternatives=False,
        ),
        SearchParam(
            "status",
            "token",
            "free or busy (default both).",
            codes=("free", "busy"),
            system="http://hl7.org/fhir/slotstatus",
        ),
        SearchParam(
            "service-type", "token", f"Visit type code ({VISIT_TYPE_SYSTEM}); default all."
        ),
    ),
)
