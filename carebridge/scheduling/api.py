"""Scheduling over the JSON API: visit types, free slots and the appointment lifecycle.

Times go out in the location's zone (ISO 8601 with its offset) and come in with an offset;
a slot carries a signed token that a client passes back to book or move into it.
"""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.core import signing
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from carebridge.accounts.api_auth import actor, organization, require
from carebridge.accounts.models import Organization, User
from carebridge.core import clock
from carebridge.core.api_errors import referenced
from carebridge.core.api_schemas import (
    Criteria,
    Input,
    LocalTime,
    Page,
    Paging,
    PublicIdOut,
    page_of,
    problems,
)
from carebridge.core.errors import InvalidInput
from carebridge.core.selectors import get_each_in_organization
from carebridge.core.timeranges import zone_of
from carebridge.core.validation import check_search_window
from carebridge.directory.api import (
    LocationRef,
    PractitionerRef,
    location_id,
    practitioner_id,
    specialty_id,
)
from carebridge.directory.models import Location, Practitioner
from carebridge.directory.selectors import (
    PractitionerQuery,
    access_location,
    location_list,
    practitioner_list,
    practitioner_reference,
)
from carebridge.notifications.api import InboundOut
from carebridge.patients.api import PatientRef
from carebridge.patients.models import Patient
from carebridge.patients.selectors import patient_reference
from carebridge.scheduling.availability import FreeSlot, check_search_day, slot_search
from carebridge.scheduling.constants import (
    AppointmentStatus,
    BookingChannel,
    CancelledBy,
    ConfirmationChannel,
)
from carebridge.scheduling.models import Appointment, AppointmentHistory, VisitType
from carebridge.scheduling.selectors import (
    AppointmentQuery,
    access_appointment,
    access_visit_type,
    appointment_history,
    appointment_list,
    visit_type_list,
)
from carebridge.scheduling.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    appointment_transition,
    appointment_update_notes,
)
from carebridge.scheduling.services.confirmations import appointment_confirm
from carebridge.scheduling.services.replies import access_reply, inbound_resolve

router = Router(tags=["scheduling"])

DEFAULT_SEARCH_DAYS = 14
SLOT_TOKEN = signing.Signer(salt="carebridge.api.slot")


class VisitTypeOut(PublicIdOut):
    code: str
    name: str
    duration_minutes: int
    buffer_before_minutes: int
    buffer_after_minutes: int
    telehealth: bool
    preparation_instructions: str


class VisitTypeRef(PublicIdOut):
    code: str
    name: str
    duration_minutes: int


class SlotOut(Schema):
    token: str = Field(description="Pass back as `slot` to book or move into this slot")
    start: datetime.datetime = Field(description="In the location's zone")
    end: datetime.datetime
    practitioner: PractitionerRef
    location: LocationRef
    visit_type: VisitTypeRef


class AppointmentOut(PublicIdOut):
    status: AppointmentStatus
    start: datetime.datetime = Field(
        validation_alias="local_start", description="In the location's zone"
    )
    end: datetime.datetime = Field(validation_alias="local_end")
    patient: PatientRef
    practitioner: PractitionerRef
    location: LocationRef
    visit_type: VisitTypeRef
    notes: str
    booking_channel: str
    cancellation_reason: str
    cancelled_by: str
    overbooked: bool
    overbook_reason: str
    confirmed_at: datetime.datetime | None = Field(description="When the patient confirmed")
    confirmed_via: str
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime


class FieldChangeOut(Schema):
    field: str
    old_value: str
    new_value: str


class HistoryOut(Schema):
    version: int
    action: str
    changed_by: str | None
    changed_at: datetime.datetime
    reason: str
    changes: list[FieldChangeOut]

    @staticmethod
    def resolve_changed_by(entry: AppointmentHistory) -> str | None:
        return entry.changed_by.get_username() if entry.changed_by else None

    @staticmethod
    def resolve_changes(entry: AppointmentHistory) -> list:
        return list(entry.changes.all())


class AppointmentDetailOut(Schema, AppointmentOut):
    history: list[HistoryOut]

    @staticmethod
    def resolve_history(appointment: Appointment) -> list[AppointmentHistory]:
        return appointment_history(appointment=appointment)


