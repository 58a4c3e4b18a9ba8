"""Time off typed with a date at the end of the calendar, or with a time the clocks skip:
refused at the field that holds it, never a crash or a nameless constraint."""

import pytest

from carebridge.scheduling.models import AvailabilityException
from carebridge.scheduling.tests.messaging import NOW

YEAR_AHEAD = "more than 5 years ahead; check the year"


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def staff(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def post_time_off(staff, clinic, **changes):
    return staff.post(
        "/schedule/time-off/",
        {
            "practitioner": str(clinic.practitioner.public_id),
            "kind": "unavailable",
            "location": str(clinic.location.public_id),
            "start_date": "2026-12-10",
            **changes,
        },
    )


def refused_at(response) -> dict[str, str]:
    assert response.status_code == 400
    assert not AvailabilityException.objects.exists()
    return {field: " ".join(errors) for field, errors in response.context["form"].errors.items()}


@pytest.mark.parametrize(
    ("changes", "fields"),
    [
        ({"start_date": "9999-12-31"}, {"start_date"}),
        ({"start_date": "9999-12-31", "start_time": "09:00", "end_time": "10:00"}, {"start_date"}),
        ({"start_date": "9999-12-30", "end_date": "9999-12-31"}, {"start_date", "end_date"}),
        ({"end_date": "9999-12-31"}, {"end_date"}),
    ],
)
def test_a_date_at_the_end_of_the_calendar_is_a_mistyped_year(staff, clinic_a, changes, fields):
    errors = refused_at(post_time_off(staff, clinic_a, **changes))

    assert set(errors) == fields
    assert all(YEAR_AHEAD in errors[field] for field in fields)


@pytest.mark.parametrize(
    ("start", "end", "field", "time"),
    [
        ("02:30", "03:30", "start_time", "02:30"),
        ("01:00", "02:15", "end_time", "02:15"),
    ],
)
def test_a_time_the_clocks_skip_is_refused_at_its_field(staff, clinic_a, start, end, field, time):
    """2027-03-14 is the spring-forward night in New York: 02:00 to 03:00 never shows."""
    errors = refused_at(
        post_time_off(staff, clinic_a, start_date="2027-03-14", start_time=start, end_time=end)
    )

    assert errors == {
        field: f"{time} does not exist on 2027-03-14 in America/New_York: clocks move forward"
    }


def test_time_off_around_the_skipped_hour_is_recorded_as_typed(staff, clinic_a):
    response = post_time_off(
        staff, clinic_a, start_date="2027-03-14", start_time="01:30", end_time="03:30"
    )

    entry = AvailabilityException.objects.get()
    assert response.status_code == 302
    # one real hour: 01:30 EST to 03:30 EDT
    assert (entry.end - entry.start).total_seconds() == 3600


def test_a_repeated_time_is_taken_the_first_time_it_shows(staff, clinic_a):
    """2027-11-07 is the fall-back night in New York: 01:00 to 02:00 shows twice."""
    response = post_time_off(
        staff, clinic_a, start_date="2027-11-07", start_time="01:30", end_time="02:30"
    )

    entry = AvailabilityException.objects.get()
    assert response.status_code == 302
    # 01:30 EDT to 02:30 EST
    assert (entry.end - entry.start).total_seconds() == 2 * 3600


def test_an_end_before_the_start_is_refused_at_the_end(staff, clinic_a):
    errors = refused_at(
        post_time_off(
            staff, clinic_a, start_date="2027-03-14", start_time="04:00", end_time="01:30"
        )
    )

    assert "must be after" in errors["end_time"]


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("9999-12-31T00:00:00-05:00", "9999-12-31T23:59:59-05:00"),
        ("9999-12-31T23:00:00+00:00", "9999-12-31T23:59:59.999999+00:00"),
        ("9999-12-31T23:00:00+14:00", "9999-12-31T23:30:00+14:00"),
    ],
)
def test_the_api_refuses_the_last_day_of_the_calendar_as_a_mistyped_year(
    api_a, clinic_a, start, end
):
    response = api_a.post(
        "/time-off",
        {"practitioner": str(clinic_a.practitioner.public_id), "start": start, "end": end},
    )

    assert response.status_code == 400, response.content
    assert {problem["field"] for problem in response.json()["errors"]} == {"start", "end"}
    assert not AvailabilityException.objects.exists()
