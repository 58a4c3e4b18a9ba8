"""Appointment read, search, booking and changes, through the scheduling services.

When and with whom: on create a Slot names it (start and end, if also given, must agree),
or start with Practitioner and Location participants does. On update start and the
participants decide (the slot is derived from them, so the body read back may keep naming
the old one), or a Slot when start is absent or the Slot is another than the visit's own
(then start, if given, must agree with it too).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import TypeVar

from django.db import transaction
from django.db.models import Model

from carebridge.core.errors import NotFound, StaleVersion
from carebridge.directory.models import Location, Practitioner
from carebridge.directory.selectors import (
    access_location,
    access_practitioner,
    practitioner_reference,
)
from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.interactions.slot import slot_target, visit_types_named
from carebridge.fhir_api.references import reference_id
from carebridge.fhir_api.resources import invalid
from carebridge.fhir_api.resources.appointment import (
    AppointmentInput,
    appointment_slot_id,
    parse_appointment,
    to_fhir_appointment,
)
from carebridge.fhir_api.search import (
    SearchParam,
    SearchRequest,
    SearchResult,
    by_date,
    by_public_id,
    query_groups,
)
from carebridge.patients.selectors import access_patient
from carebridge.scheduling.constants import AppointmentStatus, BookingChannel
from carebridge.scheduling.models import Appointment, VisitType
from carebridge.scheduling.selectors import AppointmentQuery, access_appointment, appointment_list
from carebridge.scheduling.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    appointment_transition,
    appointment_update_notes,
)

T = TypeVar("T")
STATUS_SYSTEM = "http://hl7.org/fhir/appointmentstatus"


@dataclass(frozen=True)
class Placement:
    practitioner: Practitioner
    location: Location
    visit_type: VisitType
    start: datetime.datetime


def read(caller: Caller, resource_id: str) -> dict:
    appointment = access_appointment(
        organization=caller.organization, actor=caller.user, public_id=resource_id
    )
    return to_fhir_appointment(appointment)


def search(caller: Caller, request: SearchRequest) -> SearchResult:
    groups = query_groups(request, _criteria(caller))
    if groups is None:
        return SearchResult([], 0, False)
    appointments, total = appointment_list(
        organization=caller.organization,
        actor=caller.user,
        query=AppointmentQuery(one_of_each=groups),
        limit=request.page.count,
        offset=request.page.offset,
        with_total=True,
    )
    resources = [to_fhir_appointment(appointment) for appointment in appointments]
    return SearchResult.counted(resources, total or 0, request.page)


def _criteria(caller: Caller) -> dict[str, Callable[[str], AppointmentQuery | None]]:
    """What one alternative of each parameter asks of an appointment."""
    return {
        "_id": by_public_id(AppointmentQuery),
        "patient": partial(
            _by_reference, caller, "patient", partial(access_patient, actor=caller.user)
        ),
        "practitioner": partial(_by_reference, caller, "practitioner", access_practitioner),
        "location": partial(_by_reference, caller, "location", access_location),
        "date": by_date(
            AppointmentQuery, "date", zone=caller.zone, bounds=("start_from", "start_before")
        ),
        "status": lambda status: AppointmentQuery(statuses=(status,)),
    }


def _by_reference(
    caller: Caller, name: str, lookup: Callable[..., Model], reference: str
) -> AppointmentQuery | None:
    """Appointments with the patient, practitioner or location named; None when it is not
    the organization's."""
    public_id = reference_id(reference, name.capitalize(), field=name)
    try:
        found = lookup(organization=caller.organization, public_id=public_id)
    except NotFound:
        return None
    return AppointmentQuery(**{f"{name}_id": found.pk})


def create(caller: Caller, payload: dict) -> dict:
    data = parse_appointment(payload)
    patient = _referenced(
        "Appointment.participant",
        access_patient,
        organization=caller.organization,
        actor=caller.user,
        public_id=data.patient_id,
    )
    placement = _placement(caller, data, current=None)
    appointment = appointment_book(
        organization=caller.organization,
        actor=caller.user,
        patient=patient,
        practitioner=placement.practitioner,
        location=placement.location,
        visit_type=placement.visit_type,
        start=placement.start,
        channel=BookingChannel.FHIR,
        notes=data.notes,
        status=data.status,
    )
    return to_fhir_appointment(appointment)


def update(caller: Caller, resource_id: str, payload: dict, expected_version: int | None) -> dict:
    """Reschedule, change notes and move the status, in that order and all or nothing."""
    appointment = access_appointment(
        organization=caller.organization, actor=caller.user, public_id=resource_id
    )
    data = parse_appointment(payload)
    if expected_version is not None and expected_version != appointment.version:
        raise StaleVersion(
            f"the appointment is at version {appointment.version}, not {expected_version}; "
            "reload and try again"
        )
    steps = _changes(caller, appointment, data)
    with transaction.atomic():
        for step in steps:
            appointment = step(
                appointment=appointment, actor=caller.user, expected_version=appointment.version
            )
    return to_fhir_appointment(appointment)


