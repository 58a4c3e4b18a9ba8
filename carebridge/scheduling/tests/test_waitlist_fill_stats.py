"""Fill rate and time to fill of freed slots over a period, for the metrics page."""

import datetime

import pytest

from carebridge.scheduling.models import BackfillSlot
from carebridge.scheduling.tests.messaging import NOW, VISIT, book, reachable_patient
from carebridge.scheduling.tests.waitlisting import freed_slot as slot
from carebridge.scheduling.waitlist_selectors import (
    backfill_slot_rows,
    fill_stats_of,
    waitlist_fill_stats,
)

START = datetime.datetime(2026, 11, 2, tzinfo=datetime.UTC)
END = START + datetime.timedelta(days=7)


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def week(clinic_a, clinic_b):
    day = datetime.timedelta(days=1)
    slot(clinic_a, START, "filled", 10)
    slot(clinic_a, START + day, "filled", 40)
    slot(clinic_a, START + 2 * day, "filled", 70)
    slot(clinic_a, START + 3 * day, "expired")
    slot(clinic_a, START + 4 * day, "open")
    slot(clinic_a, END, "filled", 5)  # the next period
    slot(clinic_a, START - day, "expired")  # the period before
    slot(clinic_b, START + day, "expired")  # another clinic


def test_counts_rate_and_times_of_the_period_only(week, clinic_a):
    stats = waitlist_fill_stats(organization=clinic_a.organization, start=START, end=END)

    assert (stats.freed, stats.filled, stats.expired, stats.open) == (5, 3, 1, 1)
    assert stats.fill_rate == 3 / 4  # slots still being offered are not decided yet
    assert stats.median_time_to_fill == datetime.timedelta(minutes=40)
    assert stats.mean_time_to_fill == datetime.timedelta(minutes=40)


def test_by_practitioner_and_location(week, clinic_a, clinic_b):
    by_other = waitlist_fill_stats(
        organization=clinic_a.organization,
        start=START,
        end=END,
        practitioner_id=clinic_b.practitioner.pk,
    )
    here = waitlist_fill_stats(
        organization=clinic_a.organization, start=START, end=END, location_id=clinic_a.location.pk
    )

    assert by_other.freed == 0 and by_other.fill_rate is None
    assert by_other.median_time_to_fill is None
    assert here.freed == 5


def test_by_the_visit_type_that_freed_the_slot(clinic_a):
    patient = reachable_patient(clinic_a.organization)
    freed_by = book(clinic_a, patient, VISIT)
    counted = slot(clinic_a, START, "filled", 20)
    BackfillSlot.objects.filter(pk=counted.pk).update(freed_by=freed_by)
    slot(clinic_a, START, "expired")

    stats = waitlist_fill_stats(
        organization=clinic_a.organization,
        start=START,
        end=END,
        visit_type_id=clinic_a.visit_type.pk,
    )

    assert (stats.freed, stats.filled, stats.fill_rate) == (1, 1, 1.0)


def test_rows_carry_what_the_metrics_page_groups_by(clinic_a):
    freed_by = book(clinic_a, reachable_patient(clinic_a.organization), VISIT)
    filled = slot(clinic_a, START, "filled", 15)
    BackfillSlot.objects.filter(pk=filled.pk).update(freed_by=freed_by)

    [row] = backfill_slot_rows(organization=clinic_a.organization, start=START, end=END)

    assert row == {
        "start": filled.start,
        "practitioner_id": clinic_a.practitioner.pk,
        "location_id": clinic_a.location.pk,
        "visit_type_id": clinic_a.visit_type.pk,
        "status": "filled",
        "freed_at": START,
        "filled_at": START + datetime.timedelta(minutes=15),
    }
    assert fill_stats_of([row]).median_time_to_fill == datetime.timedelta(minutes=15)
