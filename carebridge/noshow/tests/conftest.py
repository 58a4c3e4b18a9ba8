"""Helpers for the no-show tests: visits in March 2026 in Boston, made through the services."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from carebridge.patients.services import patient_update
from carebridge.scheduling.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_transition,
)

BOSTON = ZoneInfo("America/New_York")


def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    """A moment in March 2026 on the Boston wall clock."""
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=BOSTON)


def visit(clinic, patient, start, *, booked_at, outcome=None, cancel_at=None, **kwargs):
    """Book a visit as of `booked_at`, then give it its outcome: "noshow" or "fulfilled"
    after it started, or a cancellation by the patient at `cancel_at`."""
    with time_machine.travel(booked_at, tick=False):
        appointment = appointment_book(
            organization=clinic.organization,
            actor=None,
            patient=patient,
            practitioner=clinic.practitioner,
            location=clinic.location,
            visit_type=kwargs.pop("visit_type", clinic.visit_type),
            start=start,
            booked_at=booked_at,
            **kwargs,
        )
    if cancel_at is not None:
        with time_machine.travel(cancel_at, tick=False):
            return appointment_cancel(
                appointment=appointment, actor=None, reason="Work", cancelled_by="patient"
            )
    if outcome is not None:
        with time_machine.travel(start + datetime.timedelta(hours=1), tick=False):
            return appointment_transition(appointment=appointment, actor=None, status=outcome)
    return appointment


@pytest.fixture
def texting_patient(patient_a):
    """patient_a, who may be texted (reminders go by SMS to +16175550101)."""
    return patient_update(patient=patient_a, actor=None, fields={"consent_sms": True})


@pytest.fixture
def sms_outbox(settings, tmp_path):
    """Text messages go to files under a temporary directory."""
    settings.SMS_GATEWAY = "file"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    return settings.SMS_FILE_PATH
