"""Outbox rows and replies for the Communication and CommunicationRequest tests."""

from __future__ import annotations

import datetime

from carebridge.core import clock
from carebridge.notifications.constants import MessageChannel, MessageKind, MessageStatus
from carebridge.notifications.models import InboundMessage, OutboundMessage
from carebridge.notifications.services.outbox import message_enqueue
from carebridge.scheduling.services.messages import visit_topic


def outbound(
    organization,
    *,
    patient=None,
    appointment=None,
    kind: str = MessageKind.REMINDER,
    channel: str = MessageChannel.SMS,
    status: str = MessageStatus.PENDING,
    due_at: datetime.datetime | None = None,
    body: str = "Clinic A: see you Monday at 10:00. Reply C to confirm.",
    last_error: str = "",
) -> OutboundMessage:
    """A message queued through the outbox, then moved to `status` as delivery would."""
    topic = visit_topic(appointment) if appointment is not None else None
    message = message_enqueue(
        organization=organization,
        kind=kind,
        channel=channel,
        to_address="+16175550101" if channel == MessageChannel.SMS else "jose@example.org",
        body_text=body,
        subject="" if channel == MessageChannel.SMS else "Your visit",
        patient=patient,
        topic=topic,
        due_at=due_at,
    )
    sent = status == MessageStatus.SENT
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=status,
        sent_at=clock.now() if sent else None,
        last_error=last_error,
        next_attempt_at=message.next_attempt_at if status == MessageStatus.PENDING else None,
    )
    message.refresh_from_db()
    return message


def inbound(
    organization,
    *,
    patient=None,
    appointment=None,
    body: str = "C",
    handled_as: str = "confirm",
    needs_attention: bool = False,
    received_at: datetime.datetime | None = None,
) -> InboundMessage:
    """A text reply as the SMS webhook and the reply handler leave it."""
    return InboundMessage.objects.create(
        organization=organization,
        channel=MessageChannel.SMS,
        from_address="+16175550101",
        to_address="+16175550000",
        body=body,
        provider_message_id=f"SM{InboundMessage.objects.count() + 1:032d}",
        received_at=received_at or clock.now(),
        patient=patient,
        topic_type="appointment" if appointment else "",
        topic_id=str(appointment.public_id) if appointment else "",
        handled_as=handled_as,
        needs_attention=needs_attention,
    )
