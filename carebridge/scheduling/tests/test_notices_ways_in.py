"""Every way in books through appointment_book, so every way in sends the confirmation."""

import pytest

from carebridge.fhir_api.tests.fhir_http import FhirClient
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.tests.messaging import NOW, messages_about, reachable_patient
from carebridge.tests.api_client import ApiClient

START_UTC = "2026-12-10T15:00:00Z"  # 10:00 in Boston


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def patient(org_a):
    return reachable_patient(org_a)


def confirmations(channel: str) -> list[str]:
    appointment = Appointment.objects.get(booking_channel=channel)
    return [m.kind for m in messages_about(appointment, kind="confirmation")]


def test_web_booking_sends_the_confirmation(client, coordinator_a, clinic_a, patient):
    client.force_login(coordinator_a)

    response = client.post(
        "/appointments/new/",
        {
            "patient": str(patient.public_id),
            "visit_type": str(clinic_a.visit_type.public_id),
            "practitioner": str(clinic_a.practitioner.public_id),
            "location": str(clinic_a.location.public_id),
            "start": "2026-12-10T10:00",
        },
    )

    assert response.status_code in (200, 302), response.content
    assert confirmations("web") == ["confirmation"]


def test_json_api_booking_sends_the_confirmation(token_a, clinic_a, patient):
    response = ApiClient(token_a).post(
        "/appointments",
        {
            "patient": str(patient.public_id),
            "practitioner": str(clinic_a.practitioner.public_id),
            "location": str(clinic_a.location.public_id),
            "visit_type": str(clinic_a.visit_type.public_id),
            "start": START_UTC,
        },
    )

    assert response.status_code == 201, response.content
    assert confirmations("api") == ["confirmation"]


def test_fhir_booking_sends_the_confirmation(token_a, clinic_a, patient):
    response = FhirClient(token_a).post(
        "Appointment",
        {
            "resourceType": "Appointment",
            "status": "booked",
            "serviceType": [{"coding": [{"code": clinic_a.visit_type.code}]}],
            "start": START_UTC,
            "participant": [
                {"actor": {"reference": f"Patient/{patient.public_id}"}},
                {"actor": {"reference": f"Practitioner/{clinic_a.practitioner.public_id}"}},
                {"actor": {"reference": f"Location/{clinic_a.location.public_id}"}},
            ],
        },
    )

    assert response.status_code == 201, response.content
    assert confirmations("fhir") == ["confirmation"]
