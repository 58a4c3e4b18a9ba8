"""outbox_deliver_due claims due messages with a lease, re-checks them, sends them and
records the outcome, retrying transient failures with backoff."""

import datetime

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.core import clock
from carebridge.notifications.constants import (
    BATCH_SIZE,
    MAX_ATTEMPTS,
    RETRY_BASE_SECONDS,
    RETRY_CAP_SECONDS,
    SQLITE_BATCH_SIZE,
    AttemptOutcome,
    MessageChannel,
    MessageKind,
    MessageStatus,
)
from carebridge.notifications.errors import PermanentDeliveryError, TransientDeliveryError
from carebridge.notifications.locks import outbox_claim_due
from carebridge.notifications.models import DeliveryAttempt, OutboundMessage
from carebridge.notifications.services.delivery import (
    RECORD_EVERY,
    outbox_deliver_due,
    retry_delay,
)
from carebridge.notifications.tests.conftest import WORKER, ago, enqueue, visit_topic
from carebridge.patients.services import patient_update

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 2, 14, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def reloaded(message) -> OutboundMessage:
    return OutboundMessage.objects.get(pk=message.pk)


def test_sends_due_messages_and_records_the_gateways_id(org_a, gateway):
    message = enqueue(org_a, subject="", body_text="See you soon.")

    report = outbox_deliver_due(worker=WORKER)

    assert (report.claimed, report.sent) == (1, 1)
    envelope = gateway.sent[0]
    assert (envelope.key, envelope.to_address, envelope.body_text) == (
        message.idempotency_key,
        "+16175550199",
        "See you soon.",
    )
    sent = reloaded(message)
    assert (sent.status, sent.sent_at, sent.attempts) == (MessageStatus.SENT, NOW, 1)
    assert sent.next_attempt_at is None  # final: out of the claim index
    assert sent.provider_message_id == f"provider-{message.idempotency_key}"
    attempt = DeliveryAttempt.objects.get(message=message)
    assert (attempt.outcome, attempt.worker) == (AttemptOutcome.SENT, WORKER)


def test_leaves_future_messages_for_later(org_a, gateway):
    enqueue(org_a, due_at=NOW + datetime.timedelta(minutes=1))

    assert outbox_deliver_due(worker=WORKER).claimed == 0
    assert gateway.sent == []


def test_claims_at_most_a_batch_oldest_first(org_a, gateway):
    oldest = enqueue(org_a, due_at=ago(minutes=5))
    for _ in range(3):
        enqueue(org_a)

    assert outbox_deliver_due(worker=WORKER, batch_size=2).sent == 2
    assert gateway.keys[0] == oldest.idempotency_key
    assert outbox_deliver_due(worker=WORKER, batch_size=2).sent == 2
    assert outbox_deliver_due(worker=WORKER, batch_size=2).claimed == 0


def test_a_leased_message_is_not_claimed_again_until_the_lease_ends(org_a, gateway, frozen):
    message = enqueue(org_a)
    outbox_claim_due(worker="a-worker-that-dies", limit=10, lease_seconds=60)

    assert outbox_deliver_due(worker=WORKER).claimed == 0
    frozen.shift(datetime.timedelta(seconds=61))
    assert outbox_deliver_due(worker=WORKER).sent == 1
    assert reloaded(message).attempts == 2


def test_a_transient_failure_is_retried_with_doubling_waits(org_a, gateway, frozen):
    message = enqueue(org_a)
    gateway.failures[message.idempotency_key] = TransientDeliveryError("gateway busy")

    assert outbox_deliver_due(worker=WORKER).retrying == 1
    waiting = reloaded(message)
    assert waiting.status == MessageStatus.PENDING
    assert waiting.last_error == "gateway busy"
    assert waiting.next_attempt_at == NOW + datetime.timedelta(seconds=RETRY_BASE_SECONDS)

    frozen.shift(datetime.timedelta(seconds=RETRY_BASE_SECONDS))
    outbox_deliver_due(worker=WORKER)
    assert reloaded(message).next_attempt_at == clock.now() + datetime.timedelta(
        seconds=2 * RETRY_BASE_SECONDS
    )
    del gateway.failures[message.idempotency_key]
    frozen.shift(datetime.timedelta(seconds=2 * RETRY_BASE_SECONDS))
    assert outbox_deliver_due(worker=WORKER).sent == 1
    assert list(
        DeliveryAttempt.objects.filter(message=message).values_list("outcome", flat=True)
    ) == ["transient", "transient", "sent"]


def test_the_wait_between_retries_is_capped():
    assert retry_delay(1) == datetime.timedelta(seconds=RETRY_BASE_SECONDS)
    assert retry_delay(30) == datetime.timedelta(seconds=RETRY_CAP_SECONDS)


