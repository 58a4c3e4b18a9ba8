"""Several workers delivering at once claim different messages: every message goes out,
and without crashes none is sent twice (not even a raw retransmission)."""

import re

import pytest

from carebridge.notifications.constants import MessageStatus
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.testing.smtp_sink import SmtpSink
from carebridge.notifications.tests.processes import command_environment, start
from carebridge.notifications.tests.test_delivery_crashes import enqueue_reminders
from carebridge.notifications.transports.mail import message_id_for
from carebridge.notifications.transports.sms_file import file_gateway_contents

pytestmark = [pytest.mark.race, pytest.mark.slow, pytest.mark.django_db(transaction=True)]
WORKERS = 3


def test_workers_running_at_once_never_share_a_message(org_a, tmp_path):
    keys = enqueue_reminders(org_a)
    with SmtpSink() as sink:
        environment = command_environment(tmp_path, smtp=sink)
        workers = [
            start(["deliver_messages", "--batch-size", "20"], environment) for _ in range(WORKERS)
        ]
        outputs = [worker.communicate(timeout=600) for worker in workers]
        emailed = [message["Message-ID"] for message in sink.messages]
        raw_email_receptions = sink.receptions
    texted = file_gateway_contents(tmp_path / "outbox" / "sms")

    assert [worker.returncode for worker in workers] == [0] * WORKERS, outputs
    sent_by = [int(re.search(r"\bsent=(\d+)", output).group(1)) for output, _ in outputs]
    assert sum(sent_by) == len(keys["email"]) + len(keys["sms"])
    assert sum(1 for count in sent_by if count) >= 2, f"the workers did not overlap: {sent_by}"
    assert sorted(emailed) == sorted(message_id_for(key) for key in keys["email"])
    assert sorted(texted.messages) == sorted(keys["sms"])
    assert (raw_email_receptions - len(emailed), texted.retransmissions) == (0, 0)
    assert set(OutboundMessage.objects.values_list("status", flat=True)) == {MessageStatus.SENT}
