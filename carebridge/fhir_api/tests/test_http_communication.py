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
from carebridge.fhir_api.tests.messages import inbound, outbound
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
def sent(org_a, patient_a, booked):
    """A reminder sent at 07:00, due then."""
    with time_machine.travel(at(MONDAY, 7), tick=False):
        return outbound(
            org_a, patient=patient_a, appointment=booked, status="sent", due_at=at(MONDAY, 7)
        )


@pytest.fixture
def reply(org_a, patient_a, booked):
    """The patient's "C" to it, at 07:30."""
    return inbound(org_a, patient=patient_a, appointment=booked, received_at=at(MONDAY, 7, 30))


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [entry["resource"]["id"] for entry in validated(response.json()).get("entry", [])]


def test_a_sent_message_is_a_completed_communication(fhir_a, sent, patient_a, booked):
    resource = validated(fhir_a.get(f"Communication/{sent.public_id}").json())

    assert resource["status"] == "completed"
    assert resource["basedOn"] == [{"reference": f"CommunicationRequest/{sent.public_id}"}]
    assert resource["sent"] == "2030-03-04T07:00:00-05:00"
    assert resource["recipient"] == [{"reference": f"Patient/{patient_a.public_id}"}]
    assert resource["about"] == [{"reference": f"Appointment/{booked.public_id}"}]
    assert resource["payload"][0]["contentString"] == sent.body_text
    assert AuditEntry.objects.filter(
        object_ref=str(sent.public_id), patient_ref=str(patient_a.public_id), action="read"
    ).exists()


def test_a_failed_message_is_not_done_with_the_reason(fhir_a, org_a, patient_a):
    failed = outbound(org_a, patient=patient_a, status="failed", last_error="number unreachable")

    resource = validated(fhir_a.get(f"Communication/{failed.public_id}").json())

    assert resource["status"] == "not-done"
    assert resource["statusReason"] == {"text": "number unreachable"}
    assert "sent" not in resource


def test_an_unsent_message_is_no_communication_yet(fhir_a, org_a, patient_a):
    pending = outbound(org_a, patient=patient_a)

    response = fhir_a.get(f"Communication/{pending.public_id}")

    assert response.status_code == 404
    assert outcome_issue(response)["code"] == "not-found"


def test_a_reply_is_received_from_the_patient_about_the_visit(
    fhir_a, reply, patient_a, booked, org_a
):
    resource = validated(fhir_a.get(f"Communication/{reply.public_id}").json())

    assert resource["status"] == "completed"
    assert resource["sender"] == {"reference": f"Patient/{patient_a.public_id}"}
    assert resource["subject"] == {"reference": f"Patient/{patient_a.public_id}"}
    assert resource["recipient"][0]["reference"] == f"Organization/{org_a.public_id}"
    assert resource["about"] == [{"reference": f"Appointment/{booked.public_id}"}]
    assert resource["received"] == "2030-03-04T07:30:00-05:00"
    assert [c["coding"][0]["code"] for c in resource["category"]] == ["reply", "confirm"]
    assert resource["payload"] == [{"contentString": "C"}]
    assert AuditEntry.objects.filter(
        object_type="InboundMessage", object_ref=str(reply.public_id), action="read"
    ).exists()


def test_an_unmatched_reply_needing_attention_says_so(fhir_a, org_a):
    stray = inbound(org_a, body="who is this?", handled_as="unrecognized", needs_attention=True)

    resource = validated(fhir_a.get(f"Communication/{stray.public_id}").json())

    assert "sender" not in resource and "about" not in resource
    assert resource["note"][0]["text"].startswith("Not understood")


def test_other_organization_gets_404_and_sees_nothing_in_search(sent, reply, token_b):
    fhir_b = FhirClient(token_b)

    assert fhir_b.get(f"Communication/{sent.public_id}").status_code == 404
    assert fhir_b.get(f"Communication/{reply.public_id}").status_code == 404
    assert validated(fhir_b.get("Communication").json())["total"] == 0


def test_search_merges_messages_and_replies_newest_first(fhir_a, sent, reply, org_a, patient_a):
    failed = outbound(org_a, patient=patient_a, status="failed", due_at=at(MONDAY, 6))
    outbound(org_a, patient=patient_a)  # pending: not a Communication
    out, back, lost = str(sent.public_id), str(reply.public_id), str(failed.public_id)

    assert ids(fhir_a.get("Communication")) == [back, out, lost]
    assert ids(fhir_a.get("Communication", {"status": "completed"})) == [back, out]
    assert ids(fhir_a.get("Communication", {"status": "not-done"})) == [lost]
    assert ids(fhir_a.get("Communication", {"status": "stopped"})) == []
    assert ids(fhir_a.get("Communication", {"sent": "ge2030-03-04"})) == [out]
    assert ids(fhir_a.get("Communication", {"received": "lt2030-03-04T08:00:00-05:00"})) == [back]
    assert ids(fhir_a.get("Communication", {"category": "reply"})) == [back]
    assert ids(fhir_a.get("Communication", {"category": "confirm,reminder"})) == [back, out, lost]
    assert (
        ids(fhir_a.get("Communication", {"category": "urn:carebridge:reply-handling|cancel"})) == []
    )
    assert ids(fhir_a.get("Communication", {"_id": f"{back},{lost}"})) == [back, lost]
    assert AuditEntry.objects.filter(object_ref=back, action="query").exists()


def test_search_by_patient(fhir_a, sent, reply, org_a):
    other = make_patient(org_a)
    theirs = outbound(org_a, patient=other, status="sent")

    found = ids(fhir_a.get("Communication", {"patient": f"Patient/{other.public_id}"}))

    assert found == [str(theirs.public_id)]


def test_paging_across_both_kinds(fhir_a, org_a, patient_a):
    expected = []
    for hour in range(6):
        moment = MONDAY_MORNING - datetime.timedelta(hours=hour)
        if hour % 2:
            row = inbound(org_a, patient=patient_a, received_at=moment)
        else:
            row = outbound(org_a, patient=patient_a, status="sent", due_at=moment)
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
    fhir_a, org_a, patient_a, django_assert_max_num_queries
):
    for hour in range(6):
        outbound(org_a, patient=patient_a, status="sent", due_at=at(MONDAY, hour))
        inbound(org_a, patient=patient_a, received_at=at(MONDAY, hour, 30))

    fhir_a.get("Organization")  # the token records its first use once a minute
    with django_assert_max_num_queries(14):
        bundle = fhir_a.get("Communication").json()

    assert len(bundle["entry"]) == 12


def test_unknown_parameter_strict_handling_gets_400(fhir_a):
    response = fhir_a.get("Communication", {"medium": "SMSWRIT"}, Prefer="handling=strict")

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["medium"]
