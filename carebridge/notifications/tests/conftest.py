"""A gateway that records what it was given, and helpers to write outbox rows."""

from __future__ import annotations

import datetime

import pytest

from carebridge.core import clock
from carebridge.notifications.constants import MessageChannel, MessageKind
from carebridge.notifications.errors import DeliveryError
from carebridge.notifications.services import delivery
from carebridge.notifications.services.outbox import Topic, message_enqueue
from carebridge.patients.services import patient_update

WORKER = "test-worker"


class RecordingGateway:
    """Stands in for every transport: keeps the envelopes, or fails the keys it was told to."""

    def __init__(self) -> None:
        self.sent: list = []
        self.failures: dict[str, Exception] = {}
        self.unreachable: dict[str, DeliveryError] = {}
        self.opened: list[str] = []
        # Called inside every send, before the gateway accepts: a race to stage.
        self.on_send = lambda: None

    def transport_for(self, channel: str):
        gateway = self

        class Transport:
            def open(self) -> None:
                if channel in gateway.unreachable:
                    raise gateway.unreachable[channel]
                gateway.opened.append(channel)

            def close(self) -> None:
                return None

            def send(self, envelope) -> str:
                gateway.on_send()
                if envelope.key in gateway.failures:
                    raise gateway.failures[envelope.key]
                gateway.sent.append(envelope)
                return f"provider-{envelope.key}"

        return Transport()

    @property
    def keys(self) -> list[str]:
        return [envelope.key for envelope in self.sent]


@pytest.fixture
def gateway(monkeypatch) -> RecordingGateway:
    recording = RecordingGateway()
    monkeypatch.setattr(delivery, "transport_for", recording.transport_for)
    return recording


@pytest.fixture
def consenting_patient(patient_a):
    return patient_update(
        patient=patient_a,
        actor=None,
        fields={"consent_sms": True, "consent_email": True},
    )


def enqueue(organization, *, patient=None, due_at=None, **overrides):
    """A text message to the patient (or to a fixed number), due now unless told."""
    fields = {
        "organization": organization,
        "kind": MessageKind.REMINDER,
        "channel": MessageChannel.SMS,
        "to_address": patient.phone_mobile if patient else "+16175550199",
        "body_text": "Clinic A: see you Tuesday at 10:00.",
        "patient": patient,
    }
    [message] = message_enqueue(**(fields | overrides), due_times=[due_at])
    return message


# A topic type no app registers a relevance checker for, unless a test does.
TOPIC_TYPE = "test-visit"


def visit_topic(topic_id: str = "a1", stamp: str = "2026-03-03T10:00:00") -> Topic:
    return Topic(TOPIC_TYPE, topic_id, stamp)


class Relevance:
    """A relevance checker for TOPIC_TYPE that wants only the pairs in `wanted`."""

    def __init__(self) -> None:
        self.wanted: set[tuple[str, str]] = set()
        self.calls: list[list[tuple[str, str]]] = []

    def __call__(self, pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
        self.calls.append(pairs)
        return self.wanted & set(pairs)


@pytest.fixture
def relevance(monkeypatch) -> Relevance:
    checker = Relevance()
    monkeypatch.setitem(delivery._relevance_checkers, TOPIC_TYPE, checker)
    return checker


def ago(**delta) -> datetime.datetime:
    return clock.now() - datetime.timedelta(**delta)
