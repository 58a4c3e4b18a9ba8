"""Weekly hours at locations in different time zones clash when they overlap in real time,
not when their wall clocks do."""

import datetime

import pytest

from carebridge.core.errors import InvalidInput
from carebridge.directory.services import location_create
from carebridge.scheduling.models import AvailabilityRule
from carebridge.scheduling.services.weekly_hours import weekly_hours_add
from carebridge.scheduling.tests.messaging import NOW

THURSDAY, SUNDAY, MONDAY, TUESDAY = 3, 6, 0, 1


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


def located(clinic, zone: str):
    return location_create(organization=clinic.organization, name=zone, timezone=zone)


def add(clinic, location, weekday: int, start: int, end: int) -> list[AvailabilityRule]:
    """Hours from `start` to `end` o'clock; the practitioner works 09:00-17:00 on weekdays
    at the New York location."""
    return weekly_hours_add(
        practitioner=clinic.practitioner,
        location=location,
        weekdays=[weekday],
        start_time=datetime.time(start),
        end_time=datetime.time(end),
    )


@pytest.mark.parametrize(
    ("zone", "weekday", "start", "end", "clash"),
    [
        # 08:00-09:00 Chicago is 09:00-10:00 in New York, all year
        ("America/Chicago", THURSDAY, 8, 9, "Thursdays 09:00\u201317:00"),
        # 00:00-01:00 Tuesday in Tokyo is Monday 10:00 or 11:00 in New York
        ("Asia/Tokyo", TUESDAY, 0, 1, "Mondays 09:00\u201317:00"),
        # 06:00-07:00 in Phoenix, which keeps no summer time, is 08:00 in New York's winter
        # and 09:00 in its summer
        ("America/Phoenix", THURSDAY, 6, 7, "Thursdays 09:00\u201317:00"),
    ],
)
def test_hours_overlapping_in_real_time_clash(clinic_a, zone, weekday, start, end, clash):
    with pytest.raises(InvalidInput) as refused:
        add(clinic_a, located(clinic_a, zone), weekday, start, end)

    assert refused.value.field == "start_time"
    assert f"works at Clinic A Main on {clash}" in refused.value.message


def test_hours_late_on_sunday_in_new_york_clash_with_monday_in_tokyo(clinic_a):
    add(clinic_a, clinic_a.location, SUNDAY, 9, 17)

    with pytest.raises(InvalidInput) as refused:
        # Monday 00:00-01:00 in Tokyo is Sunday 10:00-11:00 in New York
        add(clinic_a, located(clinic_a, "Asia/Tokyo"), MONDAY, 0, 1)

    assert "on Sundays 09:00\u201317:00" in refused.value.message


@pytest.mark.parametrize(
    ("zone", "start", "end"),
    [
        # 16:00-18:00 Chicago is 17:00-19:00 in New York: after the hours there
        ("America/Chicago", 16, 18),
        # 07:00-08:00 Chicago is 08:00-09:00 in New York: before them
        ("America/Chicago", 7, 8),
        # 08:00-10:00 in Tokyo is 18:00 or later in New York the evening before
        ("Asia/Tokyo", 8, 10),
    ],
)
def test_hours_apart_in_real_time_do_not_clash(clinic_a, zone, start, end):
    added = add(clinic_a, located(clinic_a, zone), THURSDAY, start, end)

    assert [(rule.start_time.hour, rule.end_time.hour) for rule in added] == [(start, end)]
