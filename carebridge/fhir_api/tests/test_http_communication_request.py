import datetime

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.fhir_api.tests.fhir_http import (
    MONDAY,
    MONDAY_MORNING,
    FhirClient,
    at,
    outcome_issue,
    validated,
)
from carebridge.fhir_api.tests.messages import consenting, delivered, queued
from carebridge.notifications.services.outbox import messages_withdraw
from carebridge.patients.services import patient_create

pytestmark = pytest.mark.usefixtures("monday_morning")


@pytest.fixture
def patient(booked, patient_a):
    return consenting(patient_a)


@pytest.fixture
def other(org_a):
    return patient_create(
        organization=org_a,
        actor=None,
        fields={
            "given_name": "Ida",
            "family_name": "Berg",
            "birth_date": datetime.date(1966, 2, 3),
            "email": "ida@example.org",
            "consent_email": True,
        },
    )


@pytest.fixture
def reminder(org_a, patient, booked):
    """Due at 08:30, half an hour from now."""
    return queued(org_a, patient=patient, appointment=booked, due_at=at(MONDAY, 8, 30))


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [entry["resource"]["id"] for entry in validated(response.json()).get("entry", [])]


def read(fhir, message) -> dict:
    return validated(fhir.get(f"CommunicationRequest/{message.public_id}").json())


def test_read_maps_the_queued_reminder_and_audits_it(fhir_a, reminder, patient, booked, org_a):
    resource = read(fhir_a, reminder)

    assert resource["status"] == "active"
    assert resource["identifier"][0]["value"] == reminder.idempotency_key
    assert resource["subject"] == {"reference": f"Patient/{patient.public_id}"}
    assert resource["recipient"] == [{"reference": f"Patient/{patient.public_id}"}]
    assert resource["about"] == [{"reference": f"Appointment/{booked.public_id}"}]
    assert resource["occurrenceDateTime"] == "2030-03-04T08:30:00-05:00"
    assert resource["authoredOn"] == "2030-03-04T08:00:00-05:00"
    assert resource["medium"][0]["coding"][0]["code"] == "SMSWRIT"
    assert resource["payload"] == [{"contentString": reminder.body_text}]
    assert [c["coding"][0]["code"] for c in resource["category"]] == ["reminder", "reminder"]
    assert resource["sender"]["reference"] == f"Organization/{org_a.public_id}"
    assert AuditEntry.objects.filter(
        object_type="OutboundMessage",
        object_ref=str(reminder.public_id),
        patient_ref=str(patient.public_id),
        action="read",
    ).exists()


def test_a_sent_message_is_completed(fhir_a, org_a, patient):
    resource = read(fhir_a, delivered(org_a, patient=patient))

    assert resource["status"] == "completed"
    assert "statusReason" not in resource


def test_a_refused_message_is_revoked_with_the_reason(fhir_a, org_a, patient):
    failed = delivered(org_a, patient=patient, refusal="number unreachable")

    resource = read(fhir_a, failed)

    assert (failed.status, resource["status"]) == ("failed", "revoked")
    assert resource["statusReason"]["text"].endswith("number unreachable")


def test_a_withdrawn_reminder_is_revoked(fhir_a, reminder, booked):
    messages_withdraw(topic_type="appointment", topic_id=str(booked.public_id))
    reminder.refresh_from_db()

    resource = read(fhir_a, reminder)

    assert (resource["status"], resource["statusReason"]) == (
        "revoked",
        {"text": "no longer wanted"},
    )


def test_a_message_without_consent_is_revoked(fhir_a, org_a, patient_a):
    suppressed = delivered(org_a, patient=patient_a)

    resource = read(fhir_a, suppressed)

    assert (suppressed.status, resource["status"]) == ("suppressed", "revoked")
    assert resource["statusReason"]["text"]


def test_other_organization_gets_404_and_sees_nothing_in_search(reminder, token_b, patient):
    fhir_b = FhirClient(token_b)

    response = fhir_b.get(f"CommunicationRequest/{reminder.public_id}")
    everything = validated(fhir_b.get("CommunicationRequest").json())
    by_patient = validated(
        fhir_b.get("CommunicationRequest", {"patient": f"Patient/{patient.public_id}"}).json()
    )

    assert response.status_code == 404
    assert outcome_issue(response)["code"] == "not-found"
    assert (everything["total"], by_patient["total"]) == (0, 0)


