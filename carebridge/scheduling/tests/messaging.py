"""Helpers for tests of what patients receive: a reachable patient, a booking at a known
time, the visit's outbox rows, delivery through the file gateways, and the reminder sweep."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

import time_machine

from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.services.delivery import outbox_drain
from carebridge.patients.models import Patient
from carebridge.patients.services import patient_create
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.services.appointments import appointment_book
from carebridge.scheduling.services.reminders import reminders_queue_due_all
from carebridge.scheduling.services.waitlist import waitlist_add
from carebridge.scheduling.waitlist_models import WaitlistEntry

NEW_YORK = ZoneInfo("America/New_York")
# Monday 30 November 2026, 07:00 in Boston.
NOW = datetime.datetime(2026, 11, 30, 12, 0, tzinfo=datetime.UTC)
# Thursday 10 December 2026, 10:00 in Boston.
VISIT = datetime.datetime(2026, 12, 10, 10, 0, tzinfo=NEW_YORK)


def reachable_patient(organization, *, mrn: str = "M-1", **fields) -> Patient:
    """A patient who consents to texts and email, prefers texts, speaks English."""
    return patient_create(
        organization=organization,
        actor=None,
        fields={
            "given_name": "Rosa",
            "family_name": "Diaz",
            "birth_date": datetime.date(1975, 3, 9),
            "phone_mobile": "+1 617 555 0199",
            "email": "rosa@example.org",
            "preferred_language": "en",
            "preferred_channel": "sms",
            "consent_sms": True,
            "consent_email": True,
            "mrn": mrn,
            **fields,
        },
    )


def records_to_merge(organization) -> tuple[Patient, Patient]:
    """A duplicate and the record to keep: the kept one has no email and no home phone,
    the duplicate another mobile number."""
    keep = reachable_patient(organization, mrn="K-1", email="", consent_email=False)
    duplicate = reachable_patient(
        organization,
        mrn="D-1",
        phone_mobile="+1 617 555 0177",
        phone_home="+1 617 555 0144",
        email="rosa@old.example",
    )
    return duplicate, keep


def waiting(clinic, *patients: Patient) -> list[WaitlistEntry]:
    """Each patient on the waitlist for the clinic's visit type, in that order."""
    return [
        waitlist_add(
            organization=clinic.organization,
            actor=None,
            patient=patient,
            visit_type=clinic.visit_type,
        )
        for patient in patients
    ]


def book(
    clinic, patient: Patient, start: datetime.datetime = VISIT, practitioner=None, **extra
) -> Appointment:
    return appointment_book(
        organization=clinic.organization,
        actor=None,
        patient=patient,
        practitioner=practitioner or clinic.practitioner,
        location=clinic.location,
        visit_type=clinic.visit_type,
        start=start,
        **extra,
    )


def messages_about(appointment: Appointment, **filters) -> list[OutboundMessage]:
    return list(
        OutboundMessage.objects.filter(
            topic_type="appointment", topic_id=str(appointment.public_id), **filters
        ).order_by("due_at", "pk")
    )


def use_file_gateways(settings, tmp_path) -> None:
    settings.SMS_GATEWAY = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.SMS_FROM = "+16175550000"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def deliver_due() -> None:
    outbox_drain(worker="test-worker", max_seconds=30)


def sweep(at: datetime.datetime) -> int:
    """The scheduler's reminder sweep as it runs at `at`; returns how many it queued."""
    with time_machine.travel(at, tick=False):
        return reminders_queue_due_all()
