"""messages_withdraw takes back every message of a topic that has not gone out."""

import pytest

from carebridge.notifications.constants import MessageKind, MessageStatus
from carebridge.notifications.locks import outbox_claim_due
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.services.delivery import outbox_deliver_due
from carebridge.notifications.services.outbox import messages_withdraw
from carebridge.notifications.tests.conftest import TOPIC_TYPE, WORKER, enqueue, visit_topic

pytestmark = pytest.mark.django_db


def status_of(message) -> str:
    return OutboundMessage.objects.get(pk=message.pk).status


def test_withdraws_pending_and_future_messages_of_the_topic_only(org_a, gateway):
    due_now = enqueue(org_a, topic=visit_topic("a1"))
    later = enqueue(org_a, topic=visit_topic("a1"), due_at=due_now.due_at.replace(year=2030))
    other = enqueue(org_a, topic=visit_topic("a2"))

    count = messages_withdraw(topic_type=TOPIC_TYPE, topic_id="a1")

    assert count == 2
    assert [status_of(due_now), status_of(later)] == [MessageStatus.WITHDRAWN] * 2
    assert status_of(other) == MessageStatus.PENDING
    outbox_deliver_due(worker=WORKER)
    assert gateway.keys == [other.idempotency_key]


def test_leaves_sent_messages_alone(org_a, gateway):
    message = enqueue(org_a, topic=visit_topic())
    outbox_deliver_due(worker=WORKER)

    assert messages_withdraw(topic_type=TOPIC_TYPE, topic_id="a1") == 0
    assert status_of(message) == MessageStatus.SENT


def test_only_the_given_kinds(org_a):
    reminder = enqueue(org_a, topic=visit_topic())
    notice = enqueue(org_a, topic=visit_topic(), kind=MessageKind.CANCELLATION)

    assert messages_withdraw(topic_type=TOPIC_TYPE, topic_id="a1", kinds=["reminder"]) == 1
    assert status_of(reminder) == MessageStatus.WITHDRAWN
    assert status_of(notice) == MessageStatus.PENDING


def test_a_message_withdrawn_while_the_gateway_takes_it_is_recorded_as_sent(
    org_a, gateway, settings
):
    # The race is staged inside the send on the test's own database connection, which
    # only the calling thread has: one message at a time, sent in that thread.
    settings.DELIVERY_CONCURRENCY = 1
    message = enqueue(org_a, topic=visit_topic())
    gateway.on_send = lambda: messages_withdraw(topic_type=TOPIC_TYPE, topic_id="a1")

    report = outbox_deliver_due(worker=WORKER)

    assert report.sent == 1
    assert status_of(message) == MessageStatus.SENT


def test_a_message_being_sent_is_withdrawn_if_its_send_then_fails(org_a):
    message = enqueue(org_a, topic=visit_topic())
    outbox_claim_due(worker=WORKER, limit=10, lease_seconds=60)

    assert messages_withdraw(topic_type=TOPIC_TYPE, topic_id="a1") == 1
    assert status_of(message) == MessageStatus.WITHDRAWN