class SlotSearch(Criteria):
    visit_type: uuid.UUID
    practitioner: list[uuid.UUID] = Field(
        default_factory=list, description="Any of these practitioners (repeat the parameter)"
    )
    specialty: uuid.UUID | None = None
    location: uuid.UUID | None = None
    language: str = Field("", max_length=20, description="BCP 47 code the visit is held in")
    start_date: datetime.date | None = Field(None, description="Default: today")
    end_date: datetime.date | None = Field(
        None, description=f"Inclusive; default: {DEFAULT_SEARCH_DAYS} days from start_date"
    )
    time_from: LocalTime | None = Field(None, description="Local time of day, with time_to")
    time_to: LocalTime | None = None
    patient: uuid.UUID | None = Field(
        None, description="Only times this patient has no other active visit at"
    )
    limit: int = Field(20, ge=1, le=100)


class Versioned(Input):
    version: int | None = Field(
        None, ge=1, description="The version the change is based on; when stale, a 412"
    )


class SlotChoice(Input):
    """Where and when: a slot token from a search, or practitioner, location and start."""

    slot: str | None = Field(None, description="A token from GET /slots")
    practitioner: uuid.UUID | None = None
    location: uuid.UUID | None = None
    start: AwareDatetime | None = None
    overbook_reason: str = Field(
        "", max_length=200, description="Book outside free time or over another visit, and why"
    )


class AppointmentBookIn(SlotChoice):
    patient: uuid.UUID
    visit_type: uuid.UUID | None = Field(None, description="Not needed with a slot token")
    notes: str = Field("", max_length=4000)


class AppointmentRescheduleIn(SlotChoice, Versioned):
    reason: str = Field("", max_length=200)


class AppointmentCancelIn(Versioned):
    reason: str = Field(min_length=1, max_length=200)
    cancelled_by: CancelledBy = CancelledBy.CLINIC


class AppointmentStatusIn(Versioned):
    status: AppointmentStatus
    reason: str = Field("", max_length=200)


class AppointmentNotesIn(Versioned):
    notes: str = Field(max_length=4000)


class AppointmentConfirmIn(Versioned):
    via: ConfirmationChannel = Field(description="How the patient said they will come")


class AppointmentSearch(Paging):
    patient: uuid.UUID | None = None
    practitioner: uuid.UUID | None = None
    location: uuid.UUID | None = None
    start_from: AwareDatetime | None = None
    start_before: AwareDatetime | None = None
    status: list[AppointmentStatus] = Field(
        default_factory=list, description="Any of these statuses (repeat the parameter)"
    )


@dataclass(frozen=True)
class Placement:
    """A resolved place in a schedule: who, where, what and when."""

    practitioner: Practitioner
    location: Location
    visit_type: VisitType | None
    start: datetime.datetime


def slot_token(
    practitioner: Practitioner, location: Location, visit_type: VisitType, start: datetime.datetime
) -> str:
    # Signed so a token always means what the search offered; the same slot, the same token.
    value = [
        str(practitioner.public_id),
        str(location.public_id),
        str(visit_type.public_id),
        start.astimezone(datetime.UTC).isoformat(),
    ]
    return SLOT_TOKEN.sign_object(value, compress=True)


def _read_slot_token(token: str) -> tuple[str, str, str, datetime.datetime]:
    try:
        practitioner_id, location_id, visit_type_id, start = SLOT_TOKEN.unsign_object(token)
        return practitioner_id, location_id, visit_type_id, datetime.datetime.fromisoformat(start)
    except (signing.BadSignature, ValueError, TypeError) as error:
        raise InvalidInput("slot: not a slot token from this API", field="slot") from error


