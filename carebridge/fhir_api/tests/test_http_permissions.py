"""Writes through the facade need the same role permissions as through the JSON API."""

import pytest

from carebridge.accounts.services import token_issue, user_create
from carebridge.fhir_api.tests.fhir_http import FhirClient, outcome_issue, validated
from carebridge.fhir_api.tests.test_http_appointment import first_free_slot, slot_booking
from carebridge.fhir_api.tests.test_http_patient import new_patient
from carebridge.patients.models import Patient
from carebridge.scheduling.models import Appointment

pytestmark = pytest.mark.usefixtures("monday_morning")


def client_for(organization, role: str) -> FhirClient:
    user = user_create(
        organization=organization,
        username=f"{role}-a",
        password="a-long-passphrase-9",
        role=role,
    )
    return FhirClient(token_issue(user=user)[1])


def assert_forbidden(response, permission: str) -> None:
    assert response.status_code == 403, response.json()
    issue = outcome_issue(response)
    assert issue["code"] == "forbidden"
    assert permission in issue["diagnostics"]


@pytest.mark.parametrize("role", ["billing", "physician"])
def test_booking_needs_the_add_appointment_permission(fhir_a, org_a, patient_a, role):
    slot = first_free_slot(fhir_a)

    response = client_for(org_a, role).post("Appointment", slot_booking(slot, patient_a))

    assert_forbidden(response, "scheduling.add_appointment")
    assert not Appointment.objects.exists()


def test_changing_an_appointment_needs_the_change_appointment_permission(fhir_a, org_a, booked):
    body = fhir_a.get(f"Appointment/{booked.public_id}").json()
    body.update(status="cancelled", cancelationReason={"text": "Clinic closed"})

    response = client_for(org_a, "billing").put(f"Appointment/{booked.public_id}", body)

    assert_forbidden(response, "scheduling.change_appointment")
    booked.refresh_from_db()
    assert (booked.status, booked.version) == ("booked", 1)


def test_a_physician_may_change_an_appointment(fhir_a, org_a, booked):
    body = fhir_a.get(f"Appointment/{booked.public_id}").json()
    body.update(status="cancelled", cancelationReason={"text": "Clinic closed"})

    response = client_for(org_a, "physician").put(f"Appointment/{booked.public_id}", body)

    assert response.status_code == 200, response.json()
    assert validated(response.json())["status"] == "cancelled"


@pytest.mark.parametrize("role", ["billing", "physician"])
def test_registering_a_patient_needs_the_add_patient_permission(org_a, role):
    response = client_for(org_a, role).post("Patient", new_patient())

    assert_forbidden(response, "patients.add_patient")
    assert not Patient.objects.filter(family_name="Nguyen").exists()


@pytest.mark.parametrize("role", ["billing", "physician"])
def test_changing_a_patient_needs_the_change_patient_permission(fhir_a, org_a, patient_a, role):
    body = fhir_a.get(f"Patient/{patient_a.public_id}").json()
    body["name"][0]["family"] = "Changed"

    response = client_for(org_a, role).put(f"Patient/{patient_a.public_id}", body)

    assert_forbidden(response, "patients.change_patient")
    patient_a.refresh_from_db()
    assert (patient_a.family_name, patient_a.version) == ("Álvarez", 1)


def test_reads_stay_open_to_every_staff_role(org_a, patient_a, booked):
    billing = client_for(org_a, "billing")

    assert billing.get(f"Patient/{patient_a.public_id}").status_code == 200
    assert billing.get(f"Appointment/{booked.public_id}").status_code == 200
