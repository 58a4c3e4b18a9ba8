"""The day board offers a free cell only where the chosen visit type can start: a row inside
free time from which the visit would run into a break, the next visit or closing is not
bookable."""

import re

import pytest
from django.db import transaction

from carebridge.scheduling.services.appointments import appointment_book
from carebridge.scheduling.services.setup import visit_type_create
from carebridge.web.tests.conftest import TUESDAY, at, book

pytestmark = pytest.mark.usefixtures("frozen_monday")


@pytest.fixture
def twenty_minute_visit(clinic_a):
    return visit_type_create(
        organization=clinic_a.organization, name="Check-in", code="check-in", duration_minutes=20
    )


def offered_starts(client, clinic, visit_type) -> list[str]:
    """The local start times of the board's free cells on Tuesday, like '11:30'."""
    html = client.get(
        f"/?location={clinic.location.public_id}&date={TUESDAY.isoformat()}"
        f"&visit_type={visit_type.public_id}"
    ).content.decode()
    return re.findall(rf"start={TUESDAY.isoformat()}T(\d\d:\d\d)", html)


def test_a_visit_that_would_run_into_lunch_or_closing_is_not_offered(
    coordinator_client, clinic_a, twenty_minute_visit
):
    # when
    starts = offered_starts(coordinator_client, clinic_a, twenty_minute_visit)

    # then: 11:45 would end at 12:05, in the lunch break; 16:45 after closing at 17:00
    assert {"11:30", "16:30"} <= set(starts)
    assert not {"11:45", "16:45"} & set(starts)


def test_a_visit_that_would_run_into_the_next_visit_is_not_offered(
    coordinator_client, clinic_a, patient_a
):
    # given a 30-minute visit at 10:00
    book(clinic_a, patient_a, at(10))

    # when
    starts = offered_starts(coordinator_client, clinic_a, clinic_a.visit_type)

    # then
    assert "09:30" in starts
    assert "09:45" not in starts


def test_every_offered_start_can_be_booked(
    coordinator_client, clinic_a, patient_a, twenty_minute_visit
):
    starts = offered_starts(coordinator_client, clinic_a, twenty_minute_visit)
    assert starts

    for start in starts:
        hour, minute = map(int, start.split(":"))
        with transaction.atomic():
            appointment_book(
                organization=clinic_a.organization,
                actor=None,
                patient=patient_a,
                practitioner=clinic_a.practitioner,
                location=clinic_a.location,
                visit_type=twenty_minute_visit,
                start=at(hour, minute),
            )
            transaction.set_rollback(True)