def _placement_ids(
    choice: SlotChoice, visit_type_id: uuid.UUID | str | None
) -> tuple[uuid.UUID | str, uuid.UUID | str, uuid.UUID | str | None, datetime.datetime]:
    """Practitioner, location and visit type ids and the start, from a slot token or as given."""
    if choice.slot:
        slot = _read_slot_token(choice.slot)
        _check_agrees_with_slot(choice, visit_type_id, slot)
        return slot
    for name in ("practitioner", "location", "start"):
        if getattr(choice, name) is None:
            raise InvalidInput(f"{name}: required without a slot token", field=name)
    return choice.practitioner, choice.location, visit_type_id, choice.start


def _check_agrees_with_slot(
    choice: SlotChoice,
    visit_type_id: uuid.UUID | str | None,
    slot: tuple[str, str, str, datetime.datetime],
) -> None:
    """What is sent beside a slot token must be what the token says: a client that sends
    both means one of them, and booking the token's would not be what it asked for."""
    practitioner_id, location_id, slot_visit_type_id, start = slot
    beside = {
        "practitioner": (choice.practitioner, practitioner_id),
        "location": (choice.location, location_id),
        "visit_type": (visit_type_id, slot_visit_type_id),
    }
    for name, (given, in_slot) in beside.items():
        if given is not None and str(given) != in_slot:
            raise InvalidInput(f"{name}: not the slot's; send the slot alone", field=name)
    if choice.start is not None and choice.start != start:
        raise InvalidInput("start: not the slot's; send the slot alone", field="start")


def _placement(
    clinic: Organization, choice: SlotChoice, visit_type_id: uuid.UUID | str | None
) -> Placement:
    """Resolve a slot token, or explicit practitioner, location and start, to objects."""
    practitioner_id_, location_id_, visit_type_id, start = _placement_ids(choice, visit_type_id)
    practitioner = referenced(
        "practitioner",
        lambda: practitioner_reference(organization=clinic, public_id=practitioner_id_),
    )
    location = referenced(
        "location", lambda: access_location(organization=clinic, public_id=location_id_)
    )
    visit_type = None
    if visit_type_id is not None:
        visit_type = referenced(
            "visit_type", lambda: access_visit_type(organization=clinic, public_id=visit_type_id)
        )
    return Placement(practitioner, location, visit_type, start)


def _booking_references(
    clinic: Organization, user: User, payload: AppointmentBookIn
) -> tuple[Patient, Placement]:
    """The patient and the placement a booking names, read in one statement; when one of
    them is missing, read one by one, which names it (and audits a foreign patient id)."""
    practitioner_id_, location_id_, visit_type_id, start = _placement_ids(
        payload, payload.visit_type
    )
    if visit_type_id is None:
        raise InvalidInput("visit_type: required without a slot token", field="visit_type")
    found = get_each_in_organization(
        clinic,
        {
            "patient": (Patient, payload.patient),
            "practitioner": (Practitioner, practitioner_id_),
            "location": (Location, location_id_),
            "visit_type": (VisitType, visit_type_id),
        },
    )
    if found is None:
        placement = _placement(clinic, payload, visit_type_id)
        return _patient(clinic, user, payload.patient), placement
    placement = Placement(found["practitioner"], found["location"], found["visit_type"], start)
    return found["patient"], placement


def _slot_views(clinic: Organization, visit_type: VisitType, slots: list[FreeSlot]) -> list:
    practitioners = practitioner_list(
        organization=clinic, query=PractitionerQuery(active_only=False)
    ).in_bulk({slot.practitioner_id for slot in slots})
    locations = location_list(organization=clinic, active_only=False).in_bulk(
        {slot.location_id for slot in slots}
    )
    views = []
    for slot in slots:
        practitioner, location = practitioners[slot.practitioner_id], locations[slot.location_id]
        zone = zone_of(location.timezone)
        views.append(
            {
                "token": slot_token(practitioner, location, visit_type, slot.start),
                "start": slot.start.astimezone(zone),
                "end": slot.end.astimezone(zone),
                "practitioner": practitioner,
                "location": location,
                "visit_type": visit_type,
            }
        )
    return views


@router.get("/visit-types", response={200: list[VisitTypeOut], **problems()})
def list_visit_types(request: HttpRequest):
    require(request, "scheduling.view_visittype")
    return visit_type_list(organization=organization(request))


