import pytest

from carebridge.scheduling.services.appointments import appointment_update_notes
from carebridge.web.tests.conftest import at, book, htmx

pytestmark = pytest.mark.usefixtures("frozen_monday")


def cancel(client, appointment, version=None, reason="Patient is travelling", **headers):
    return client.post(
        f"/appointments/{appointment.public_id}/cancel/",
        {
            "cancel-expected_version": version or appointment.version,
            "cancel-reason": reason,
            "cancel-cancelled_by": "patient",
        },
        **headers,
    )


def test_cancel_records_who_and_why(coordinator_client, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    response = cancel(coordinator_client, appointment, **htmx())
    appointment.refresh_from_db()
    assert response.status_code == 200 and response["HX-Trigger"] == "board-changed"
    assert appointment.status == "cancelled"
    assert appointment.cancelled_by == "patient"
    assert appointment.cancellation_reason == "Patient is travelling"


def test_plain_form_post_redirects_to_the_appointment(coordinator_client, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    response = cancel(coordinator_client, appointment)
    assert response.status_code == 302
    assert response.url == f"/appointments/{appointment.public_id}/"


def test_stale_page_gets_changed_by_someone_else(coordinator_client, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    shown_version = appointment.version
    appointment_update_notes(appointment=appointment, actor=None, notes="Called ahead")
    response = cancel(coordinator_client, appointment, version=shown_version, **htmx())
    appointment.refresh_from_db()
    assert response.status_code == 412
    assert "changed this appointment while you had it open" in response.content.decode()
    assert "Called ahead" in response.content.decode()
    assert appointment.status == "booked"


def test_missing_reason_is_shown_next_to_the_field(coordinator_client, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    response = cancel(coordinator_client, appointment, reason="", **htmx())
    assert response.status_code == 400
    assert 'id="id_cancel-reason_error"' in response.content.decode()


def test_other_organizations_appointment_is_not_found(client, coordinator_b, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    client.force_login(coordinator_b)
    assert cancel(client, appointment).status_code == 404
    appointment.refresh_from_db()
    assert appointment.status == "booked"
