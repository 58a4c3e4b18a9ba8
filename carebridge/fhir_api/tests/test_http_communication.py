import datetime
from types import SimpleNamespace

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
from carebridge.fhir_api.tests.messages import consenting, delivered, queued, reply
from carebridge.patients.services import patient_create

pytestmark = pytest.mark.usefixtures("monday_morning")


@pytest.fixture
def patient(booked, patient_a):
    return consenting(patient_a)


@pytest.fixture
def exchange(org_a, patient, booked):
    """A text refused at 06:00, a reminder sent at 07:00 and the patient's "C" at 07:30."""
    with time_machine.travel(at(MONDAY, 6), tick=False):
        failed = delivered(org_a, patient=patient, refusal="number unreachable")
    with time_machine.travel(at(MONDAY, 7), tick=False):
        sent = delivered(org_a, patient=patient, appointment=booked)
    with time_machine.travel(at(MONDAY, 7, 30), tick=False):
        confirmed = reply(patient, "C")
    return SimpleNamespace(failed=failed, sent=sent, reply=confirmed)


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [entry["resource"]["id"] for entry in validated(response.json()).get("entry", [])]


def read(fhir, row) -> dict:
    return validated(fhir.get(f"Communication/{row.public_id}").json())


def test_a_sent_message_is_a_completed_communication(fhir_a, exchange, patient, booked):
    resource = read(fhir_a, exchange.sent)

    assert resource["status"] == "completed"
    assert resource["basedOn"] == [{"reference": f"CommunicationRequest/{exchange.sent.public_id}"}]
    assert resource["sent"] == "2030-03-04T07:00:00-05:00"
    assert resource["recipient"] == [{"reference": f"Patient/{patient.public_id}"}]
    assert resource["about"] == [{"reference": f"Appointment/{booked.public_id}"}]
    assert resource["payload"][0]["contentString"] == exchange.sent.body_text
    assert AuditEntry.objects.filter(
        object_ref=str(exchange.sent.public_id),
        patient_ref=str(patient.public_id),
        action="read",
    ).exists()


def test_a_failed_message_is_not_done_with_the_reason(fhir_a, exchange):
    resource = read(fhir_a, exchange.failed)

    assert resource["status"] == "not-done"
    assert resource["statusReason"]["text"].endswith("number unreachable")
    assert "sent" not in resource


def test_a_queued_message_is_no_communication_yet(fhir_a, org_a, patient):
    pending = queued(org_a, patient=patient, due_at=at(MONDAY, 9))

    response = fhir_a.get(f"Communication/{pending.public_id}")

    assert response.status_code == 404
    assert outcome_issue(response)["code"] == "not-found"


def test_a_reply_comes_from_the_patient_about_the_visit(fhir_a, exchange, patient, booked, org_a):
    resource = read(fhir_a, exchange.reply)

    assert resource["status"] == "completed"
    assert resource["sender"] == {"reference": f"Patient/{patient.public_id}"}
    assert resource["subject"] == {"reference": f"Patient/{patient.public_id}"}
    assert resource["recipient"][0]["reference"] == f"Organization/{org_a.public_id}"
    assert resource["about"] == [{"reference": f"Appointment/{booked.public_id}"}]
    assert resource["received"] == "2030-03-04T07:30:00-05:00"
    assert [c["coding"][0]["code"] for c in resource["category"]] == ["reply", "confirm"]
    assert resource["payload"] == [{"contentString": "C"}]
    assert "note" not in resource
    assert AuditEntry.objects.filter(
        object_type="InboundMessage", object_ref=str(exchange.reply.public_id), action="read"
    ).exists()


def test_a_reply_nobody_understood_says_a_person_must_read_it(fhir_a, exchange, patient):
    unclear = reply(patient, "is there parking?")

    resource = read(fhir_a, unclear)

    assert resource["category"][1]["coding"][0]["code"] == "unrecognized"
    assert resource["note"][0]["text"].startswith("Not understood")


def test_other_organization_gets_404_and_sees_nothing_in_search(exchange, token_b):
    fhir_b = FhirClient(token_b)

    assert fhir_b.get(f"Communication/{exchange.sent.public_id}").status_code == 404
    assert fhir_b.get(f"Communication/{exchange.reply.public_id}").status_code == 404
    assert validated(fhir_b.get("Communication").json())["total"] == 0