@router.get("/visit-types/{visit_type_id}", response={200: VisitTypeOut, **problems(404)})
def read_visit_type(request: HttpRequest, visit_type_id: uuid.UUID):
    require(request, "scheduling.view_visittype")
    return access_visit_type(organization=organization(request), public_id=visit_type_id)


def _time_of_day(search: SlotSearch) -> tuple[datetime.time, datetime.time] | None:
    if (search.time_from is None) != (search.time_to is None):
        field = "time_to" if search.time_to is None else "time_from"
        raise InvalidInput(f"{field}: give time_from and time_to together", field=field)
    if search.time_from is None or search.time_to is None:
        return None
    if search.time_to <= search.time_from:
        raise InvalidInput("time_to: must be after time_from", field="time_to")
    return search.time_from, search.time_to


@router.get("/slots", response={200: list[SlotOut], **problems(404)})
def search_slots(request: HttpRequest, search: Query[SlotSearch]):
    """Free slots for a visit type, earliest first. For "first available", ask for a wide
    date range and a small limit."""
    require(request, "scheduling.view_appointment")
    clinic = organization(request)
    visit_type = referenced(
        "visit_type", lambda: access_visit_type(organization=clinic, public_id=search.visit_type)
    )
    start_date = search.start_date or clock.today(zone_of(clinic.timezone))
    check_search_day(start_date, "start_date")
    end_date = search.end_date or start_date + datetime.timedelta(days=DEFAULT_SEARCH_DAYS - 1)
    practitioner_ids = [practitioner_id(clinic, public_id) for public_id in search.practitioner]
    slots = slot_search(
        organization=clinic,
        visit_type=visit_type,
        start_date=start_date,
        end_date=end_date,
        practitioner_ids=practitioner_ids or None,
        specialty_id=specialty_id(clinic, search.specialty),
        location_id=location_id(clinic, search.location),
        language=search.language,
        time_of_day=_time_of_day(search),
        limit=search.limit,
        patient_id=_patient_id(clinic, actor(request), search.patient),
    )
    return _slot_views(clinic, visit_type, slots)


def _patient_id(clinic: Organization, user: User, public_id: uuid.UUID | None) -> int | None:
    if public_id is None:
        return None
    return _patient(clinic, user, public_id).pk


def _patient(clinic: Organization, user: User, public_id: uuid.UUID) -> Patient:
    return referenced(
        "patient", lambda: patient_reference(organization=clinic, actor=user, public_id=public_id)
    )


def _appointment(request: HttpRequest, appointment_id: uuid.UUID) -> Appointment:
    return access_appointment(
        organization=organization(request), actor=actor(request), public_id=appointment_id
    )


@router.get("/appointments", response={200: Page[AppointmentOut], **problems(404)})
def list_appointments(request: HttpRequest, search: Query[AppointmentSearch]):
    """Appointments matching every given filter, by start time."""
    require(request, "scheduling.view_appointment")
    check_search_window({"start_from": search.start_from, "start_before": search.start_before})
    clinic, user = organization(request), actor(request)
    query = AppointmentQuery(
        patient_id=_patient_id(clinic, user, search.patient),
        practitioner_id=practitioner_id(clinic, search.practitioner),
        location_id=location_id(clinic, search.location),
        start_from=search.start_from,
        start_before=search.start_before,
        statuses=tuple(search.status),
    )
    appointments, total = appointment_list(
        organization=clinic,
        actor=user,
        query=query,
        limit=search.limit,
        offset=search.offset,
        with_total=True,
    )
    return page_of(appointments, total, search)


@router.get("/appointments/{appointment_id}", response={200: AppointmentDetailOut, **problems(404)})
def read_appointment(request: HttpRequest, appointment_id: uuid.UUID):
    """One appointment with its history: every change, who made it, when and why."""
    require(request, "scheduling.view_appointment")
    return _appointment(request, appointment_id)


