"""/messages/: the organization's recent messages with their status, filterable, with
failures and their reasons standing out."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.audit.models import AuditEntry
from carebridge.notifications.errors import PermanentDeliveryError
from carebridge.notifications.services.delivery import outbox_drain
from carebridge.notifications.services.inbound import inbound_record
from carebridge.notifications.tests.conftest import WORKER, enqueue

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator_client(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


@pytest.fixture
def delivered_and_failed(org_a, consenting_patient, gateway):
    sent = enqueue(org_a, patient=consenting_patient, body_text="See you Tuesday.")
    failed = enqueue(org_a, patient=consenting_patient, to_address="+15005550009")
    gateway.failures[failed.idempotency_key] = PermanentDeliveryError("not a mobile number")
    outbox_drain(worker=WORKER)
    return sent, failed


def test_lists_messages_with_status_and_the_reason_of_a_failure(
    coordinator_client, delivered_and_failed
):
    sent, failed = delivered_and_failed

    html = coordinator_client.get("/messages/").content.decode()

    assert f"/messages/{sent.public_id}/" in html and f"/messages/{failed.public_id}/" in html
    assert '<span class="badge badge-cancelled">Failed</span>' in html
    assert "<strong>not a mobile number</strong>" in html
    assert "1 message could not be delivered" in html
    assert 'class="flash"' not in html  # the messages are not taken for flash notices


def test_filters_by_status(coordinator_client, delivered_and_failed):
    sent, failed = delivered_and_failed

    html = coordinator_client.get("/messages/", {"status": "failed"}).content.decode()

    assert f"/messages/{failed.public_id}/" in html
    assert f"/messages/{sent.public_id}/" not in html


def test_an_unknown_status_is_a_bad_request(coordinator_client):
    assert coordinator_client.get("/messages/", {"status": "lost"}).status_code == 400


def test_shows_no_other_organizations_messages(coordinator_client, org_b):
    theirs = enqueue(org_b)

    html = coordinator_client.get("/messages/").content.decode()

    assert str(theirs.public_id) not in html
    assert "No messages" in html


def test_points_to_the_inbox_when_replies_need_a_person(coordinator_client, consenting_patient):
    reply = inbound_record(
        channel="sms",
        from_address=consenting_patient.phone_mobile,
        to_address="+16175550000",
        body="can I bring my daughter?",
        provider_message_id="SM1",
    )
    type(reply).objects.filter(pk=reply.pk).update(needs_attention=True)

    html = coordinator_client.get("/messages/").content.decode()

    assert "1 reply from patients needs a person" in html
    assert 'href="/inbox/"' in html


def test_messages_shown_are_audited_per_patient(
    coordinator_client, coordinator_a, delivered_and_failed
):
    coordinator_client.get("/messages/")

    shown = AuditEntry.objects.filter(action="query", object_type="OutboundMessage")
    assert shown.count() == 2
    assert {entry.actor_id for entry in shown} == {coordinator_a.pk}


def test_the_page_costs_the_same_queries_for_many_messages(
    coordinator_client, org_a, consenting_patient
):
    def queries_for_the_page() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert coordinator_client.get("/messages/").status_code == 200
        return len(captured)

    enqueue(org_a, patient=consenting_patient)
    with_one = queries_for_the_page()
    for _ in range(30):
        enqueue(org_a, patient=consenting_patient)

    assert queries_for_the_page() == with_one


def test_anonymous_is_sent_to_login(client):
    assert client.get("/messages/").status_code == 302


def test_filters_by_patient_with_their_own_counts(
    coordinator_client, org_a, consenting_patient, delivered_and_failed
):
    someone_else = enqueue(org_a, to_address="+16175550123")

    response = coordinator_client.get("/messages/", {"patient": consenting_patient.public_id})

    html = response.content.decode()
    assert "Messages to José Álvarez" in html
    assert all(f"/messages/{m.public_id}/" in html for m in delivered_and_failed)
    assert f"/messages/{someone_else.public_id}/" not in html
    pending_link = f'href="?status=pending&amp;patient={consenting_patient.public_id}"'
    assert f'{pending_link}>Pending <span class="count">0</span>' in html


def test_another_organizations_patient_is_not_found(coordinator_client, org_a, patient_b):
    response = coordinator_client.get("/messages/", {"patient": patient_b.public_id})

    assert response.status_code == 404
    denied = AuditEntry.objects.get(object_ref=str(patient_b.public_id), outcome="denied")
    assert denied.organization_id == org_a.pk


def test_a_malformed_patient_id_is_not_found(coordinator_client):
    assert coordinator_client.get("/messages/", {"patient": "not-an-id"}).status_code == 404
