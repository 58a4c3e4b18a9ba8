"""outbox_drain delivers batch after batch until nothing is due."""

import pytest

from carebridge.notifications.constants import MessageStatus
from carebridge.notifications.locks import outbox_claim_due
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.services.delivery import outbox_drain
from carebridge.notifications.tests.conftest import WORKER, enqueue

pytestmark = pytest.mark.django_db


def test_delivers_every_due_message_batch_after_batch(org_a, gateway):
    messages = [enqueue(org_a) for _ in range(5)]

    report = outbox_drain(worker=WORKER, batch_size=2)

    assert (report.claimed, report.sent) == (5, 5)
    assert sorted(gateway.keys) == sorted(message.idempotency_key for message in messages)


def test_takes_back_at_once_what_this_worker_held_when_its_run_was_cut_short(org_a, gateway):
    mine = enqueue(org_a)
    outbox_claim_due(worker=WORKER, limit=10, lease_seconds=600)  # then the database went away
    theirs = enqueue(org_a)
    outbox_claim_due(worker="another-worker", limit=10, lease_seconds=600)

    report = outbox_drain(worker=WORKER)

    assert report.sent == 1
    assert gateway.keys == [mine.idempotency_key]
    assert OutboundMessage.objects.get(pk=theirs.pk).status == MessageStatus.SENDING
