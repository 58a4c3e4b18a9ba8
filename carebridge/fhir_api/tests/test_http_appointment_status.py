"""Status changes and the patient's confirmation through PUT /fhir/Appointment/{id}."""

import pytest
import time_machine

from carebridge.fhir_api.resources.appointment import CANCELLATION_REASON_SYSTEM
from carebridge.fhir_api.tests.fhir_http import (
    MONDAY,
    FhirClient,
    at,
    outcome_issue,
    validated,
)
from carebridge.fhir_api.tests.messages import consenting, queued
from carebridge.scheduling.models import AppointmentHistory
from carebridge.scheduling.services.confirmations import appointment_confirm

pytestmark = pytest.mark.usefixtures("monday_morning")


@pytest.fixture
def after_the_start():
    """Fulfilled and no-show need the visit to have started."""
    with time_machine.travel(at(MONDAY, 10, 45), tick=False):
        yield


def put_status(fhir, appointment, status: str, **changes):
    body = fhir.get(f"Appointment/{appointment.public_id}").json()
    body.update(status=status, **changes)
    return fhir.put(
        f"Appointment/{appointment.public_id}", body, **{"If-Match": f'W/"{appointment.version}"'}
    )


def patient_status(resource: dict) -> str:
    return next(
        p["status"]
        for p in resource["participant"]
        if p["actor"]["reference"].startswith("Patient/")
    )


@pytest.mark.parametrize(
    "path", [["noshow"], ["arrived", "checked-in", "fulfilled"], ["fulfilled"]]
)
def test_status_moves_along_the_lifecycle_with_versions(fhir_a, booked, path, after_the_start):
    for step, status in enumerate(path, start=2):
        response = put_status(fhir_a, booked, status)
        assert response.status_code == 200, response.json()
        assert response["ETag"] == f'W/"{step}"'
        booked.refresh_from_db()
        assert booked.status == status
    history = AppointmentHistory.objects.filter(appointment=booked).order_by("version")
    assert [entry.version for entry in history] == list(range(1, len(path) + 2))


def test_a_status_change_on_a_stale_version_gets_412(fhir_a, booked):
    body = fhir_a.get(f"Appointment/{booked.public_id}").json()
    assert put_status(fhir_a, booked, "arrived").status_code == 200
    body["status"] = "noshow"

    response = fhir_a.put(f"Appointment/{booked.public_id}", body, **{"If-Match": 'W/"1"'})

    assert response.status_code == 412
    booked.refresh_from_db()
    assert booked.status == "arrived"


def test_a_noshow_after_the_visit_was_fulfilled_gets_422(fhir_a, booked, after_the_start):
    assert put_status(fhir_a, booked, "fulfilled").status_code == 200
    booked.refresh_from_db()

    response = put_status(fhir_a, booked, "noshow")

    assert response.status_code == 422
    assert outcome_issue(response)["expression"] == ["Appointment.status"]


def test_cancelling_withdraws_the_reminders_not_yet_sent(fhir_a, booked, org_a, patient_a):
    reminder = queued(
        org_a, patient=consenting(patient_a), appointment=booked, due_at=at(MONDAY, 9)
    )

    response = put_status(fhir_a, booked, "cancelled", cancelationReason={"text": "Clinic closed"})

    assert response.status_code == 200, response.json()
    reminder.refresh_from_db()
    assert reminder.status == "withdrawn"
    booked.refresh_from_db()
    assert booked.cancelled_by == "clinic"


def test_a_patient_cancellation_code_records_who_cancelled(fhir_a, booked):
    reason = {
        "coding": [
            {
                "system": CANCELLATION_REASON_SYSTEM,
                "code": "pat-crs",
                "display": "Patient: Canceled via automated reminder system",
            }
        ],
        "text": "Replied that she cannot come",
    }

    resource = validated(put_status(fhir_a, booked, "cancelled", cancelationReason=reason).json())

    booked.refresh_from_db()
    assert (booked.cancelled_by, booked.cancellation_reason) == (
        "patient",
        "Replied that she cannot come",
    )
    assert resource["cancelationReason"]["coding"][0]["code"] == "pat"
    assert patient_status(resource) == "declined"


def test_the_patient_participant_shows_the_confirmation(fhir_a, booked):
    before = validated(fhir_a.get(f"Appointment/{booked.public_id}").json())
    appointment_confirm(appointment=booked, via="sms")
    after = validated(fhir_a.get(f"Appointment/{booked.public_id}").json())

    assert patient_status(before) == "needs-action"
    assert patient_status(after) == "accepted"
    assert {p["status"] for p in after["participant"][1:]} == {"accepted"}


def test_a_patient_who_came_has_accepted(fhir_a, booked):
    resource = validated(put_status(fhir_a, booked, "arrived").json())

    assert patient_status(resource) == "accepted"


def test_other_organization_cannot_change_the_status(fhir_a, booked, token_b):
    body = fhir_a.get(f"Appointment/{booked.public_id}").json()
    body["status"] = "noshow"

    response = FhirClient(token_b).put(f"Appointment/{booked.public_id}", body)

    assert response.status_code == 404
    booked.refresh_from_db()
    assert booked.status == "booked"
