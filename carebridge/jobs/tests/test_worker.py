"""`carebridge worker` runs queued tasks and, beside them, the scheduler's jobs: a message
whose delivery task was lost is found by the delivery job and delivered."""

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from carebridge.notifications.constants import MessageChannel, MessageKind, MessageStatus
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.services.outbox import message_enqueue
from carebridge.notifications.testing.sms_provider import SmsProvider
from carebridge.notifications.tests.processes import command_environment, start, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def text(organization) -> OutboundMessage:
    return message_enqueue(
        organization=organization,
        kind=MessageKind.REMINDER,
        channel=MessageChannel.SMS,
        to_address="+16175550101",
        body_text="Your visit is tomorrow at 10:00.",
    )


def status(message) -> str:
    return OutboundMessage.objects.get(pk=message.pk).status


def test_the_task_enqueued_on_commit_delivers_the_message(org_a, settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path
    message = text(org_a)

    call_command("worker", "--batch", "--interval", "0", "--no-startup-delay")

    assert status(message) == MessageStatus.SENT
    assert (tmp_path / f"{message.idempotency_key}.json").exists()


def test_the_scheduler_enqueues_delivery_of_a_message_whose_task_was_lost(org_a, tmp_path):
    message = text(org_a)
    DBTaskResult.objects.all().delete()  # as if the worker that held it had been killed

    with SmsProvider() as provider:
        worker = start(
            ["worker", "--interval", "0.1", "--no-startup-delay"],
            command_environment(tmp_path, sms=provider),
        )
        try:
            wait_for(lambda: status(message) == MessageStatus.SENT, timeout=60, what="delivery")
        finally:
            worker.terminate()
            worker.wait(timeout=30)

    assert [sent.idempotency_key for sent in provider.messages] == [message.idempotency_key]
