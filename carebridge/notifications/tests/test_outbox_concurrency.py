"""outbox_deliver_due hands DELIVERY_CONCURRENCY messages to the gateways at once, each
over its own connection, and keeps one recipient's messages in the order they were queued."""

import threading

import pytest

from carebridge.notifications.constants import MessageStatus
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.services import delivery
from carebridge.notifications.services.delivery import outbox_deliver_due
from carebridge.notifications.tests.conftest import WORKER, enqueue

pytestmark = pytest.mark.django_db
# Long enough for a slow CI machine to start the threads; a sequential sender never gets
# past the barrier, however long it waits.
MEETING_SECONDS = 10


def number(index: int) -> str:
    return f"+1617555{index:04d}"


class InFlight:
    """Counts the sends under way, overall and per recipient, from the gateway's side."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = 0
        self.most = 0
        self.per_recipient: dict[str, int] = {}
        self.overlapping_recipients: set[str] = set()

    def begin(self, to_address: str) -> None:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
            self.per_recipient[to_address] = self.per_recipient.get(to_address, 0) + 1
            if self.per_recipient[to_address] > 1:
                self.overlapping_recipients.add(to_address)

    def end(self, to_address: str) -> None:
        with self.lock:
            self.now -= 1
            self.per_recipient[to_address] -= 1


def watch(gateway, in_flight: InFlight, meet: threading.Barrier | None = None) -> None:
    """Wrap the recording gateway's transports so each send is counted while it lasts."""
    make = gateway.transport_for

    def transport_for(channel: str):
        transport = make(channel)
        send = transport.send

        def counted(envelope) -> str:
            in_flight.begin(envelope.to_address)
            try:
                if meet is not None:
                    meet.wait()
                return send(envelope)
            finally:
                in_flight.end(envelope.to_address)

        transport.send = counted
        return transport

    gateway.transport_for = transport_for


@pytest.fixture
def in_flight(gateway, monkeypatch) -> InFlight:
    counter = InFlight()
    watch(gateway, counter)
    monkeypatch.setattr(delivery, "transport_for", gateway.transport_for)
    return counter


def test_as_many_messages_as_configured_are_with_the_gateway_at_once(
    org_a, gateway, settings, monkeypatch
):
    settings.DELIVERY_CONCURRENCY = 4
    counter = InFlight()
    # Each send waits until four are under way: only four at once get through.
    watch(gateway, counter, threading.Barrier(4, timeout=MEETING_SECONDS))
    monkeypatch.setattr(delivery, "transport_for", gateway.transport_for)
    for index in range(8):
        enqueue(org_a, to_address=number(index))

    report = outbox_deliver_due(worker=WORKER)

    assert (report.claimed, report.sent) == (8, 8)
    assert counter.most == 4
    assert len(gateway.opened) == 4  # one connection per message in flight, kept for the batch


def test_one_recipients_messages_go_one_at_a_time_in_queue_order(org_a, gateway, in_flight):
    queued = {
        number(index): [enqueue(org_a, to_address=number(index)) for _ in range(5)]
        for index in range(3)
    }

    report = outbox_deliver_due(worker=WORKER)

    assert report.sent == 15
    assert in_flight.overlapping_recipients == set()
    for address, messages in queued.items():
        sent_keys = [envelope.key for envelope in gateway.sent if envelope.to_address == address]
        assert sent_keys == [message.idempotency_key for message in messages]


def test_every_outcome_is_recorded_whatever_order_the_sends_finish_in(org_a, gateway, in_flight):
    messages = [enqueue(org_a, to_address=number(index)) for index in range(30)]

    report = outbox_deliver_due(worker=WORKER, batch_size=30)

    assert report.sent == 30
    statuses = OutboundMessage.objects.filter(pk__in=[m.pk for m in messages])
    assert set(statuses.values_list("status", flat=True)) == {MessageStatus.SENT}
    assert in_flight.now == 0


def test_one_message_at_a_time_when_configured_so(org_a, gateway, in_flight, settings):
    settings.DELIVERY_CONCURRENCY = 1
    for index in range(6):
        enqueue(org_a, to_address=number(index))

    report = outbox_deliver_due(worker=WORKER)

    assert report.sent == 6
    assert in_flight.most == 1
    assert gateway.opened == ["sms"]
