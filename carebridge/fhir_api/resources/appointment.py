"""Appointment: the visit, with the patient, practitioner and location as participants.

Domain statuses are FHIR's own Appointment statuses, so they map one to one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from carebridge.fhir_api.references import split_reference
from carebridge.fhir_api.resources import (
    an_object,
    concept_code,
    expect_resource,
    invalid,
    meta,
    objects,
    parse_reference,
    reference_to,
    text,
)
from carebridge.fhir_api.resources.schedule import schedule_id
from carebridge.fhir_api.resources.slot import (
    VISIT_TYPE_SYSTEM,
    SlotKey,
    fhir_instant,
    slot_id,
    visit_type_concept,
)
from carebridge.scheduling.constants import ACTIVE_STATUSES, AppointmentStatus, CancelledBy
from carebridge.scheduling.models import Appointment

PARTICIPANT_TYPES = ("Patient", "Practitioner", "Location")
# The FHIR element each appointment service field comes from, to name it in errors.
APPOINTMENT_ELEMENTS = {
    "patient": "Appointment.participant",
    "practitioner": "Appointment.participant",
    "location": "Appointment.participant",
    "visit_type": "Appointment.serviceType",
    "start": "Appointment.start",
    "end": "Appointment.end",
    "status": "Appointment.status",
    "notes": "Appointment.comment",
    "reason": "Appointment.cancelationReason",
    "cancelled_by": "Appointment.cancelationReason",
    "version": "Appointment.meta.versionId",
}
CANCELLATION_REASON_SYSTEM = "http://terminology.hl7.org/CodeSystem/appointment-cancellation-reason"
WAITING_STATUSES = (AppointmentStatus.PROPOSED, AppointmentStatus.PENDING)
ATTENDED_STATUSES = (
    AppointmentStatus.ARRIVED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.FULFILLED,
)


def to_fhir_appointment(appointment: Appointment) -> dict:
    zone = ZoneInfo(appointment.location.timezone)
    resource: dict = {
        "resourceType": "Appointment",
        "id": str(appointment.public_id),
        "meta": meta(appointment),
        "status": appointment.status,
    }
    if appointment.cancellation_reason:
        resource["cancelationReason"] = _cancellation_concept(appointment)
    resource["serviceType"] = [visit_type_concept(appointment.visit_type)]
    resource["start"] = fhir_instant(appointment.start, zone)
    resource["end"] = fhir_instant(appointment.end, zone)
    resource["minutesDuration"] = appointment.visit_type.duration_minutes
    if appointment.status in ACTIVE_STATUSES:
        resource["slot"] = [reference_to("Slot", appointment_slot_id(appointment))]
    resource["created"] = appointment.created_at.isoformat(timespec="seconds")
    if appointment.notes:
        resource["comment"] = appointment.notes
    resource["participant"] = _participants(appointment)
    return resource


def _cancellation_concept(appointment: Appointment) -> dict:
    reason: dict = {"text": appointment.cancellation_reason}
    if appointment.cancelled_by == CancelledBy.PATIENT:
        reason["coding"] = [
            {"system": CANCELLATION_REASON_SYSTEM, "code": "pat", "display": "Patient"}
        ]
    return reason


def appointment_slot_id(appointment: Appointment) -> str:
    """The id of the Slot the appointment takes."""
    key = SlotKey(
        schedule_id=schedule_id(appointment.practitioner, appointment.location),
        visit_type_id=appointment.visit_type.public_id,
        start=appointment.start,
    )
    return slot_id(key)


def _participants(appointment: Appointment) -> list[dict]:
    status = "needs-action" if appointment.status in WAITING_STATUSES else "accepted"
    actors = [
        (reference_to("Patient", appointment.patient.public_id), _patient_status(appointment)),
        (
            reference_to(
                "Practitioner",
                appointment.practitioner.public_id,
                appointment.practitioner.display_name,
            ),
            status,
        ),
        (
            reference_to("Location", appointment.location.public_id, appointment.location.name),
            status,
        ),
    ]
    return [{"actor": actor, "required": "required", "status": status} for actor, status in actors]


def _patient_status(appointment: Appointment) -> str:
    """Whether the patient said they will come: accepted once they confirmed (or came),
    declined when they cancelled, needs-action while nobody has heard from them."""
    if appointment.confirmed_at is not None or appointment.status in ATTENDED_STATUSES:
        return "accepted"
    if appointment.cancelled_by == CancelledBy.PATIENT:
        return "declined"
    return "needs-action"


@dataclass(frozen=True)
class AppointmentInput:
    """What a client asked for. Ids are the public ids the references named.

    Either `slot_id` or `start` + practitioner + location + visit type say when and with whom.
    """

    status: str
    patient_id: str
    practitioner_id: str = ""
    location_id: str = ""
    slot_id: str = ""
    visit_type_code: str = ""
    start: datetime.datetime | None = None
    end: datetime.datetime | None = None
    notes: str = ""
    cancellation_reason: str = ""
    cancelled_by: str = CancelledBy.CLINIC


def parse_appointment(payload: dict) -> AppointmentInput:
    """Validate an Appointment resource; InvalidInput names the element at fault."""
    expect_resource(payload, "Appointment")
    actors = _participant_ids(payload)
    slot = _slot_id(payload)
    start = _instant(payload, "start")
    if not slot and not (start and actors.get("Practitioner") and actors.get("Location")):
        raise invalid(
            "Appointment.slot",
            "name a Slot, or give start with a Practitioner and a Location participant",
        )
    return AppointmentInput(
        status=_status(payload),
        patient_id=actors["Patient"],
        practitioner_id=actors.get("Practitioner", ""),
        location_id=actors.get("Location", ""),
        slot_id=slot,
        visit_type_code=_visit_type_code(payload),
        start=start,
        end=_instant(payload, "end"),
        notes=text(payload, "comment", "Appointment.comment"),
        cancellation_reason=_cancellation_reason(payload),
        cancelled_by=_cancelled_by(payload),
    )


def _status(payload: dict) -> str:
    status = text(payload, "status", "Appointment.status", required=True)
    if status not in AppointmentStatus.values:
        raise invalid(
            "Appointment.status",
            f"expected one of {', '.join(AppointmentStatus.values)}, got {status!r}",
        )
    return status


def _participant_ids(payload: dict) -> dict[str, str]:
    element = "Appointment.participant"
    found: dict[str, str] = {}
    for participant in objects(payload, "participant", element):
        actor = an_object(participant, "actor", f"{element}.actor")
        value = text(actor, "reference", f"{element}.actor.reference", required=True)
        kind, resource_id = split_reference(value)
        if kind not in PARTICIPANT_TYPES:
            raise invalid(element, f"{value!r} is not a {', '.join(PARTICIPANT_TYPES)} reference")
        if kind in found:
            raise invalid(element, f"more than one {kind}")
        found[kind] = resource_id
    if "Patient" not in found:
        raise invalid(element, "a Patient participant is required")
    return found


def _slot_id(payload: dict) -> str:
    slots = objects(payload, "slot", "Appointment.slot")
    if len(slots) > 1:
        raise invalid("Appointment.slot", "name at most one Slot")
    if not slots:
        return ""
    slot = parse_reference(slots[0], "Appointment.slot", "Slot")
    if not slot.id:
        raise invalid("Appointment.slot", "expected a Slot/<id> reference")
    return slot.id


def _instant(payload: dict, name: str) -> datetime.datetime | None:
    element = f"Appointment.{name}"
    value = text(payload, name, element)
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise invalid(element, f"{value!r} is not a FHIR instant") from error
    if moment.tzinfo is None:
        raise invalid(element, "an instant needs a time zone offset")
    return moment


def _visit_type_code(payload: dict) -> str:
    element = "Appointment.serviceType"
    concepts = objects(payload, "serviceType", element)
    for service_type in concepts:
        for coding in objects(service_type, "coding", f"{element}.coding"):
            if coding.get("system") in (None, VISIT_TYPE_SYSTEM):
                return text(coding, "code", f"{element}.coding.code", required=True)
    if concepts:
        raise invalid(element, f"no coding from {VISIT_TYPE_SYSTEM}")
    return ""


def _cancellation_reason(payload: dict) -> str:
    """The reason in words: the concept's text, else its first coding's display or code."""
    element = "Appointment.cancelationReason"
    reason = an_object(payload, "cancelationReason", element)
    if not reason:
        return ""
    return text(reason, "text", f"{element}.text") or concept_code(reason, element)[1]


def _cancelled_by(payload: dict) -> str:
    """The patient when a coding of the cancellation-reason code system says so (its
    patient codes are "pat" and "pat-..."); otherwise the clinic."""
    element = "Appointment.cancelationReason"
    reason = an_object(payload, "cancelationReason", element)
    for coding in objects(reason, "coding", f"{element}.coding"):
        code = text(coding, "code", f"{element}.coding.code")
        if coding.get("system") == CANCELLATION_REASON_SYSTEM and code.split("-")[0] == "pat":
            return CancelledBy.PATIENT
    return CancelledBy.CLINIC
