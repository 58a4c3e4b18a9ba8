"""The database going away for a while, in the middle of delivery, makes the worker wait
and retry, not crash or drop: every message goes out, once per key at the receivers.

PostgreSQL: every connection of the worker is terminated (pg_terminate_backend) again and
again for a few seconds. SQLite: another writer holds the database's write lock."""

import time

import pytest
from django.db import connection, transaction

from carebridge.notifications.constants import MessageStatus
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.testing.smtp_sink import SmtpSink
from carebridge.notifications.tests.processes import command_environment, start, wait_for
from carebridge.notifications.tests.test_delivery_crashes import enqueue_reminders
from carebridge.notifications.transports.mail import message_id_for
from carebridge.notifications.transports.sms_file import file_gateway_contents

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]
OUTAGE_SECONDS = 3
TERMINATE_OTHERS = """
    SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
    WHERE datname = current_database() AND pid <> pg_backend_pid()
"""


def take_the_database_away(seconds: float) -> int:
    """Returns how many worker connections were cut (PostgreSQL)."""
    if connection.vendor != "postgresql":
        with transaction.atomic():  # IMMEDIATE: holds the write lock from BEGIN
            time.sleep(seconds)
        return 0
    terminated, deadline = 0, time.monotonic() + seconds
    while time.monotonic() < deadline:
        with connection.cursor() as cursor:
            cursor.execute(TERMINATE_OTHERS)
            terminated += cursor.fetchone()[0]
        time.sleep(0.05)
    return terminated


def sent() -> int:
    return OutboundMessage.objects.filter(status=MessageStatus.SENT).count()


def test_delivery_survives_the_database_going_away(org_a, tmp_path):
    keys = enqueue_reminders(org_a)
    total = sum(len(channel_keys) for channel_keys in keys.values())
    with SmtpSink() as sink:
        worker = start(
            ["worker", "--interval", "0.1", "--no-startup-delay"],
            command_environment(tmp_path, smtp=sink),
        )
        try:
            wait_for(lambda: sink.receptions > 0, timeout=60, what="delivery to start")
            terminated = take_the_database_away(OUTAGE_SECONDS)
            assert sent() < total, "delivery was over before the outage"
            wait_for(lambda: sent() == total, timeout=180, what="delivery to recover")
            assert worker.poll() is None, worker.stderr.read()
        finally:
            worker.terminate()
            worker.wait(timeout=30)
        emailed = [message["Message-ID"] for message in sink.messages]
    texted = file_gateway_contents(tmp_path / "outbox" / "sms")

    if connection.vendor == "postgresql":
        assert terminated > 0
    assert sorted(emailed) == sorted(message_id_for(key) for key in keys["email"])
    assert sorted(texted.messages) == sorted(keys["sms"])
