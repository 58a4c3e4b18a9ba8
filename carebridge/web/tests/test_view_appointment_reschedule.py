import pytest

from carebridge.web.tests.conftest import at, book, htmx

pytestmark = pytest.mark.usefixtures("frozen_monday")


def move(client, appointment, clinic, start, version=None):
    return client.post(
        f"/appointments/{appointment.public_id}/reschedule/",
        {
            "reschedule-expected_version": version or appointment.version,
            "reschedule-start": start,
            "reschedule-practitioner": str(clinic.practitioner.public_id),
            "reschedule-reason": "Patient asked for later",
        },
        **htmx(),
    )


def test_reschedule_moves_the_visit_in_local_time(coordinator_client, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    response = move(coordinator_client, appointment, clinic_a, "2026-03-03T15:30")
    appointment.refresh_from_db()
    assert response.status_code == 200
    assert appointment.start == at(15, 30)


def test_taken_time_keeps_what_was_typed(coordinator_client, clinic_a, patient_a, patient_b):
    appointment = book(clinic_a, patient_a, at(10))
    response = move(coordinator_client, appointment, clinic_a, "2026-03-03T12:30")
    html = response.content.decode()
    assert response.status_code == 422
    assert 'value="2026-03-03T12:30"' in html and "Patient asked for later" in html


def test_other_organizations_appointment_is_not_found(client, coordinator_b, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    client.force_login(coordinator_b)
    assert move(client, appointment, clinic_a, "2026-03-03T15:30").status_code == 404
