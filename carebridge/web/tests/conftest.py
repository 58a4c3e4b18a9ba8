"""Shared helpers for the web UI tests: a frozen Monday in Boston and a signed-in coordinator."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from carebridge.scheduling.services.appointments import appointment_book

BOSTON = ZoneInfo("America/New_York")
MONDAY = datetime.date(2026, 3, 2)
TUESDAY = datetime.date(2026, 3, 3)


@pytest.fixture
def frozen_monday():
    """Monday 2 March 2026, 08:00 in Boston: before the practitioner's first hour."""
    with time_machine.travel(datetime.datetime(2026, 3, 2, 8, tzinfo=BOSTON), tick=False):
        yield


def at(hour: int, minute: int = 0, day: datetime.date = TUESDAY) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BOSTON)


def book(clinic, patient, start, **kwargs):
    return appointment_book(
        organization=clinic.organization,
        actor=None,
        patient=patient,
        practitioner=kwargs.pop("practitioner", clinic.practitioner),
        location=clinic.location,
        visit_type=clinic.visit_type,
        start=start,
        **kwargs,
    )


@pytest.fixture
def coordinator_client(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def htmx(**headers) -> dict:
    return {"HTTP_HX_REQUEST": "true", **headers}