def test_gives_up_after_the_last_attempt_and_says_why(org_a, gateway, frozen):
    message = enqueue(org_a)
    gateway.failures[message.idempotency_key] = TransientDeliveryError("timed out")

    for _ in range(MAX_ATTEMPTS):
        outbox_deliver_due(worker=WORKER)
        frozen.shift(datetime.timedelta(seconds=RETRY_CAP_SECONDS))

    failed = reloaded(message)
    assert (failed.status, failed.attempts) == (MessageStatus.FAILED, MAX_ATTEMPTS)
    assert failed.last_error == f"gave up after {MAX_ATTEMPTS} attempts: timed out"
    assert outbox_deliver_due(worker=WORKER).claimed == 0


def test_a_permanent_failure_fails_at_once_and_the_batch_goes_on(org_a, gateway):
    refused = enqueue(org_a, to_address="+15005550001")
    fine = enqueue(org_a)
    gateway.failures[refused.idempotency_key] = PermanentDeliveryError("not a mobile number")

    report = outbox_deliver_due(worker=WORKER)

    assert (report.failed, report.sent) == (1, 1)
    failed = reloaded(refused)
    assert (failed.status, failed.last_error) == (MessageStatus.FAILED, "not a mobile number")
    assert DeliveryAttempt.objects.get(message=refused).outcome == AttemptOutcome.PERMANENT
    assert gateway.keys == [fine.idempotency_key]


def test_an_unexpected_error_is_retried_without_stopping_the_batch(org_a, gateway):
    broken = enqueue(org_a)
    fine = enqueue(org_a)
    gateway.failures[broken.idempotency_key] = KeyError("bug")

    report = outbox_deliver_due(worker=WORKER)

    assert (report.retrying, report.sent) == (1, 1)
    assert reloaded(broken).last_error == "unexpected error: KeyError: 'bug'"
    assert gateway.keys == [fine.idempotency_key]


def test_an_unreachable_gateway_delays_its_channel_only(org_a, gateway):
    text = enqueue(org_a)
    mail = enqueue(org_a, channel=MessageChannel.EMAIL, to_address="jose@example.org")
    gateway.unreachable["sms"] = PermanentDeliveryError("authentication refused")

    report = outbox_deliver_due(worker=WORKER)

    assert (report.retrying, report.sent) == (1, 1)
    assert reloaded(text).status == MessageStatus.PENDING
    assert reloaded(text).last_error == "authentication refused"
    assert gateway.keys == [mail.idempotency_key]


def test_a_message_that_never_finishes_is_given_up(org_a, gateway, frozen):
    message = enqueue(org_a)
    for _ in range(MAX_ATTEMPTS):
        outbox_claim_due(worker="dies-every-time", limit=1, lease_seconds=1)
        frozen.shift(datetime.timedelta(seconds=2))

    report = outbox_deliver_due(worker=WORKER)

    assert (report.claimed, report.failed) == (1, 1)
    assert reloaded(message).last_error == (
        f"gave up after {MAX_ATTEMPTS} attempts, the last never finished"
    )
    assert gateway.sent == []


@pytest.mark.parametrize(
    ("channel", "fields", "reason"),
    [
        ("sms", {"consent_sms": False}, "no consent to text messages"),
        ("sms", {"sms_opted_out_at": NOW}, "the patient opted out of text messages"),
        ("email", {"consent_email": False}, "no consent to email"),
        ("email", {"email_opted_out_at": NOW}, "the patient opted out of email"),
    ],
)
def test_consent_is_checked_again_at_delivery(
    org_a, consenting_patient, gateway, channel, fields, reason
):
    address = {"sms": consenting_patient.phone_mobile, "email": consenting_patient.email}
    message = enqueue(
        org_a, patient=consenting_patient, channel=channel, to_address=address[channel]
    )
    # Opt-out times are the opt-out service's to set; for this check the row is enough.
    type(consenting_patient).objects.filter(pk=consenting_patient.pk).update(**fields)

    report = outbox_deliver_due(worker=WORKER)

    assert report.suppressed == 1
    assert (reloaded(message).status, reloaded(message).last_error) == (
        MessageStatus.SUPPRESSED,
        reason,
    )
    assert gateway.sent == []


def test_a_consenting_patient_gets_both_channels(org_a, consenting_patient, gateway):
    enqueue(org_a, patient=consenting_patient)
    enqueue(
        org_a,
        patient=consenting_patient,
        channel=MessageChannel.EMAIL,
        to_address=consenting_patient.email,
    )

    assert outbox_deliver_due(worker=WORKER).sent == 2


def test_the_answer_to_stop_goes_out_although_the_patient_opted_out(
    org_a, consenting_patient, gateway
):
    patient = patient_update(patient=consenting_patient, actor=None, fields={"consent_sms": False})
    enqueue(org_a, patient=patient, kind=MessageKind.OPT_OUT_ACK)

    assert outbox_deliver_due(worker=WORKER).sent == 1


def test_a_message_without_an_address_is_suppressed(org_a, gateway):
    message = enqueue(org_a, to_address="")

    assert outbox_deliver_due(worker=WORKER).suppressed == 1
    assert reloaded(message).last_error == "no address"


