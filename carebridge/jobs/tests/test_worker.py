"""`carebridge worker` runs queued tasks and, beside them, the scheduler's jobs: a message
whose delivery task was lost is found by the delivery job and delivered."""

import pytest
from django.core.management import call_command
from django.db import OperationalError
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from carebridge.jobs.management.commands import worker as worker_command
from carebridge.notifications.constants import MessageChannel, MessageKind, MessageStatus
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.services.outbox import message_enqueue
from carebridge.notifications.testing.sms_provider import SmsProvider
from carebridge.notifications.tests.processes import command_environment, start, wait_for


def text(organization) -> OutboundMessage:
    [message] = message_enqueue(
        organization=organization,
        kind=MessageKind.REMINDER,
        channel=MessageChannel.SMS,
        to_address="+16175550101",
        body_text="Your visit is tomorrow at 10:00.",
    )
    return message


def status(message) -> str:
    return OutboundMessage.objects.get(pk=message.pk).status


@pytest.mark.django_db(transaction=True)
def test_the_task_enqueued_on_commit_delivers_the_message(org_a, settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path
    message = text(org_a)

    call_command("worker", "--batch", "--interval", "0", "--no-startup-delay")

    assert status(message) == MessageStatus.SENT
    assert (tmp_path / f"{message.idempotency_key}.json").exists()


@pytest.mark.django_db(transaction=True)
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


def test_the_worker_waits_out_a_lost_database_instead_of_exiting(monkeypatch):
    calls = []

    def task_worker(self, *args, **options):
        calls.append(options["batch"])
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(db_worker.Command, "handle", task_worker)
    monkeypatch.setattr(worker_command, "RECONNECT_SECONDS", 0)

    call_command("worker", "--batch", "--no-startup-delay")

    assert calls == [True, True]