def test_search_merges_messages_and_replies_newest_first(fhir_a, exchange):
    back, out, lost = (
        str(row.public_id) for row in (exchange.reply, exchange.sent, exchange.failed)
    )

    def found(params: dict) -> list[str]:
        return ids(fhir_a.get("Communication", params))

    assert found({}) == [back, out, lost]
    assert found({"status": "completed"}) == [back, out]
    assert found({"status": "not-done"}) == [lost]
    assert found({"status": "stopped"}) == []
    assert found({"sent": "ge2030-03-04"}) == [out]
    assert found({"received": "lt2030-03-04T08:00:00-05:00"}) == [back]
    assert found({"received": "2030-03-05"}) == []
    assert found({"category": "reply"}) == [back]
    assert found({"category": "confirm,reminder"}) == [back, out, lost]
    assert found({"category": "urn:carebridge:reply-handling|cancel"}) == []
    assert found({"_id": f"{back},{lost}"}) == [back, lost]
    assert AuditEntry.objects.filter(object_ref=back, action="query").exists()


def test_repeated_parameters_must_all_match_and_alternatives_any(fhir_a, exchange):
    back, out, lost = (
        str(row.public_id) for row in (exchange.reply, exchange.sent, exchange.failed)
    )

    def found(params: dict) -> list[str]:
        return ids(fhir_a.get("Communication", params))

    assert found({"status": ["completed", "not-done"]}) == []
    assert found({"status": "not-done,completed"}) == [back, out, lost]
    assert found({"category": ["reply", "confirm"]}) == [back]
    assert found({"category": ["reminder", "confirm"]}) == []
    assert found({"category": ["reminder", "reminder,reply"]}) == [out, lost]
    assert found({"sent": "2030-03-05,2030-03-04"}) == [out]
    assert found({"sent": ["ge2030-03-04", "lt2030-03-04T07:00:00-05:00"]}) == []
    assert found({"received": "2030-03-05,2030-03-04"}) == [back]
    assert found({"sent": "2030-03-04", "received": "2030-03-04"}) == []
    assert found({"_id": [back, out]}) == []
    assert found({"_id": [f"{back},{out}", f"{out},{lost}"]}) == [out]


def test_search_by_patient(fhir_a, exchange, org_a):
    other = patient_create(
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
    theirs = delivered(org_a, patient=other, channel="email")

    found = ids(fhir_a.get("Communication", {"patient": f"Patient/{other.public_id}"}))

    assert found == [str(theirs.public_id)]


def test_paging_across_both_kinds(fhir_a, org_a, patient):
    expected = []
    for hour in range(6):
        with time_machine.travel(MONDAY_MORNING - datetime.timedelta(hours=hour), tick=False):
            if hour % 2:
                row = reply(patient, f"question {hour}")
            else:
                row = delivered(org_a, patient=patient)
        expected.append(str(row.public_id))

    seen, url = [], "Communication?_count=4"
    while url:
        bundle = validated(fhir_a.get(url).json())
        assert bundle["total"] == 6
        seen += [entry["resource"]["id"] for entry in bundle.get("entry", [])]
        following = [link["url"] for link in bundle["link"] if link["relation"] == "next"]
        url = following[0].split("/fhir/", 1)[1] if following else ""

    assert seen == expected


def test_search_runs_a_fixed_number_of_queries(
    fhir_a, org_a, patient, django_assert_max_num_queries
):
    for hour in range(1, 7):
        with time_machine.travel(at(MONDAY, hour), tick=False):
            delivered(org_a, patient=patient)
            reply(patient, f"question {hour}")

    fhir_a.get("Organization")  # the token records its first use once a minute
    with django_assert_max_num_queries(14):
        bundle = fhir_a.get("Communication").json()

    assert len(bundle["entry"]) == 12


def test_unknown_parameter_strict_handling_gets_400(fhir_a):
    response = fhir_a.get("Communication", {"medium": "SMSWRIT"}, Prefer="handling=strict")

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["medium"]
