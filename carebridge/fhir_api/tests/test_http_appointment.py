import datetime

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.fhir_api.tests.fhir_http import (
    MONDAY,
    FhirClient,
    at,
    outcome_issue,
    slot_id_at,
    validated,
)
from carebridge.patients.services import patient_create
from carebridge.scheduling.models import Appointment, AppointmentHistory
from carebridge.scheduling.services.appointments import appointment_book

pytestmark = pytest.mark.usefixtures("monday_morning")


def first_free_slot(fhir: FhirClient) -> dict:
    bundle = fhir.get("Slot", {"start": f"ge{MONDAY}", "status": "free", "_count": "1"}).json()
    return bundle["entry"][0]["resource"]


def slot_booking(slot: dict, patient) -> dict:
    return {
        "resourceType": "Appointment",
        "status": "booked",
        "slot": [{"reference": f"Slot/{slot['id']}"}],
        "participant": [{"actor": {"reference": f"Patient/{patient.public_id}"}}],
    }


def stated_booking(clinic, patient, start: str, **changes) -> dict:
    return {
        "resourceType": "Appointment",
        "status": "booked",
        "serviceType": [{"coding": [{"code": clinic.visit_type.code}]}],
        "start": start,
        "participant": [
            {"actor": {"reference": f"Patient/{patient.public_id}"}},
            {"actor": {"reference": f"Practitioner/{clinic.practitioner.public_id}"}},
            {"actor": {"reference": f"Location/{clinic.location.public_id}"}},
        ],
        **changes,
    }


@pytest.fixture
def booked(clinic_a, patient_a) -> Appointment:
    return appointment_book(
        organization=clinic_a.organization,
        actor=None,
        patient=patient_a,
        practitioner=clinic_a.practitioner,
        location=clinic_a.location,
        visit_type=clinic_a.visit_type,
        start=at(MONDAY, 10),
    )


def test_booking_a_slot_found_by_search(fhir_a, clinic_a, patient_a):
    slot = first_free_slot(fhir_a)

    response = fhir_a.post("Appointment", slot_booking(slot, patient_a))

    assert response.status_code == 201, response.json()
    created = validated(response.json())
    assert created["start"] == slot["start"]
    assert created["slot"] == [{"reference": f"Slot/{slot['id']}"}]
    assert response["ETag"] == 'W/"1"'
    appointment = Appointment.objects.get(public_id=created["id"])
    assert (appointment.patient, appointment.booking_channel) == (patient_a, "fhir")
    assert validated(fhir_a.get(f"Slot/{slot['id']}").json())["status"] == "busy"


def test_booking_with_start_and_participants(fhir_a, clinic_a, patient_a):
    body = stated_booking(
        clinic_a, patient_a, "2030-03-04T14:00:00-05:00", end="2030-03-04T14:30:00-05:00"
    )

    response = fhir_a.post("Appointment", body)

    assert response.status_code == 201, response.json()
    assert Appointment.objects.get().start == at(MONDAY, 14)


def test_booking_a_taken_slot_gets_409_and_writes_nothing(fhir_a, clinic_a, patient_a, org_a):
    slot = first_free_slot(fhir_a)
    assert fhir_a.post("Appointment", slot_booking(slot, patient_a)).status_code == 201
    other = stated_booking(clinic_a, patient_a, slot["start"])
    other["participant"][0]["actor"]["reference"] = f"Patient/{make_patient(org_a).public_id}"

    response = fhir_a.post("Appointment", other)

    assert response.status_code == 409
    issue = outcome_issue(response)
    assert issue["code"] == "conflict"
    assert issue["details"]["coding"][0]["code"] == "slot_taken"
    assert Appointment.objects.count() == 1
    assert AppointmentHistory.objects.count() == 1
    assert AuditEntry.objects.filter(object_type="Appointment", action="create").count() == 1


def make_patient(organization, family_name: str = "Other"):
    return patient_create(
        organization=organization,
        actor=None,
        fields={
            "given_name": "Sam",
            "family_name": family_name,
            "birth_date": datetime.date(1999, 9, 9),
        },
    )


def test_booking_outside_working_hours_gets_422(fhir_a, clinic_a, patient_a):
    body = stated_booking(clinic_a, patient_a, "2030-03-04T12:00:00-05:00")

    response = fhir_a.post("Appointment", body)

    assert response.status_code == 422
    issue = outcome_issue(response)
    assert issue["code"] == "business-rule"
    assert issue["expression"] == ["Appointment.start"]
    assert not Appointment.objects.exists()


