"""GET /api/messages, /api/messages/{id}, /api/inbound and /api/inbound/{id}."""

import datetime
import uuid

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.fhir_api.tests.messages import consenting, delivered, queued, reply
from carebridge.notifications.errors import TransientDeliveryError
from carebridge.notifications.services.delivery import outbox_drain
from carebridge.notifications.tests.conftest import WORKER
from carebridge.patients.services import patient_create
from carebridge.scheduling.services.appointments import appointment_book
from carebridge.tests.api_client import ApiClient, queries_for

# A search may look far ahead ("everything before 2100"), not past what can be searched.
SEARCHABLE = "outside the years 1900 to 2999 that can be searched"

MONDAY_MORNING = datetime.datetime(2030, 6, 10, 12, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def monday_morning(time_machine):
    time_machine.move_to(MONDAY_MORNING, tick=False)


@pytest.fixture
def booked(clinic_a, patient_a):
    return appointment_book(
        organization=clinic_a.organization,
        actor=None,
        patient=patient_a,
        practitioner=clinic_a.practitioner,
        location=clinic_a.location,
        visit_type=clinic_a.visit_type,
        start=MONDAY_MORNING + 2 * HOUR,
    )


@pytest.fixture
def patient(booked, patient_a):
    return consenting(patient_a)


@pytest.fixture
def other_patient(org_a):
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


def ids(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["id"] for item in response.json()["items"]]


def test_list_filters_and_audits(api_a, org_a, patient, other_patient, booked):
    confirmation = delivered(org_a, patient=other_patient, kind="confirmation", channel="email")
    failed = delivered(
        org_a, patient=patient, due_at=MONDAY_MORNING - HOUR, refusal="number unreachable"
    )
    reminder = queued(org_a, patient=patient, appointment=booked, due_at=MONDAY_MORNING + HOUR)
    first, second, third = (str(m.public_id) for m in (reminder, confirmation, failed))

    def found(params: dict) -> list[str]:
        return ids(api_a.get("/messages", params))

    assert found({}) == [first, second, third]
    assert found({"patient": patient.public_id}) == [first, third]
    assert found({"appointment": booked.public_id}) == [first]
    assert found({"appointment": uuid.uuid4()}) == []
    assert found({"kind": "confirmation"}) == [second]
    assert found({"status": ["failed", "pending"]}) == [first, third]
    assert found({"channel": "email"}) == [second]
    assert found({"due_from": MONDAY_MORNING.isoformat()}) == [first, second]
    assert found({"due_before": MONDAY_MORNING.isoformat()}) == [third]
    page = api_a.get("/messages", {"limit": 2, "offset": 2}).json()
    assert (page["total"], [item["id"] for item in page["items"]]) == (3, [third])
    listed = api_a.get("/messages", {"status": "failed"}).json()["items"][0]
    assert listed["last_error"].endswith("number unreachable")
    assert listed["patient"]["id"] == str(patient.public_id)
    assert AuditEntry.objects.filter(
        object_type="OutboundMessage", object_ref=third, action="query"
    ).exists()


def test_bad_filters_get_400(api_a):
    assert api_a.get("/messages", {"status": "lost"}).status_code == 400
    assert api_a.get("/messages", {"due_from": "2030-06-10T12:00:00"}).status_code == 400
    assert api_a.get("/inbound", {"handled_as": "maybe"}).status_code == 400


@pytest.mark.parametrize(
    ("path", "field"),
    [
        ("/messages", "due_from"),
        ("/messages", "due_before"),
        ("/inbound", "received_from"),
        ("/inbound", "received_before"),
    ],
)
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        # Valid where they were typed, but out of what dates hold once read in UTC.
        ("0001-01-01T00:30:00+14:00", SEARCHABLE),
        ("9999-12-31T23:00:00-12:00", SEARCHABLE),
        ("3000-01-01T00:00:00Z", SEARCHABLE),
    ],
)
def test_a_mistyped_year_in_a_time_filter_gets_400_naming_it(api_a, path, field, value, reason):
    response = api_a.get(path, {field: value})

    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert response.json()["message"] == f"{field}: {reason}"


def test_read_shows_the_delivery_attempts(api_a, org_a, patient, booked, gateway):
    message = queued(org_a, patient=patient, appointment=booked)
    gateway.failures[message.idempotency_key] = TransientDeliveryError("gateway busy")
    outbox_drain(worker=WORKER)

    response = api_a.get(f"/messages/{message.public_id}")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["appointment"], body["status"], body["attempts"]) == (
        str(booked.public_id),
        "pending",
        1,
    )
    assert [(a["outcome"], a["error"]) for a in body["delivery_attempts"]] == [
        ("transient", "gateway busy")
    ]
    assert AuditEntry.objects.filter(object_ref=str(message.public_id), action="read").exists()


def test_another_organizations_message_and_reply_are_404(token_b, org_a, patient):
    api_b = ApiClient(token_b)
    message = queued(org_a, patient=patient)
    answer = reply(patient, "hello?")

    assert api_b.get(f"/messages/{message.public_id}").status_code == 404
    assert api_b.get(f"/inbound/{answer.public_id}").status_code == 404
    assert api_b.get(f"/messages/{uuid.uuid4()}").status_code == 404
    assert ids(api_b.get("/messages")) == [] and ids(api_b.get("/inbound")) == []
    assert api_b.get("/messages", {"patient": patient.public_id}).status_code == 404
    assert api_b.get("/inbound", {"patient": patient.public_id}).status_code == 404


def test_inbound_lists_replies_and_those_needing_attention(
    api_a, org_a, patient, booked, time_machine
):
    delivered(org_a, patient=patient, appointment=booked)
    confirmed = reply(patient, "C")
    time_machine.shift(datetime.timedelta(minutes=5))
    unclear = reply(patient, "can I bring my son?")
    newest, oldest = str(unclear.public_id), str(confirmed.public_id)

    def found(params: dict) -> list[str]:
        return ids(api_a.get("/inbound", params))

    assert found({}) == [newest, oldest]
    assert found({"needs_attention": "true"}) == [newest]
    assert found({"needs_attention": "false"}) == [oldest]
    assert found({"handled_as": "confirm"}) == [oldest]
    assert found({"appointment": booked.public_id}) == [newest, oldest]
    assert found({"patient": patient.public_id, "limit": 1, "offset": 1}) == [oldest]
    assert found(
        {"received_from": (MONDAY_MORNING + datetime.timedelta(minutes=1)).isoformat()}
    ) == [newest]
    read = api_a.get(f"/inbound/{unclear.public_id}").json()
    assert (read["body"], read["needs_attention"], read["handled_as"]) == (
        "can I bring my son?",
        True,
        "unrecognized",
    )
    assert read["patient"]["id"] == str(patient.public_id)
    assert AuditEntry.objects.filter(
        object_type="InboundMessage", object_ref=newest, action="read"
    ).exists()


def test_listing_does_not_query_once_per_message(api_a, org_a, patient):
    queued(org_a, patient=patient)
    few = queries_for(lambda: api_a.get("/messages"))
    for _ in range(5):
        queued(org_a, patient=patient)

    assert queries_for(lambda: api_a.get("/messages")) == few


def test_inbound_listing_does_not_query_once_per_reply(api_a, patient):
    reply(patient, "hello")
    few = queries_for(lambda: api_a.get("/inbound"))
    for n in range(5):
        reply(patient, f"question {n}")

    assert queries_for(lambda: api_a.get("/inbound")) == few
