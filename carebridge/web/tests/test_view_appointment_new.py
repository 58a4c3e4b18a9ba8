import pytest

from carebridge.scheduling.models import Appointment
from carebridge.web.tests.conftest import at, book, htmx

pytestmark = pytest.mark.usefixtures("frozen_monday")


def booking(clinic, patient, start="2026-03-03T10:00", **extra):
    return {
        "patient": str(patient.public_id),
        "visit_type": str(clinic.visit_type.public_id),
        "practitioner": str(clinic.practitioner.public_id),
        "location": str(clinic.location.public_id),
        "start": start,
        "notes": "Bring glucose log",
        **extra,
    }


def test_form_is_prefilled_from_the_board(coordinator_client, clinic_a, patient_a):
    response = coordinator_client.get(
        f"/appointments/new/?start=2026-03-03T10:15&practitioner={clinic_a.practitioner.public_id}"
        f"&patient={patient_a.public_id}",
        **htmx(),
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'value="2026-03-03T10:15"' in html
    assert f'value="{patient_a.public_id}" checked' in html


def test_booking_uses_the_locations_wall_clock(coordinator_client, clinic_a, patient_a):
    response = coordinator_client.post("/appointments/new/", booking(clinic_a, patient_a))
    appointment = Appointment.objects.get()
    assert appointment.start == at(10)
    assert appointment.notes == "Bring glucose log"
    assert response.status_code == 302
    assert f"appointment={appointment.public_id}" in response.url


def test_htmx_booking_answers_with_the_panel_and_redraws_the_board(
    coordinator_client, clinic_a, patient_a
):
    response = coordinator_client.post("/appointments/new/", booking(clinic_a, patient_a), **htmx())
    assert response.status_code == 200
    assert response["HX-Trigger"] == "board-changed"
    assert "Booked José Álvarez." in response.content.decode()


def test_taken_slot_is_explained_and_the_typing_is_kept(
    coordinator_client, clinic_a, patient_a, patient_b
):
    book(clinic_a, patient_a, at(10))
    other = booking(clinic_a, patient_a, notes="Second try")
    response = coordinator_client.post("/appointments/new/", other, **htmx())
    html = response.content.decode()
    assert response.status_code == 409
    assert "Second try" in html and 'value="2026-03-03T10:00"' in html
    assert Appointment.objects.count() == 1


def test_time_outside_working_hours_is_shown_next_to_start(coordinator_client, clinic_a, patient_a):
    response = coordinator_client.post(
        "/appointments/new/", booking(clinic_a, patient_a, start="2026-03-03T12:15"), **htmx()
    )
    assert response.status_code == 422
    assert 'id="id_start_error"' in response.content.decode()


def test_missing_patient_asks_for_one(coordinator_client, clinic_a, patient_a):
    data = booking(clinic_a, patient_a)
    del data["patient"]
    response = coordinator_client.post("/appointments/new/", data, **htmx())
    assert response.status_code == 400
    assert "Choose a patient." in response.content.decode()


def test_other_organizations_patient_cannot_be_booked(
    coordinator_client, clinic_a, patient_a, patient_b
):
    response = coordinator_client.post("/appointments/new/", booking(clinic_a, patient_b), **htmx())
    assert response.status_code == 400
    assert Appointment.objects.count() == 0


def test_other_organizations_practitioner_is_not_offered(
    coordinator_client, clinic_a, clinic_b, patient_a
):
    data = booking(clinic_a, patient_a, practitioner=str(clinic_b.practitioner.public_id))
    response = coordinator_client.post("/appointments/new/", data, **htmx())
    assert response.status_code == 400
    assert Appointment.objects.count() == 0


def test_anonymous_is_sent_to_login(client, clinic_a, patient_a):
    response = client.post("/appointments/new/", booking(clinic_a, patient_a))
    assert response.status_code == 302 and response.url.startswith("/login/")
    assert Appointment.objects.count() == 0
