import datetime

import pytest

from carebridge.directory.services import (
    location_create,
    practitioner_create,
    practitioner_role_create,
)
from carebridge.patients.services import patient_create
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.web.tests.conftest import TUESDAY, at, book, htmx

pytestmark = pytest.mark.usefixtures("frozen_monday")


def board_url(clinic, day=TUESDAY):
    return f"/?location={clinic.location.public_id}&date={day.isoformat()}"


def test_board_shows_practitioner_columns_and_appointments(coordinator_client, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    response = coordinator_client.get(board_url(clinic_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dr. Ana Okafor" in html
    assert f'data-appointment="{appointment.public_id}"' in html
    assert "10:00\u201310:30 AM" in html
    assert "times in America/New_York" in html


def test_free_time_opens_a_prefilled_booking_form(coordinator_client, clinic_a):
    html = coordinator_client.get(board_url(clinic_a)).content.decode()
    assert "start=2026-03-03T09:00" in html
    assert "start=2026-03-03T12:00" not in html  # the lunch break is not bookable


def test_board_defaults_to_today_at_the_first_location(coordinator_client, clinic_a):
    response = coordinator_client.get("/")
    assert response.status_code == 200
    assert "Monday, March 2" in response.content.decode()


def test_cancelled_visits_leave_the_grid_and_are_listed(coordinator_client, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    appointment_cancel(appointment=appointment, actor=None, reason="Feels better")
    html = coordinator_client.get(board_url(clinic_a)).content.decode()
    assert f'data-appointment="{appointment.public_id}"' not in html
    assert "Cancelled and no-shows" in html


def test_public_holiday_is_shaded_closed(coordinator_client, clinic_a):
    memorial_day = datetime.date(2026, 5, 25)
    html = coordinator_client.get(board_url(clinic_a, memorial_day)).content.decode()
    assert "Closed: Memorial Day" in html
    assert "cell free" not in html


def test_htmx_refresh_renders_only_the_board(coordinator_client, clinic_a):
    response = coordinator_client.get(board_url(clinic_a), **htmx())
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="board"')
    assert "<html" not in html


def test_malformed_date_is_a_clear_400(coordinator_client, clinic_a):
    response = coordinator_client.get(f"/?location={clinic_a.location.public_id}&date=someday")
    assert response.status_code == 400
    assert "date: &#x27;someday&#x27; is not a date" in response.content.decode()


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_a_day_in_a_mistyped_year_is_a_clear_400(coordinator_client, clinic_a, day):
    response = coordinator_client.get(f"/?location={clinic_a.location.public_id}&date={day}")

    assert response.status_code == 400
    assert "date: must be from 1900-01-01 to" in response.content.decode()


def test_anonymous_is_sent_to_login(client, clinic_a):
    response = client.get(board_url(clinic_a))
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_other_organizations_location_is_not_found(coordinator_client, clinic_a, clinic_b):
    assert coordinator_client.get(board_url(clinic_b)).status_code == 404


def _busy_day(clinic, count: int) -> None:
    """`count` more practitioners at the location, each with a visit at 10:00 (doubled up on
    purpose: they have no working hours, which is what makes the board work hard)."""
    for n in range(count):
        practitioner = practitioner_create(
            organization=clinic.organization,
            given_name=f"Sam{n}",
            family_name="Lee",
            specialties=[clinic.specialty],
        )
        practitioner_role_create(
            practitioner=practitioner, location=clinic.location, specialty=clinic.specialty
        )
        patient = patient_create(
            organization=clinic.organization,
            actor=None,
            fields={
                "given_name": f"P{n}",
                "family_name": "Busy",
                "birth_date": datetime.date(1970, 1, 1),
            },
        )
        book(clinic, patient, at(10), practitioner=practitioner, overbook_reason="Urgent")


def test_board_query_count_does_not_grow_with_visits(
    coordinator_client, clinic_a, django_assert_max_num_queries
):
    _busy_day(clinic_a, 6)
    location_create(organization=clinic_a.organization, name="Annex", timezone="America/New_York")
    with django_assert_max_num_queries(29):
        response = coordinator_client.get(board_url(clinic_a))
    assert response.content.decode().count('class="visit ') == 6