def test_search_by_patient_status_occurrence_category_and_id(
    fhir_a, org_a, patient, other, reminder
):
    confirmation = delivered(
        org_a, patient=other, kind="confirmation", channel="email", due_at=at(MONDAY, 7)
    )
    ours, theirs = str(reminder.public_id), str(confirmation.public_id)

    def found(params: dict) -> list[str]:
        return ids(fhir_a.get("CommunicationRequest", params))

    assert found({}) == [ours, theirs]
    assert found({"patient": str(patient.public_id)}) == [ours]
    assert found({"subject": f"Patient/{other.public_id}"}) == [theirs]
    assert found({"patient": str(patient.public_id), "subject": str(other.public_id)}) == []
    assert found({"status": "active"}) == [ours]
    assert found({"status": "completed,revoked"}) == [theirs]
    assert found({"status": "on-hold"}) == []
    assert found({"occurrence": "ge2030-03-04T08:00:00-05:00"}) == [ours]
    assert found({"occurrence": "2030-03-05"}) == []
    assert found({"category": "reminder"}) == [ours]
    assert found({"category": "notification"}) == [theirs]
    assert found({"category": "urn:carebridge:message-kind|confirmation"}) == [theirs]
    assert found({"category": "urn:carebridge:message-kind|notification"}) == []
    assert found({"category": "offer_won"}) == []
    assert found({"_id": f"{theirs},not-a-uuid"}) == [theirs]
    assert AuditEntry.objects.filter(
        object_ref=ours, patient_ref=str(patient.public_id), action="query"
    ).exists()


def test_repeated_parameters_must_all_match_and_alternatives_any(
    fhir_a, org_a, patient, other, reminder, patient_b
):
    confirmation = delivered(
        org_a, patient=other, kind="confirmation", channel="email", due_at=at(MONDAY, 7)
    )
    ours, theirs = str(reminder.public_id), str(confirmation.public_id)
    mine, yours = f"Patient/{patient.public_id}", f"Patient/{other.public_id}"

    def found(params: dict) -> list[str]:
        return ids(fhir_a.get("CommunicationRequest", params))

    assert found({"patient": f"{mine},{yours}"}) == [ours, theirs]
    assert found({"patient": [mine, yours]}) == []
    assert found({"patient": f"Patient/{patient_b.public_id},{yours}"}) == [theirs]
    assert found({"patient": mine, "subject": f"{yours},{mine}"}) == [ours]
    assert found({"status": ["active", "completed"]}) == []
    assert found({"occurrence": "2030-03-04T07:00:00-05:00,2030-03-05"}) == [theirs]
    assert found({"occurrence": ["ge2030-03-04", "lt2030-03-04T08:00:00-05:00"]}) == [theirs]
    assert found({"category": ["reminder", "urn:carebridge:message-kind|reminder"]}) == [ours]
    assert found({"category": ["reminder", "confirmation"]}) == []
    assert found({"_id": [ours, theirs]}) == []


def test_search_for_another_organizations_patient_matches_nothing(fhir_a, reminder, patient_b):
    response = fhir_a.get("CommunicationRequest", {"patient": f"Patient/{patient_b.public_id}"})

    assert ids(response) == []


def test_paging_links_walk_every_message(fhir_a, org_a, patient):
    created = [
        queued(org_a, patient=patient, due_at=MONDAY_MORNING + datetime.timedelta(hours=n))
        for n in range(5)
    ]
    expected = [str(message.public_id) for message in reversed(created)]

    seen, url = [], "CommunicationRequest?_count=2"
    while url:
        bundle = validated(fhir_a.get(url).json())
        assert bundle["total"] == 5
        seen += [entry["resource"]["id"] for entry in bundle.get("entry", [])]
        following = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        url = following[0].split("/fhir/", 1)[1] if following else ""

    assert seen == expected


def test_search_runs_a_fixed_number_of_queries(
    fhir_a, org_a, patient, django_assert_max_num_queries
):
    for hour in range(9, 15):
        queued(org_a, patient=patient, due_at=at(MONDAY, hour))

    fhir_a.get("Organization")  # the token records its first use once a minute
    with django_assert_max_num_queries(8):
        bundle = fhir_a.get("CommunicationRequest").json()

    assert bundle["total"] == 6


def test_unknown_parameter_is_ignored_or_refused_under_strict_handling(fhir_a, reminder):
    lenient = validated(fhir_a.get("CommunicationRequest", {"priority": "urgent"}).json())
    strict = fhir_a.get("CommunicationRequest", {"priority": "urgent"}, Prefer="handling=strict")

    assert lenient["total"] == 1
    assert lenient["entry"][-1]["search"]["mode"] == "outcome"
    assert strict.status_code == 400
    assert outcome_issue(strict)["expression"] == ["priority"]


def test_a_bad_occurrence_gets_400(fhir_a):
    response = fhir_a.get("CommunicationRequest", {"occurrence": "tomorrow"})

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["occurrence"]


def test_no_create_or_update(fhir_a, reminder):
    body = fhir_a.get(f"CommunicationRequest/{reminder.public_id}").json()

    assert fhir_a.post("CommunicationRequest", body).status_code == 405
    assert fhir_a.put(f"CommunicationRequest/{reminder.public_id}", body).status_code == 405