@router.post("/appointments", response={201: AppointmentOut, **problems(404, 409, 422)})
def book_appointment(request: HttpRequest, payload: AppointmentBookIn):
    """Book into a slot (or at an explicit time). A slot someone else just took is a 409."""
    require(request, "scheduling.add_appointment")
    clinic, user = organization(request), actor(request)
    patient, placement = _booking_references(clinic, user, payload)
    appointment = appointment_book(
        organization=clinic,
        actor=user,
        patient=patient,
        practitioner=placement.practitioner,
        location=placement.location,
        visit_type=placement.visit_type,
        start=placement.start,
        channel=BookingChannel.API,
        notes=payload.notes,
        overbook_reason=payload.overbook_reason,
    )
    return Status(201, appointment)


@router.post(
    "/appointments/{appointment_id}/reschedule",
    response={200: AppointmentOut, **problems(404, 409, 412, 422)},
)
def reschedule_appointment(
    request: HttpRequest, appointment_id: uuid.UUID, payload: AppointmentRescheduleIn
):
    """Move to another slot or time, optionally with another practitioner or location."""
    require(request, "scheduling.change_appointment")
    appointment = _appointment(request, appointment_id)
    placement = _placement(organization(request), payload, None)
    if placement.visit_type and placement.visit_type != appointment.visit_type:
        raise InvalidInput("slot: the slot is for another visit type", field="slot")
    return appointment_reschedule(
        appointment=appointment,
        actor=actor(request),
        start=placement.start,
        practitioner=placement.practitioner,
        location=placement.location,
        expected_version=payload.version,
        reason=payload.reason,
        overbook_reason=payload.overbook_reason,
    )


@router.post(
    "/appointments/{appointment_id}/cancel",
    response={200: AppointmentOut, **problems(404, 412, 422)},
)
def cancel_appointment(
    request: HttpRequest, appointment_id: uuid.UUID, payload: AppointmentCancelIn
):
    """Cancel, saying why and who asked; the time is free again at once."""
    require(request, "scheduling.change_appointment")
    return appointment_cancel(
        appointment=_appointment(request, appointment_id),
        actor=actor(request),
        reason=payload.reason,
        cancelled_by=payload.cancelled_by,
        expected_version=payload.version,
    )


@router.post(
    "/appointments/{appointment_id}/status",
    response={200: AppointmentOut, **problems(404, 412, 422)},
)
def change_appointment_status(
    request: HttpRequest, appointment_id: uuid.UUID, payload: AppointmentStatusIn
):
    """Move along the lifecycle: booked, arrived, checked-in, fulfilled, noshow,
    entered-in-error (cancelled needs a reason)."""
    require(request, "scheduling.change_appointment")
    return appointment_transition(
        appointment=_appointment(request, appointment_id),
        actor=actor(request),
        status=payload.status,
        expected_version=payload.version,
        reason=payload.reason,
    )


@router.put(
    "/appointments/{appointment_id}/notes",
    response={200: AppointmentOut, **problems(404, 412)},
)
def update_appointment_notes(
    request: HttpRequest, appointment_id: uuid.UUID, payload: AppointmentNotesIn
):
    require(request, "scheduling.change_appointment")
    return appointment_update_notes(
        appointment=_appointment(request, appointment_id),
        actor=actor(request),
        notes=payload.notes,
        expected_version=payload.version,
    )


@router.post(
    "/appointments/{appointment_id}/confirm",
    response={200: AppointmentOut, **problems(404, 412, 422)},
)
def confirm_appointment(
    request: HttpRequest, appointment_id: uuid.UUID, payload: AppointmentConfirmIn
):
    """Record that the patient will come (e.g. they said so on the phone). A visit already
    confirmed keeps its first confirmation."""
    require(request, "scheduling.change_appointment")
    return appointment_confirm(
        appointment=_appointment(request, appointment_id),
        via=payload.via,
        actor=actor(request),
        expected_version=payload.version,
    )


@router.post("/inbound/{reply_id}/resolve", response={200: InboundOut, **problems(404)})
def resolve_inbound(request: HttpRequest, reply_id: uuid.UUID):
    """Mark a patient's reply that needed a person as dealt with."""
    require(request, "scheduling.change_appointment")
    reply = access_reply(
        organization=organization(request), actor=actor(request), public_id=reply_id
    )
    return inbound_resolve(inbound=reply, actor=actor(request))
