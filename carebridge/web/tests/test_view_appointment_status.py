import datetime

import pytest
import time_machine

from carebridge.web.tests.conftest import BOSTON, MONDAY, at, book, htmx

pytestmark = pytest.mark.usefixtures("frozen_monday")


def mark(client, appointment, status, version=None):
    return client.post(
        f"/appointments/{appointment.public_id}/status/",
        {"status": status, "expected_version": version or appointment.version},
        **htmx(),
    )


DESK_VALUES = ("arrived", "checked-in", "fulfilled", "noshow")


def desk_buttons(client, appointment) -> set[str]:
    """The desk statuses the appointment's panel offers buttons for."""
    html = client.get(f"/appointments/{appointment.public_id}/").content.decode()
    return {status for status in DESK_VALUES if f'name="status" value="{status}"' in html}


def test_arrived_then_checked_in_then_fulfilled(
    coordinator_client, coordinator_a, clinic_a, patient_a
):
    appointment = book(clinic_a, patient_a, at(10, day=MONDAY))
    with time_machine.travel(datetime.datetime(2026, 3, 2, 10, 5, tzinfo=BOSTON), tick=False):
        coordinator_client.force_login(coordinator_a)  # the idle session ended meanwhile
        for status in ("arrived", "checked-in", "fulfilled"):
            response = mark(coordinator_client, appointment, status)
            appointment.refresh_from_db()
            assert response.status_code == 200 and appointment.status == status


def test_desk_buttons_offer_only_allowed_steps(
    coordinator_client, coordinator_a, clinic_a, patient_a
):
    appointment = book(clinic_a, patient_a, at(10, day=MONDAY))
    mark(coordinator_client, appointment, "arrived")
    assert desk_buttons(coordinator_client, appointment) == {"checked-in"}
    with time_machine.travel(at(10, day=MONDAY), tick=False):
        coordinator_client.force_login(coordinator_a)
        assert desk_buttons(coordinator_client, appointment) == {"checked-in", "fulfilled"}


def test_desk_buttons_wait_for_the_visits_day_and_start(
    coordinator_client, coordinator_a, clinic_a, patient_a
):
    appointment = book(clinic_a, patient_a, at(10))  # Tuesday; the clock stands on Monday
    assert desk_buttons(coordinator_client, appointment) == set()
    for moment, offered in [
        (at(0), {"arrived", "checked-in"}),  # Tuesday from midnight in Boston
        (at(10), set(DESK_VALUES)),
    ]:
        with time_machine.travel(moment, tick=False):
            coordinator_client.force_login(coordinator_a)  # the idle session ended meanwhile
            assert desk_buttons(coordinator_client, appointment) == offered


def test_no_show_before_the_visit_is_refused_with_the_reason(
    coordinator_client, clinic_a, patient_a
):
    appointment = book(clinic_a, patient_a, at(10))
    response = mark(coordinator_client, appointment, "noshow")
    appointment.refresh_from_db()
    assert response.status_code == 422
    assert "too early to mark the appointment as no-show" in response.content.decode()
    assert appointment.status == "booked"


def test_stale_page_gets_changed_by_someone_else(coordinator_client, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10, day=MONDAY))
    mark(coordinator_client, appointment, "arrived")
    response = mark(coordinator_client, appointment, "checked-in", version=1)
    assert response.status_code == 412
    assert "changed this appointment while you had it open" in response.content.decode()


def test_other_organizations_appointment_is_not_found(client, coordinator_b, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10, day=MONDAY))
    client.force_login(coordinator_b)
    assert mark(client, appointment, "arrived").status_code == 404


def test_a_second_arrived_from_a_stale_page_says_someone_else_changed_it(
    coordinator_client, clinic_a, patient_a
):
    # given two tabs open at version 1, the first marks the patient arrived
    appointment = book(clinic_a, patient_a, at(10, day=MONDAY))
    mark(coordinator_client, appointment, "arrived")
    # when the second, stale, does the same
    response = mark(coordinator_client, appointment, "arrived", version=1)
    html = response.content.decode()
    assert response.status_code == 412
    assert "changed this appointment while you had it open" in html
    assert "cannot go from" not in html