def test_an_end_that_does_not_fit_the_visit_type_gets_400(fhir_a, clinic_a, patient_a):
    body = stated_booking(
        clinic_a, patient_a, "2030-03-04T14:00:00-05:00", end="2030-03-04T15:00:00-05:00"
    )

    response = fhir_a.post("Appointment", body)

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["Appointment.end"]


def test_booking_another_organizations_patient_is_refused(fhir_a, clinic_a, patient_b):
    response = fhir_a.post(
        "Appointment", stated_booking(clinic_a, patient_b, "2030-03-04T14:00:00-05:00")
    )

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["Appointment.participant"]
    assert not Appointment.objects.exists()


def test_booking_another_organizations_slot_is_refused(fhir_a, patient_a, token_b, clinic_b):
    theirs = first_free_slot(FhirClient(token_b))

    response = fhir_a.post("Appointment", slot_booking(theirs, patient_a))

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["Appointment.slot"]
    assert not Appointment.objects.exists()


def test_booking_a_slot_id_past_the_last_year_is_refused(fhir_a, clinic_a, patient_a):
    crafted = {"id": slot_id_at(clinic_a, b"\xff" * 5)}

    response = fhir_a.post("Appointment", slot_booking(crafted, patient_a))

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["Appointment.slot"]
    assert not Appointment.objects.exists()


def test_read_audits_and_other_organization_gets_404(fhir_a, booked, token_b):
    ours = fhir_a.get(f"Appointment/{booked.public_id}")
    theirs = FhirClient(token_b).get(f"Appointment/{booked.public_id}")

    assert validated(ours.json())["id"] == str(booked.public_id)
    assert ours["ETag"] == 'W/"1"'
    assert AuditEntry.objects.filter(object_ref=str(booked.public_id), action="read").exists()
    assert theirs.status_code == 404


def test_search_by_patient_date_and_status(fhir_a, booked, patient_a, clinic_a):
    def found(params):
        return [
            e["resource"]["id"]
            for e in validated(fhir_a.get("Appointment", params).json()).get("entry", [])
        ]

    ours = [str(booked.public_id)]
    assert found({"patient": f"Patient/{patient_a.public_id}"}) == ours
    assert found({"practitioner": f"Practitioner/{clinic_a.practitioner.public_id}"}) == ours
    assert found({"location": str(clinic_a.location.public_id)}) == ours
    assert found({"date": "2030-03-04"}) == ours
    assert found({"date": ["ge2030-03-04T10:00:00-05:00", "lt2030-03-04T10:30:00-05:00"]}) == ours
    assert found({"date": "gt2030-03-04T10:00:00-05:00"}) == []
    assert found({"date": "lt2030-03-04T10:00:00-05:00"}) == []
    assert found({"date": "2030-03-05"}) == []
    assert found({"status": "booked,arrived"}) == ours
    assert found({"status": "cancelled"}) == []
    assert AuditEntry.objects.filter(object_ref=str(booked.public_id), action="query").exists()


def test_other_organization_is_absent_from_search(booked, token_b, patient_a):
    fhir_b = FhirClient(token_b)

    everything = validated(fhir_b.get("Appointment").json())
    by_patient = validated(
        fhir_b.get("Appointment", {"patient": f"Patient/{patient_a.public_id}"}).json()
    )

    assert everything["total"] == 0
    assert by_patient["total"] == 0


def test_put_moves_the_appointment(fhir_a, booked):
    body = fhir_a.get(f"Appointment/{booked.public_id}").json()
    body["start"], body["end"] = "2030-03-04T15:00:00-05:00", "2030-03-04T15:30:00-05:00"

    response = fhir_a.put(f"Appointment/{booked.public_id}", body, **{"If-Match": 'W/"1"'})

    assert response.status_code == 200, response.json()
    assert response["ETag"] == 'W/"2"'
    booked.refresh_from_db()
    assert booked.start == at(MONDAY, 15)


def test_put_refuses_another_slot_that_does_not_start_at_start(fhir_a, booked):
    other = first_free_slot(fhir_a)
    body = fhir_a.get(f"Appointment/{booked.public_id}").json()
    body["slot"] = [{"reference": f"Slot/{other['id']}"}]

    response = fhir_a.put(f"Appointment/{booked.public_id}", body)

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["Appointment.slot"]
    booked.refresh_from_db()
    assert (booked.start, booked.version) == (at(MONDAY, 10), 1)


