"""GET /api/messages, /api/messages/{id}, /api/inbound and /api/inbound/{id}."""

import datetime
import uuid

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.fhir_api.tests.messages import inbound, outbound
from carebridge.notifications.errors import TransientDeliveryError
from carebridge.notifications.services.delivery import outbox_drain
from carebridge.notifications.tests.conftest import WORKER
from carebridge.patients.services import patient_create
from carebridge.scheduling.services.appointments import appointment_book
from carebridge.tests.api_client import ApiClient, queries_for

MONDAY_MORNING = datetime.datetime(2030, 6, 10, 12, 0, tzinfo=datetime.UTC)
VISIT_START = datetime.datetime(2030, 6, 10, 14, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def monday_morning(time_machine):
    time_machine.move_to(MONDAY_MORNING, tick=False)


@pytest.fixture
def api_a(token_a):
    return ApiClient(token_a)


@pytest.fixture
def booked(clinic_a, patient_a):
    return appointment_book(
        organization=clinic_a.organization,
        actor=None,
        patient=patient_a,
        practitioner=clinic_a.practitioner,
        location=clinic_a.location,
        visit_type=clinic_a.visit_type,
        start=VISIT_START,
    )


@pytest.fixture
def other_patient(org_a):
    return patient_create(
        organization=org_a,
        actor=None,
        fields={
            "given_name": "Ida",
            "family_name": "Berg",
            "birth_date": datetime.date(1966, 2, 3),
        },
    )


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_list_filters_and_audits(api_a, org_a, patient_a, other_patient, booked):
    reminder = outbound(
        org_a,
        patient=patient_a,
        appointment=booked,
        due_at=MONDAY_MORNING + datetime.timedelta(hours=1),
    )
    confirmation = outbound(
        org_a, patient=other_patient, kind="confirmation", channel="email", status="sent"
    )
    failed = outbound(
        org_a,
        patient=patient_a,
        status="failed",
        due_at=MONDAY_MORNING - datetime.timedelta(hours=1),
        last_error="number unreachable",
    )
    first, second, third = (str(m.public_id) for m in (reminder, confirmation, failed))

    assert ids(api_a.get("/messages")) == [first, second, third]
    assert ids(api_a.get("/messages", {"patient": patient_a.public_id})) == [first, third]
    assert ids(api_a.get("/messages", {"appointment": booked.public_id})) == [first]
    assert ids(api_a.get("/messages", {"kind": "confirmation"})) == [second]
    assert ids(api_a.get("/messages", {"status": ["failed", "pending"]})) == [first, third]
    assert ids(api_a.get("/messages", {"channel": "email"})) == [second]
    assert ids(api_a.get("/messages", {"due_from": MONDAY_MORNING.isoformat()})) == [first, second]
    assert ids(api_a.get("/messages", {"due_before": MONDAY_MORNING.isoformat()})) == [third]
    page = api_a.get("/messages", {"limit": 2, "offset": 2}).json()
    assert (page["total"], [item["id"] for item in page["items"]]) == (3, [third])
    listed = api_a.get("/messages", {"status": "failed"}).json()["items"][0]
    assert listed["last_error"] == "number unreachable"
    assert listed["patient"]["id"] == str(patient_a.public_id)
    assert AuditEntry.objects.filter(
        object_type="OutboundMessage", object_ref=third, action="query"
    ).exists()


def test_bad_filters_get_400(api_a):
    assert api_a.get("/messages", {"status": "lost"}).status_code == 400
    assert api_a.get("/messages", {"due_from": "2030-06-10T12:00:00"}).status_code == 400


def test_read_shows_the_delivery_attempts(api_a, org_a, consenting_patient, booked, gateway):
    message = outbound(org_a, patient=consenting_patient, appointment=booked)
    gateway.failures[message.idempotency_key] = TransientDeliveryError("gateway busy")
    outbox_drain(worker=WORKER)

    response = api_a.get(f"/messages/{message.public_id}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["appointment"] == str(booked.public_id)
    assert [(a["outcome"], a["error"]) for a in body["delivery_attempts"]] == [
        ("transient", "gateway busy")
    ]
    assert AuditEntry.objects.filter(object_ref=str(message.public_id), action="read").exists()


def test_another_organizations_message_and_reply_are_404(token_b, org_a, patient_a):
    api_b = ApiClient(token_b)
    message = outbound(org_a, patient=patient_a)
    reply = inbound(org_a, patient=patient_a)

    assert api_b.get(f"/messages/{message.public_id}").status_code == 404
    assert api_b.get(f"/inbound/{reply.public_id}").status_code == 404
    assert api_b.get(f"/messages/{uuid.uuid4()}").status_code == 404
    assert ids(api_b.get("/messages")) == [] and ids(api_b.get("/inbound")) == []
    assert api_b.get("/messages", {"patient": patient_a.public_id}).status_code == 404


def test_inbound_lists_replies_and_those_needing_attention(api_a, org_a, patient_a, booked):
    confirmed = inbound(org_a, patient=patient_a, appointment=booked, received_at=MONDAY_MORNING)
    unclear = inbound(
        org_a,
        patient=patient_a,
        body="can I bring my son?",
        handled_as="unrecognized",
        needs_attention=True,
        received_at=MONDAY_MORNING + datetime.timedelta(minutes=5),
    )

    assert ids(api_a.get("/inbound")) == [str(unclear.public_id), str(confirmed.public_id)]
    assert ids(api_a.get("/inbound", {"needs_attention": "true"})) == [str(unclear.public_id)]
    assert ids(api_a.get("/inbound", {"handled_as": "confirm"})) == [str(confirmed.public_id)]
    assert ids(api_a.get("/inbound", {"appointment": booked.public_id})) == [
        str(confirmed.public_id)
    ]
    read = api_a.get(f"/inbound/{unclear.public_id}").json()
    assert (read["body"], read["needs_attention"], read["appointment"]) == (
        "can I bring my son?",
        True,
        None,
    )
    assert AuditEntry.objects.filter(
        object_type="InboundMessage", object_ref=str(unclear.public_id), action="read"
    ).exists()


def test_listing_does_not_query_once_per_message(api_a, org_a, patient_a):
    outbound(org_a, patient=patient_a)
    few = queries_for(lambda: api_a.get("/messages"))
    for _ in range(5):
        outbound(org_a, patient=patient_a)

    assert queries_for(lambda: api_a.get("/messages")) == few
