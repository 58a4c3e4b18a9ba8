"""Confirming a visit that changed meanwhile answers like the panel's other actions."""

import pytest

from carebridge.scheduling.services.appointments import appointment_cancel, appointment_reschedule
from carebridge.web.tests.conftest import at, book, htmx

pytestmark = pytest.mark.usefixtures("frozen_monday")


def test_a_visit_cancelled_in_another_tab_gets_the_fresh_panel_and_the_reason(
    coordinator_client, clinic_a, patient_a
):
    # given a panel drawn while the visit was booked, then cancelled elsewhere
    appointment = book(clinic_a, patient_a, at(10))
    drawn = {"expected_version": appointment.version}
    appointment_cancel(appointment=appointment, actor=None, reason="Patient called, sick")

    # when
    response = coordinator_client.post(
        f"/appointments/{appointment.public_id}/confirm/", drawn, **htmx()
    )

    # then
    html = response.content.decode()
    appointment.refresh_from_db()
    assert response.status_code == 422 and "HX-Trigger" not in response
    assert 'data-status="cancelled"' in html and "Patient called, sick" in html
    assert '<p class="form-error" role="alert">a cancelled appointment cannot be confirmed' in html
    assert "Patient confirmed by phone" not in html
    assert appointment.confirmed_at is None


def test_without_javascript_the_refusal_is_the_appointment_page(
    coordinator_client, clinic_a, patient_a
):
    appointment = book(clinic_a, patient_a, at(10))
    drawn = {"expected_version": appointment.version}
    appointment_cancel(appointment=appointment, actor=None, reason="Patient called, sick")

    response = coordinator_client.post(f"/appointments/{appointment.public_id}/confirm/", drawn)

    html = response.content.decode()
    assert response.status_code == 422
    assert 'class="mainnav"' in html and "a cancelled appointment cannot be confirmed" in html


def test_a_visit_moved_in_another_tab_is_not_confirmed_at_its_new_time(
    coordinator_client, clinic_a, patient_a
):
    # given a panel drawn at 10:00; the visit was moved to 11:00 since
    appointment = book(clinic_a, patient_a, at(10))
    drawn = {"expected_version": appointment.version}
    appointment_reschedule(appointment=appointment, actor=None, start=at(11))

    # when the patient on the phone confirms the time the panel showed
    response = coordinator_client.post(
        f"/appointments/{appointment.public_id}/confirm/", drawn, **htmx()
    )

    # then the panel shows the visit as it is now, unconfirmed
    appointment.refresh_from_db()
    assert response.status_code == 412
    assert "Someone else changed this appointment" in response.content.decode()
    assert appointment.confirmed_at is None
