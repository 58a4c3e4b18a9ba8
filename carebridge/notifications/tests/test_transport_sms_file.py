import json
import os
import threading
import uuid

import pytest
import time_machine

from carebridge.notifications.errors import PermanentDeliveryError
from carebridge.notifications.transports import Envelope
from carebridge.notifications.transports.sms_file import (
    FileSmsTransport,
    file_gateway_contents,
)


@pytest.fixture
def gateway_dir(settings, tmp_path):
    settings.SMS_FILE_PATH = tmp_path / "sms"
    settings.SMS_FROM = "+16175550000"
    return settings.SMS_FILE_PATH


def text(**fields) -> Envelope:
    defaults = {
        "key": uuid.uuid4().hex,
        "channel": "sms",
        "to_address": "+16175550101",
        "subject": "",
        "body_text": "Clinic A: visit Tue 9:00. Reply C to confirm, X to cancel.",
    }
    return Envelope(**(defaults | fields))


@time_machine.travel("2026-11-28T09:00:00Z", tick=False)
def test_each_message_is_one_file_named_after_its_key(gateway_dir):
    sent = text()

    with FileSmsTransport() as transport:
        provider_id = transport.send(sent)

    assert provider_id == f"file:{sent.key}"
    assert [p.name for p in gateway_dir.iterdir()] == [f"{sent.key}.json"]
    assert json.loads((gateway_dir / f"{sent.key}.json").read_text()) == {
        "key": sent.key,
        "to": "+16175550101",
        "from": "+16175550000",
        "body": sent.body_text,
        "written_at": "2026-11-28T09:00:00+00:00",
    }


def test_a_second_send_of_a_key_changes_nothing_and_counts_as_a_retransmission(gateway_dir):
    sent = text()
    with FileSmsTransport() as transport:
        transport.send(sent)
    first = (gateway_dir / f"{sent.key}.json").read_bytes()

    with FileSmsTransport() as transport:
        provider_id = transport.send(text(key=sent.key, body_text="changed"))

    assert provider_id == f"file:{sent.key}"
    assert (gateway_dir / f"{sent.key}.json").read_bytes() == first
    contents = file_gateway_contents()
    assert list(contents.messages) == [sent.key]
    assert contents.retransmissions == 1
    assert not list(gateway_dir.glob(".*.tmp"))


def test_the_envelope_sender_wins_over_the_setting(gateway_dir):
    sent = text(from_address="+16175559999")

    with FileSmsTransport() as transport:
        transport.send(sent)

    assert file_gateway_contents().messages[sent.key]["from"] == "+16175559999"


def test_a_key_that_is_no_plain_file_name_is_refused(gateway_dir):
    with FileSmsTransport() as transport, pytest.raises(PermanentDeliveryError):
        transport.send(text(key="../escape"))

    assert list(gateway_dir.iterdir()) == []


def test_an_empty_gateway_has_nothing(gateway_dir):
    gateway_dir.mkdir()

    contents = file_gateway_contents()

    assert (contents.messages, contents.retransmissions) == ({}, 0)


def test_a_scratch_file_left_by_a_crash_does_not_block_the_message(gateway_dir):
    """A worker restarted in a container may get the same process id and send the same
    message again: the half-written scratch file of its crashed run is overwritten."""
    sent = text()
    gateway_dir.mkdir(parents=True)
    scratch = gateway_dir / f".{sent.key}.{os.getpid()}.{threading.get_ident()}.tmp"
    scratch.write_text('{"key": "half', encoding="utf-8")

    with FileSmsTransport() as transport:
        transport.send(sent)

    assert file_gateway_contents().messages[sent.key]["body"] == sent.body_text
    assert not scratch.exists()
