"""The delivery job enqueues delivery once messages have come due, and only then."""

import datetime

import pytest
import time_machine
from django_tasks_db.models import DBTaskResult

from carebridge.jobs.periodic import deliver_due_messages_when_due
from carebridge.notifications.constants import MessageChannel, MessageKind
from carebridge.notifications.services.outbox import message_enqueue

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 2, 14, tzinfo=datetime.UTC)


@pytest.fixture
def reminder_tomorrow(org_a):
    with time_machine.travel(NOW, tick=False):
        [message] = message_enqueue(
            organization=org_a,
            kind=MessageKind.REMINDER,
            channel=MessageChannel.SMS,
            to_address="+16175550101",
            body_text="Your visit is tomorrow.",
            due_times=[NOW + datetime.timedelta(days=1)],
        )
        return message


def test_nothing_is_enqueued_before_a_message_is_due(reminder_tomorrow):
    with time_machine.travel(NOW + datetime.timedelta(hours=23), tick=False):
        assert deliver_due_messages_when_due() is False
    assert not DBTaskResult.objects.exists()


def test_delivery_is_enqueued_once_the_reminder_is_due(reminder_tomorrow):
    with time_machine.travel(NOW + datetime.timedelta(days=1), tick=False):
        assert deliver_due_messages_when_due() is True
        # A second look while that task waits adds nothing.
        assert deliver_due_messages_when_due() is False
    assert DBTaskResult.objects.count() == 1
