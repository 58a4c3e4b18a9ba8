"""Messages and replies made the way the product makes them, for the API tests: queued
through the outbox, delivered by the worker's drain through a gateway that records what
it is given, answered through the SMS webhook's services."""

from __future__ import annotations

import datetime
from unittest import mock

from carebridge.notifications.constants import MessageChannel, MessageKind
from carebridge.notifications.errors import PermanentDeliveryError
from carebridge.notifications.models import InboundMessage, OutboundMessage
from carebridge.notifications.services import delivery
from carebridge.notifications.services.inbound import inbound_record
from carebridge.notifications.services.outbox import message_enqueue
from carebridge.notifications.tests.conftest import WORKER, RecordingGateway
from carebridge.patients.services import patient_update
from carebridge.scheduling.services.messages import visit_topic
from carebridge.scheduling.services.reminders import reminder_policy_set
from carebridge.scheduling.services.replies import sms_reply_handle

CLINIC_NUMBER = "+16175550000"


def consenting(patient):
    """The patient, now agreeing to texts and email, at a clinic that sends no confirmations
    or reminders of its own: the outbox holds only the messages a test queues."""
    reminder_policy_set(
        organization=patient.organization, actor=None, offsets=[], confirm_on_booking=False
    )
    return patient_update(
        patient=patient, actor=None, fields={"consent_sms": True, "consent_email": True}
    )


def queued(
    organization,
    *,
    patient,
    appointment=None,
    kind: str = MessageKind.REMINDER,
    channel: str = MessageChannel.SMS,
    due_at: datetime.datetime | None = None,
    body: str = "Clinic A: see you Monday at 10:00. Reply C to confirm.",
) -> OutboundMessage:
    """A message in the outbox, due at `due_at` (default now)."""
    sms = channel == MessageChannel.SMS
    [message] = message_enqueue(
        organization=organization,
        kind=kind,
        channel=channel,
        to_address=patient.phone_mobile if sms else patient.email,
        subject="" if sms else "Your visit",
        body_text=body,
        patient=patient,
        topic=visit_topic(appointment) if appointment is not None else None,
        due_times=[due_at],
    )
    return message


def deliver(*, refusals: dict[str, str] | None = None) -> RecordingGateway:
    """Run the worker's drain once: every due message goes to the recording gateway, which
    refuses for good the keys in `refusals` (key -> reason)."""
    gateway = RecordingGateway()
    for key, reason in (refusals or {}).items():
        gateway.failures[key] = PermanentDeliveryError(reason)
    with mock.patch.object(delivery, "transport_for", gateway.transport_for):
        delivery.outbox_drain(worker=WORKER)
    return gateway


def delivered(organization, *, refusal: str = "", **fields) -> OutboundMessage:
    """A message queued and then delivered (sent, or failed with `refusal`, or suppressed
    when the patient does not consent). Nothing else may be due at that moment."""
    message = queued(organization, **fields)
    deliver(refusals={message.idempotency_key: refusal} if refusal else None)
    message.refresh_from_db()
    return message


def reply(patient, body: str) -> InboundMessage:
    """A text from the patient's phone, recorded and handled as the webhook does."""
    recorded = inbound_record(
        channel=MessageChannel.SMS,
        from_address=patient.phone_mobile,
        to_address=CLINIC_NUMBER,
        body=body,
        provider_message_id=f"SM{InboundMessage.objects.count() + 1:032d}",
    )
    handled = sms_reply_handle(inbound=recorded)
    return InboundMessage.objects.select_related("patient").get(pk=handled.pk)
