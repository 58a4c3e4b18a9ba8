import pytest

from carebridge.web.tests.conftest import at, book, htmx

pytestmark = pytest.mark.usefixtures("frozen_monday")


def test_the_panel_says_whether_the_patient_confirmed(coordinator_client, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    panel = coordinator_client.get(f"/appointments/{appointment.public_id}/").content.decode()
    assert "<dt>Confirmed</dt><dd>Not yet</dd>" in panel
    assert "Patient confirmed by phone" in panel

    response = coordinator_client.post(
        f"/appointments/{appointment.public_id}/confirm/", {"expected_version": 1}, **htmx()
    )

    html = response.content.decode()
    assert response.status_code == 200 and response["HX-Trigger"] == "board-changed"
    assert "<dt>Confirmed</dt><dd>Mar 2, 8:00 AM" in html and "(phone call)" in html
    assert "Patient confirmed by phone" not in html


def test_another_clinics_visit_cannot_be_confirmed(client, coordinator_b, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    client.force_login(coordinator_b)
    response = client.post(
        f"/appointments/{appointment.public_id}/confirm/", {"expected_version": 1}
    )
    appointment.refresh_from_db()
    assert response.status_code == 404 and appointment.confirmed_at is None
