"""Crash safety of delivery: a worker killed with SIGKILL at random moments, again and
again, loses no message, and the gateways (the SMTP sink and the local SMS HTTP provider,
which de-duplicate by idempotency key like real providers) get each message exactly once.
Raw retransmissions are printed."""

import random
import time

import pytest
from django.db import transaction

from carebridge.notifications.constants import MessageChannel, MessageKind, MessageStatus
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.services.outbox import message_enqueue
from carebridge.notifications.testing.sms_provider import SmsProvider
from carebridge.notifications.testing.smtp_sink import SmtpSink
from carebridge.notifications.tests.processes import command_environment, start, wait_for
from carebridge.notifications.transports.mail import message_id_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
MESSAGES = 5000
KILLS = 20
DELIVER = ["deliver_messages", "--batch-size", "50", "--lease-seconds", "2"]


def enqueue_reminders(organization) -> dict[str, list[str]]:
    keys: dict[str, list[str]] = {MessageChannel.SMS: [], MessageChannel.EMAIL: []}
    with transaction.atomic():
        for number in range(MESSAGES):
            channel = MessageChannel.SMS if number % 2 else MessageChannel.EMAIL
            address = f"+1617555{number:04d}" if number % 2 else f"patient{number}@example.org"
            [message] = message_enqueue(
                organization=organization,
                kind=MessageKind.REMINDER,
                channel=channel,
                to_address=address,
                subject="Your visit tomorrow",
                body_text=f"Reminder {number}: your visit is tomorrow at 10:00.",
            )
            keys[channel].append(message.idempotency_key)
    return keys


def test_killing_the_worker_repeatedly_loses_nothing_and_duplicates_nothing(org_a, tmp_path):
    keys = enqueue_reminders(org_a)
    randomness = random.Random()
    with SmtpSink() as sink, SmsProvider() as provider:
        environment = command_environment(tmp_path, smtp=sink, sms=provider)
        began = time.monotonic()
        for _ in range(KILLS):
            # A random point: after 1 to 100 more emails (texts alternate with them), which
            # falls anywhere in a batch of 50 and keeps 20 rounds short of the 5,000.
            goal = sink.receptions + randomness.randint(1, 100)
            worker = start(DELIVER, environment)
            wait_for(
                lambda goal=goal: sink.receptions >= goal, timeout=60, what="the worker to send"
            )
            worker.kill()
            worker.wait()
            assert worker.returncode == -9, "the worker finished before it could be killed"
        finisher = start(DELIVER, environment)
        _output, errors = finisher.communicate(timeout=600)
        elapsed = time.monotonic() - began

        assert finisher.returncode == 0, errors
        emailed = [message["Message-ID"] for message in sink.messages]
        texted = [message.idempotency_key for message in provider.messages]
        print(  # noqa: T201 - the figure this test exists to report
            f"\n{MESSAGES} messages, {KILLS} SIGKILLs, {elapsed:.1f} s: raw retransmissions "
            f"{sink.retransmissions} by email, {provider.retransmissions} by SMS"
        )

    # Each key once: the receivers keep one message per key, and no key is missing.
    assert sorted(emailed) == sorted(message_id_for(key) for key in keys[MessageChannel.EMAIL])
    assert sorted(texted) == sorted(keys[MessageChannel.SMS])
    statuses = OutboundMessage.objects.values_list("status", flat=True).distinct()
    assert list(statuses) == [MessageStatus.SENT]