@pytest.mark.parametrize("with_start", [True, False])
def test_put_moves_the_appointment_to_another_slot(fhir_a, booked, with_start):
    other = first_free_slot(fhir_a)
    body = fhir_a.get(f"Appointment/{booked.public_id}").json()
    body["slot"] = [{"reference": f"Slot/{other['id']}"}]
    del body["end"]
    if with_start:
        body["start"] = other["start"]
    else:
        del body["start"]

    response = fhir_a.put(f"Appointment/{booked.public_id}", body)

    assert response.status_code == 200, response.json()
    assert validated(response.json())["start"] == other["start"]
    booked.refresh_from_db()
    assert booked.start == at(MONDAY, 9)


def test_put_cancels_with_the_reason(fhir_a, booked):
    body = fhir_a.get(f"Appointment/{booked.public_id}").json()
    body["status"] = "cancelled"
    body["cancelationReason"] = {"text": "Patient is travelling"}

    response = fhir_a.put(f"Appointment/{booked.public_id}", body)

    assert validated(response.json())["status"] == "cancelled"
    booked.refresh_from_db()
    assert (booked.status, booked.cancellation_reason) == ("cancelled", "Patient is travelling")


def test_put_cancel_without_reason_gets_400(fhir_a, booked):
    body = fhir_a.get(f"Appointment/{booked.public_id}").json()
    body["status"] = "cancelled"

    response = fhir_a.put(f"Appointment/{booked.public_id}", body)

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["Appointment.cancelationReason"]


def test_put_with_an_illegal_status_change_gets_422(fhir_a, booked):
    body = fhir_a.get(f"Appointment/{booked.public_id}").json()
    body["status"] = "proposed"

    response = fhir_a.put(f"Appointment/{booked.public_id}", body)

    assert response.status_code == 422
    issue = outcome_issue(response)
    assert issue["details"]["coding"][0]["code"] == "illegal_transition"
    assert issue["expression"] == ["Appointment.status"]


def test_put_is_all_or_nothing(fhir_a, booked):
    body = fhir_a.get(f"Appointment/{booked.public_id}").json()
    body["comment"] = "New note"
    body["status"] = "proposed"

    assert fhir_a.put(f"Appointment/{booked.public_id}", body).status_code == 422

    booked.refresh_from_db()
    assert (booked.notes, booked.version) == ("", 1)


def test_put_with_a_stale_version_gets_412_and_changes_nothing(fhir_a, booked):
    body = fhir_a.get(f"Appointment/{booked.public_id}").json()
    body["comment"] = "First"
    assert fhir_a.put(f"Appointment/{booked.public_id}", body).status_code == 200
    body["comment"] = "Second"

    response = fhir_a.put(f"Appointment/{booked.public_id}", body, **{"If-Match": 'W/"1"'})

    assert response.status_code == 412
    booked.refresh_from_db()
    assert (booked.notes, booked.version) == ("First", 2)


def test_put_cannot_change_the_patient(fhir_a, booked, org_a):
    body = fhir_a.get(f"Appointment/{booked.public_id}").json()
    body["participant"][0]["actor"]["reference"] = f"Patient/{make_patient(org_a).public_id}"

    response = fhir_a.put(f"Appointment/{booked.public_id}", body)

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["Appointment.participant"]


def test_other_organization_gets_404_on_update(fhir_a, booked, token_b):
    body = fhir_a.get(f"Appointment/{booked.public_id}").json()
    body["comment"] = "not yours"

    response = FhirClient(token_b).put(f"Appointment/{booked.public_id}", body)

    assert response.status_code == 404
    booked.refresh_from_db()
    assert booked.notes == ""


def test_search_runs_a_fixed_number_of_queries(
    fhir_a, clinic_a, org_a, booked, django_assert_max_num_queries
):
    for hour in (11, 14, 15, 16):
        appointment_book(
            organization=org_a,
            actor=None,
            patient=make_patient(org_a, family_name=f"Patient{hour}"),
            practitioner=clinic_a.practitioner,
            location=clinic_a.location,
            visit_type=clinic_a.visit_type,
            start=at(MONDAY, hour),
        )

    fhir_a.get("Organization")  # the token records its first use once a minute
    with django_assert_max_num_queries(8):
        bundle = fhir_a.get("Appointment", {"date": "2030-03-04"}).json()

    assert bundle["total"] == 5
