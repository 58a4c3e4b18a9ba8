import datetime

import pytest
import time_machine

from carebridge.audit.models import AuditEntry
from carebridge.fhir_api.tests.fhir_http import (
    MONDAY,
    MONDAY_MORNING,
    FhirClient,
    at,
    outcome_issue,
    validated,
)
from carebridge.fhir_api.tests.messages import outbound
from carebridge.fhir_api.tests.test_http_appointment import make_patient
from carebridge.scheduling.services.appointments import appointment_book


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(MONDAY_MORNING, tick=False):
        yield


@pytest.fixture
def fhir_a(token_a):
    return FhirClient(token_a)


@pytest.fixture
def booked(clinic_a, patient_a):
    return appointment_book(
        organization=clinic_a.organization,
        actor=None,
        patient=patient_a,
        practitioner=clinic_a.practitioner,
        location=clinic_a.location,
        visit_type=clinic_a.visit_type,
        start=at(MONDAY, 10),
    )


@pytest.fixture
def reminder(org_a, patient_a, booked):
    return outbound(org_a, patient=patient_a, appointment=booked, due_at=at(MONDAY, 8, 30))


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [entry["resource"]["id"] for entry in validated(response.json()).get("entry", [])]


def test_read_maps_the_pending_reminder_and_audits_it(fhir_a, reminder, patient_a, booked, org_a):
    response = fhir_a.get(f"CommunicationRequest/{reminder.public_id}")

    resource = validated(response.json())
    assert resource["status"] == "active"
    assert resource["identifier"][0]["value"] == reminder.idempotency_key
    assert resource["subject"] == {"reference": f"Patient/{patient_a.public_id}"}
    assert resource["about"] == [{"reference": f"Appointment/{booked.public_id}"}]
    assert resource["occurrenceDateTime"] == "2030-03-04T08:30:00-05:00"
    assert resource["medium"][0]["coding"][0]["code"] == "SMSWRIT"
    assert resource["payload"] == [{"contentString": reminder.body_text}]
    assert [c["coding"][0]["code"] for c in resource["category"]] == ["reminder", "reminder"]
    assert resource["sender"]["reference"] == f"Organization/{org_a.public_id}"
    assert AuditEntry.objects.filter(
        object_type="OutboundMessage",
        object_ref=str(reminder.public_id),
        patient_ref=str(patient_a.public_id),
        action="read",
    ).exists()


@pytest.mark.parametrize(
    ("status", "error", "fhir_status", "reason"),
    [
        ("sending", "", "active", None),
        ("sent", "", "completed", None),
        ("withdrawn", "no longer wanted", "revoked", "no longer wanted"),
        ("suppressed", "", "revoked", "no consent, opted out or no address when it was due"),
        ("failed", "gateway refused the number", "revoked", "gateway refused the number"),
    ],
)
def test_outbox_statuses_map_to_request_status(
    fhir_a, org_a, patient_a, status, error, fhir_status, reason
):
    message = outbound(org_a, patient=patient_a, status=status, last_error=error)

    resource = validated(fhir_a.get(f"CommunicationRequest/{message.public_id}").json())

    assert resource["status"] == fhir_status
    assert resource.get("statusReason", {}).get("text") == reason


def test_other_organization_gets_404_and_sees_nothing_in_search(reminder, token_b, patient_a):
    fhir_b = FhirClient(token_b)

    response = fhir_b.get(f"CommunicationRequest/{reminder.public_id}")
    everything = validated(fhir_b.get("CommunicationRequest").json())
    by_patient = validated(
        fhir_b.get("CommunicationRequest", {"patient": f"Patient/{patient_a.public_id}"}).json()
    )

    assert response.status_code == 404
    assert outcome_issue(response)["code"] == "not-found"
    assert (everything["total"], by_patient["total"]) == (0, 0)


def test_search_by_patient_status_occurrence_category_and_id(
    fhir_a, org_a, patient_a, reminder, clinic_a
):
    other = make_patient(org_a)
    confirmation = outbound(
        org_a,
        patient=other,
        kind="confirmation",
        channel="email",
        status="sent",
        due_at=at(MONDAY, 7),
    )
    ours, theirs = str(reminder.public_id), str(confirmation.public_id)

    assert ids(fhir_a.get("CommunicationRequest")) == [ours, theirs]
    assert ids(fhir_a.get("CommunicationRequest", {"patient": str(patient_a.public_id)})) == [ours]
    assert ids(fhir_a.get("CommunicationRequest", {"subject": f"Patient/{other.public_id}"})) == [
        theirs
    ]
    assert ids(fhir_a.get("CommunicationRequest", {"status": "active"})) == [ours]
    assert ids(fhir_a.get("CommunicationRequest", {"status": "completed,revoked"})) == [theirs]
    assert ids(fhir_a.get("CommunicationRequest", {"status": "on-hold"})) == []
    assert ids(
        fhir_a.get("CommunicationRequest", {"occurrence": "ge2030-03-04T08:00:00-05:00"})
    ) == [ours]
    assert ids(fhir_a.get("CommunicationRequest", {"occurrence": "2030-03-05"})) == []
    assert ids(fhir_a.get("CommunicationRequest", {"category": "reminder"})) == [ours]
    assert ids(fhir_a.get("CommunicationRequest", {"category": "notification"})) == [theirs]
    assert ids(
        fhir_a.get("CommunicationRequest", {"category": "urn:carebridge:message-kind|confirmation"})
    ) == [theirs]
    assert ids(fhir_a.get("CommunicationRequest", {"category": "offer_won"})) == []
    assert ids(fhir_a.get("CommunicationRequest", {"_id": f"{theirs},not-a-uuid"})) == [theirs]
    assert AuditEntry.objects.filter(
        object_ref=ours, patient_ref=str(patient_a.public_id), action="query"
    ).exists()


def test_search_for_another_organizations_patient_matches_nothing(fhir_a, reminder, patient_b):
    response = fhir_a.get("CommunicationRequest", {"patient": f"Patient/{patient_b.public_id}"})

    assert ids(response) == []


def test_paging_links_walk_every_message(fhir_a, org_a, patient_a):
    created = [
        outbound(org_a, patient=patient_a, due_at=MONDAY_MORNING + datetime.timedelta(hours=n))
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