def _changes(caller: Caller, appointment: Appointment, data: AppointmentInput) -> list[Callable]:
    if data.patient_id != str(appointment.patient.public_id):
        raise invalid("Appointment.participant", "the patient of an appointment cannot change")
    placement = _placement(caller, data, current=appointment)
    steps: list[Callable] = []
    if (placement.practitioner.pk, placement.location.pk, placement.start) != (
        appointment.practitioner_id,
        appointment.location_id,
        appointment.start,
    ):
        steps.append(
            partial(
                appointment_reschedule,
                start=placement.start,
                practitioner=placement.practitioner,
                location=placement.location,
            )
        )
    if data.notes != appointment.notes:
        steps.append(partial(appointment_update_notes, notes=data.notes))
    if data.status != appointment.status:
        steps.append(_status_change(data))
    return steps


def _status_change(data: AppointmentInput) -> Callable:
    if data.status != AppointmentStatus.CANCELLED:
        return partial(appointment_transition, status=data.status)
    if not data.cancellation_reason:
        raise invalid("Appointment.cancelationReason", "say why the appointment is cancelled")
    return partial(
        appointment_cancel, reason=data.cancellation_reason, cancelled_by=data.cancelled_by
    )


def _placement(caller: Caller, data: AppointmentInput, *, current: Appointment | None):
    if _slot_decides(data, current):
        placement = _slot_placement(caller, data, current=current)
    else:
        placement = _stated_placement(caller, data, current)
    if current and placement.visit_type.pk != current.visit_type_id:
        raise invalid(
            "Appointment.serviceType", "the visit type cannot change; cancel and book again"
        )
    duration = datetime.timedelta(minutes=placement.visit_type.duration_minutes)
    if data.end and data.end != placement.start + duration:
        raise invalid(
            "Appointment.end",
            f"the visit type {placement.visit_type.name!r} lasts {duration.seconds // 60}"
            " minutes; end must be start plus that",
        )
    return placement


def _slot_decides(data: AppointmentInput, current: Appointment | None) -> bool:
    if not data.slot_id:
        return False
    if current is None or data.start is None:
        return True
    return data.slot_id.lower() != appointment_slot_id(current)


def _slot_placement(
    caller: Caller, data: AppointmentInput, *, current: Appointment | None
) -> Placement:
    (practitioner, location), visit_type, start = _referenced(
        "Appointment.slot", slot_target, caller, data.slot_id
    )
    if data.start and data.start != start:
        # On update the start is the visit's own, read back: the Slot is what changed.
        element = "Appointment.slot" if current else "Appointment.start"
        raise invalid(element, "start differs from the start of the Slot")
    for kind, named, actual in [
        ("Practitioner", data.practitioner_id, practitioner),
        ("Location", data.location_id, location),
    ]:
        if named and named != str(actual.public_id):
            raise invalid("Appointment.participant", f"the {kind} differs from the Slot's")
    return Placement(practitioner, location, visit_type, start)


def _stated_placement(
    caller: Caller, data: AppointmentInput, current: Appointment | None
) -> Placement:
    organization = caller.organization
    element = "Appointment.participant"
    practitioner = current.practitioner if current else None
    if data.practitioner_id:
        practitioner = _referenced(
            element,
            practitioner_reference,
            organization=organization,
            public_id=data.practitioner_id,
        )
    location = current.location if current else None
    if data.location_id:
        location = _referenced(
            element, access_location, organization=organization, public_id=data.location_id
        )
    visit_type = current.visit_type if current else _visit_type(caller, data.visit_type_code)
    if data.visit_type_code and data.visit_type_code != visit_type.code:
        raise invalid("Appointment.serviceType", "the visit type cannot change")
    return Placement(practitioner, location, visit_type, data.start)


def _visit_type(caller: Caller, code: str) -> VisitType:
    if not code:
        raise invalid("Appointment.serviceType", "a visit type code is required without a Slot")
    found = visit_types_named(caller, [[code]])
    if not found:
        raise invalid("Appointment.serviceType", f"no active visit type has the code {code!r}")
    return found[0]


def _referenced(element: str, lookup: Callable[..., T], *args, **kwargs) -> T:
    """A resource the body refers to; one that is missing makes the body invalid."""
    try:
        return lookup(*args, **kwargs)
    except NotFound as error:
        raise invalid(element, error.message) from error


HANDLER = ResourceHandler(
    resource_type="Appointment",
    read=read,
    search=search,
    create=create,
    update=update,
    create_permission="scheduling.add_appointment",
    update_permission="scheduling.change_appointment",
    versioned=True,
    search_params=(
        SearchParam("_id", "token", "Appointment ids."),
        SearchParam("patient", "reference", "Patient/<id>."),
        SearchParam("practitioner", "reference", "Practitioner/<id>."),
        SearchParam("location", "reference", "Location/<id>."),
        SearchParam("date", "date", "Start time with eq, ge, gt, le or lt."),
        SearchParam(
            "status",
            "token",
            "Appointment status.",
            codes=tuple(AppointmentStatus.values),
            system=STATUS_SYSTEM,
        ),
    ),
)
