"""Writing messages into the transactional outbox, and taking back the ones no longer wanted.

A message is a row written in the caller's transaction: it exists exactly when the change
that caused it committed. Delivery happens later, in the task worker (see `delivery`).
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass

from django.db import connection, transaction

from carebridge.accounts.models import Organization
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import AuditTarget, audit_record_many
from carebridge.core import clock
from carebridge.core.db import insert_new
from carebridge.core.errors import InvalidInput
from carebridge.core.validation import choice_values
from carebridge.notifications.constants import (
    UNSENT_STATUSES,
    WITHDRAWN_REASON,
    CalendarMethod,
    MessageChannel,
    MessageKind,
    MessageStatus,
)
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.tasks import deliver_due_messages, delivery_task_waiting
from carebridge.patients.models import Patient


@dataclass(frozen=True)
class Topic:
    """What a message is about: e.g. ("appointment", its public id, its start in ISO form).
    The stamp must still hold when the message goes out, or the message is withdrawn (see
    `delivery.relevance_register`)."""

    type: str
    id: str
    stamp: str = ""


def _check_choice(value: str, choices: type, field: str) -> None:
    if value not in choice_values(choices):
        raise InvalidInput(
            f"{field}: {value!r} is not one of {', '.join(choices.values)}", field=field
        )


def _request_delivery() -> None:
    # A waiting task will claim these messages too; reading that costs no write (on SQLite
    # a write would queue behind every booking). A task that starts between this look and
    # its last claim leaves them to the scheduler's delivery job, seconds later.
    if not delivery_task_waiting():
        deliver_due_messages.enqueue()


def _request_delivery_on_commit() -> None:
    """One delivery task per transaction, however many messages it wrote (a bulk import can
    write thousands); the scheduler's delivery job covers a request that failed."""
    if any(callback is _request_delivery for _, callback, _ in connection.run_on_commit):
        return
    transaction.on_commit(_request_delivery, robust=True)


@dataclass(frozen=True)
class MessageContent:
    """One kind of message to queue: its words, and when it is due (None: now), once each."""

    kind: str
    body_text: str
    subject: str = ""
    body_html: str = ""
    due_times: Sequence[datetime.datetime | None] = (None,)


def message_enqueue(
    *,
    organization: Organization,
    kind: str,
    channel: str,
    to_address: str,
    body_text: str,
    subject: str = "",
    body_html: str = "",
    calendar: str = "",
    calendar_method: str = "",
    patient: Patient | None = None,
    language: str = "en",
    topic: Topic | None = None,
    due_times: Sequence[datetime.datetime | None] = (None,),
    unsubscribe_url: str = "",
) -> list[OutboundMessage]:
    """Write a message to the outbox once for each of `due_times` (None: now), e.g. a
    visit's reminders; returns the rows in that order. See `messages_enqueue`."""
    return messages_enqueue(
        organization=organization,
        contents=[MessageContent(kind, body_text, subject, body_html, due_times)],
        channel=channel,
        to_address=to_address,
        calendar=calendar,
        calendar_method=calendar_method,
        patient=patient,
        language=language,
        topic=topic,
        unsubscribe_url=unsubscribe_url,
    )


def messages_enqueue(
    *,
    organization: Organization,
    contents: Sequence[MessageContent],
    channel: str,
    to_address: str,
    calendar: str = "",
    calendar_method: str = "",
    patient: Patient | None = None,
    language: str = "en",
    topic: Topic | None = None,
    unsubscribe_url: str = "",
) -> list[OutboundMessage]:
    """Write messages of one or more kinds to one address, about one topic, in one insert
    (a booking's confirmation and its reminders due soon); returns the rows in the order given.

    Call it inside the transaction of the change that causes the messages: the rows commit
    or roll back with it. Invariants: kinds, channel and calendar method are known, and a
    calendar comes with its method; the patient belongs to the organization; no body is
    empty. The address is not checked against consent here: consent is re-checked at
    delivery, when it counts. An email's `unsubscribe_url` goes out as its List-Unsubscribe
    header. Side effects: a delivery task enqueued once the transaction commits (for a
    message due now), and one audit entry per message when it concerns a patient.
    """
    for content in contents:
        _check_choice(content.kind, MessageKind, "kind")
        if not content.body_text.strip():
            raise InvalidInput("body_text: a message needs a body", field="body_text")
    _check_choice(channel, MessageChannel, "channel")
    _check_choice(calendar_method, CalendarMethod, "calendar_method")
    if patient is not None and patient.organization_id != organization.pk:
        raise InvalidInput("patient: not a patient of this organization", field="patient")
    if bool(calendar) != bool(calendar_method):
        raise InvalidInput(
            "calendar_method: a calendar invitation needs its method, and only it",
            field="calendar_method",
        )
    now = clock.now()
    topic = topic or Topic("", "")
    # No savepoint (two statements on every booking): checked input cannot fail the writes,
    # and a failed write must fail the caller's change anyway.
    with transaction.atomic(savepoint=False):
        messages = [
            OutboundMessage(
                organization=organization,
                kind=content.kind,
                channel=channel,
                patient=patient,
                to_address=to_address.strip(),
                subject=content.subject,
                body_text=content.body_text,
                body_html=content.body_html,
                calendar=calendar,
                calendar_method=calendar_method,
                language=language,
                unsubscribe_url=unsubscribe_url,
                topic_type=topic.type,
                topic_id=topic.id,
                topic_stamp=topic.stamp,
                due_at=when,
                next_attempt_at=when,
            )
            for content in contents
            for when in [due or now for due in content.due_times]
        ]
        insert_new(messages)
        if patient is not None:
            _audit_created(organization, patient, messages, channel)
    if any(message.due_at <= now for message in messages):
        _request_delivery_on_commit()
    return messages


def _audit_created(organization, patient, messages: list[OutboundMessage], channel: str) -> None:
    for kind in dict.fromkeys(message.kind for message in messages):
        audit_record_many(
            organization_id=organization.pk,
            actor=None,
            action=AuditAction.CREATE,
            targets=[
                AuditTarget("OutboundMessage", str(message.public_id), str(patient.public_id))
                for message in messages
                if message.kind == kind
            ],
            detail=f"{kind} by {channel}",
        )


@transaction.atomic
def messages_withdraw(
    *, topic_type: str, topic_id: str, kinds: Collection[str] | None = None
) -> int:
    """Withdraw every message of the topic that has not gone out (pending, waiting for a
    retry, or being sent right now); returns how many.

    A worker that is sending one of them at this moment still records it as sent if the
    gateway took it (its lease is left in place for that): the status then tells what
    really happened.
    """
    unsent = OutboundMessage.objects.filter(
        topic_type=topic_type, topic_id=topic_id, status__in=UNSENT_STATUSES
    )
    if kinds is not None:
        unsent = unsent.filter(kind__in=kinds)
    return unsent.update(
        status=MessageStatus.WITHDRAWN,
        last_error=WITHDRAWN_REASON,
        next_attempt_at=None,
        updated_at=clock.now(),
    )