def test_a_message_its_topic_no_longer_wants_is_withdrawn_not_sent(org_a, gateway, relevance):
    still_booked = enqueue(org_a, topic=visit_topic("a1", "10:00"))
    moved = enqueue(org_a, topic=visit_topic("a2", "11:00"))
    relevance.wanted.add(("a1", "10:00"))

    report = outbox_deliver_due(worker=WORKER)

    assert (report.sent, report.withdrawn) == (1, 1)
    assert gateway.keys == [still_booked.idempotency_key]
    assert (reloaded(moved).status, reloaded(moved).last_error) == (
        MessageStatus.WITHDRAWN,
        "no longer wanted",
    )
    assert relevance.calls == [[("a1", "10:00"), ("a2", "11:00")]]


def test_a_worker_that_lost_its_lease_does_not_overwrite_the_new_holder(
    org_a, gateway, frozen, settings
):
    # The race is staged inside the send on the test's own database connection, which
    # only the calling thread has: one message at a time, sent in that thread.
    settings.DELIVERY_CONCURRENCY = 1
    message = enqueue(org_a)

    def lease_passes_to_another_worker():
        frozen.shift(datetime.timedelta(seconds=2))
        outbox_claim_due(worker="another", limit=1, lease_seconds=60)

    gateway.on_send = lease_passes_to_another_worker
    report = outbox_deliver_due(worker=WORKER, lease_seconds=1)

    assert report.sent == 0
    held = reloaded(message)
    assert (held.status, held.leased_by, held.attempts) == (MessageStatus.SENDING, "another", 2)


def test_stops_sending_when_a_slow_gateway_has_used_up_the_lease(org_a, gateway, frozen):
    for _ in range(RECORD_EVERY + 1):
        enqueue(org_a)
    gateway.on_send = lambda: frozen.shift(datetime.timedelta(seconds=1))

    report = outbox_deliver_due(
        worker=WORKER, batch_size=RECORD_EVERY + 1, lease_seconds=RECORD_EVERY - 0.5
    )

    assert (report.claimed, report.sent) == (RECORD_EVERY + 1, RECORD_EVERY)
    left = OutboundMessage.objects.get(status=MessageStatus.SENDING)
    assert left.next_attempt_at <= clock.now()  # claimable again, by any worker


def test_a_worker_claims_fewer_at_a_time_on_sqlite(org_a, gateway):
    # SQLite's one write lock is held by each claim and record, and bookings wait for it
    expected = SQLITE_BATCH_SIZE if connection.vendor == "sqlite" else BATCH_SIZE
    for _ in range(SQLITE_BATCH_SIZE + 1):
        enqueue(org_a)

    report = outbox_deliver_due(worker=WORKER)

    assert report.claimed == min(expected, SQLITE_BATCH_SIZE + 1)


def test_an_email_carries_its_calendar_and_unsubscribe_link_to_the_gateway(org_a, gateway):
    enqueue(
        org_a,
        channel=MessageChannel.EMAIL,
        to_address="jose@example.org",
        subject="Your visit",
        calendar="BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n",
        calendar_method="REQUEST",
        unsubscribe_url="https://clinic.example/p/unsubscribe/abc/",
    )

    outbox_deliver_due(worker=WORKER)

    (envelope,) = gateway.sent
    assert (envelope.subject, envelope.calendar_method) == ("Your visit", "REQUEST")
    assert envelope.calendar.startswith("BEGIN:VCALENDAR")
    assert envelope.unsubscribe_url == "https://clinic.example/p/unsubscribe/abc/"


def _statements_to_deliver(organization, patient, relevance, count: int) -> int:
    for number in range(count):
        relevance.wanted.add((f"visit-{number}", "10:00"))
        channel = (MessageChannel.SMS, MessageChannel.EMAIL)[number % 2]
        address = patient.phone_mobile if channel == MessageChannel.SMS else patient.email
        enqueue(
            organization,
            patient=patient,
            channel=channel,
            to_address=address,
            topic=visit_topic(f"visit-{number}", "10:00"),
        )
    with CaptureQueriesContext(connection) as captured:
        assert outbox_deliver_due(worker=WORKER).sent == count
    return len(captured)


def test_delivery_reads_nothing_more_for_each_message(
    org_a, consenting_patient, gateway, relevance
):
    """A claim loads what sending and its checks need up front; a field left out of it
    would cost one more statement for every message of a batch."""
    few = _statements_to_deliver(org_a, consenting_patient, relevance, 2)
    OutboundMessage.objects.all().delete()

    assert _statements_to_deliver(org_a, consenting_patient, relevance, 12) == few


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's planner only")
def test_a_claim_walks_the_claim_index_even_where_a_table_scan_looks_cheaper(org_a):
    """On a table of a few rows a scan and a sort cost nothing, so the planner picks them;
    after a bulk enqueue, on statistics from those few rows, it kept picking them."""
    enqueue(org_a)
    with CaptureQueriesContext(connection) as captured:
        outbox_claim_due(worker=WORKER, limit=10, lease_seconds=60)
    [claim] = [query["sql"] for query in captured if "SKIP LOCKED" in query["sql"]]

    # The claim's planner settings last until the transaction around it ends, the test's.
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN {claim}")
        plan = "\n".join(row for (row,) in cursor.fetchall())

    assert "Index Scan using outbox_claimable" in plan
