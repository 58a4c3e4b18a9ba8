import pytest

from carebridge.scheduling.services.appointments import appointment_reschedule
from carebridge.web.tests.conftest import at, book, htmx

pytestmark = pytest.mark.usefixtures("frozen_monday")


def test_details_show_patient_time_status_and_history(coordinator_client, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    appointment_reschedule(appointment=appointment, actor=None, start=at(11), reason="Bus late")
    response = coordinator_client.get(f"/appointments/{appointment.public_id}/")
    html = response.content.decode()
    assert response.status_code == 200
    assert "José Álvarez" in html
    assert "Tue, Mar 3, 2026 · 11:00 AM" in html and "11:30 AM EST" in html
    assert "Mar 03, 10:00 AM EST → Mar 03, 11:00 AM EST" in html
    assert "practitioner id" not in html.lower()


def test_htmx_request_gets_the_panel_only(coordinator_client, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    response = coordinator_client.get(f"/appointments/{appointment.public_id}/", **htmx())
    html = response.content.decode()
    assert 'id="appointment-panel"' in html and "<html" not in html


def test_board_link_opens_the_panel_beside_the_board(coordinator_client, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    response = coordinator_client.get(
        f"/?location={clinic_a.location.public_id}&date=2026-03-03&appointment={appointment.public_id}"
    )
    assert 'id="appointment-panel"' in response.content.decode()


def test_anonymous_is_sent_to_login(client, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    response = client.get(f"/appointments/{appointment.public_id}/")
    assert response.status_code == 302


def test_other_organizations_appointment_is_not_found(coordinator_b, client, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    client.force_login(coordinator_b)
    assert client.get(f"/appointments/{appointment.public_id}/").status_code == 404
