"""`carebridge scheduler` runs the periodic jobs on its own until SIGTERM stops it."""

import signal

import pytest
from django_tasks_db.models import DBTaskResult

from carebridge.notifications.constants import MessageChannel, MessageKind
from carebridge.notifications.services.outbox import message_enqueue
from carebridge.notifications.tasks import deliver_due_messages
from carebridge.notifications.tests.processes import command_environment, start, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


def test_enqueues_delivery_for_a_due_message_and_stops_on_sigterm(org_a, tmp_path):
    message_enqueue(
        organization=org_a,
        kind=MessageKind.REMINDER,
        channel=MessageChannel.SMS,
        to_address="+16175550101",
        body_text="Your visit is tomorrow.",
    )
    DBTaskResult.objects.all().delete()  # its delivery task was lost
    delivery_tasks = DBTaskResult.objects.filter(task_path=deliver_due_messages.module_path)

    scheduler = start(["scheduler"], command_environment(tmp_path))
    try:
        wait_for(delivery_tasks.exists, timeout=60, what="the delivery job")
    finally:
        scheduler.send_signal(signal.SIGTERM)
        scheduler.wait(timeout=30)

    assert scheduler.returncode == 0, scheduler.stderr.read()
