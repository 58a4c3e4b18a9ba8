"""CommunicationRequest: a message the clinic means to send a patient (reminder, notice,
offer, answer), whatever became of it.

Every outgoing message is one, under the message's id (a reminder from when it is queued,
a day before it is due); once it went out or failed for good a Communication with the same
id records the attempt (see communication.py). Outbox statuses map onto request-status:
waiting or being sent is `active`, sent is `completed`, and a message that will never go
out (withdrawn, suppressed, failed) is `revoked`, with the reason in statusReason.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from carebridge.accounts.models import Organization
from carebridge.fhir_api.resources import concept, meta, reference_to
from carebridge.fhir_api.resources.slot import fhir_instant
from carebridge.notifications.constants import (
    WITHDRAWN_REASON,
    MessageChannel,
    MessageKind,
    MessageStatus,
)
from carebridge.notifications.models import OutboundMessage
from carebridge.scheduling.services.messages import TOPIC_TYPE as APPOINTMENT_TOPIC

MESSAGE_KIND_SYSTEM = "urn:carebridge:message-kind"
MESSAGE_KEY_SYSTEM = "urn:carebridge:message-key"
CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/communication-category"
MEDIUM_SYSTEM = "http://terminology.hl7.org/CodeSystem/v3-ParticipationMode"
MEDIUM_BY_CHANNEL = {
    MessageChannel.SMS: ("SMSWRIT", "SMS message"),
    MessageChannel.EMAIL: ("EMAILWRIT", "email"),
}
CHANNEL_BY_MEDIUM = {code: channel for channel, (code, _) in MEDIUM_BY_CHANNEL.items()}

REQUEST_STATUS = {
    MessageStatus.PENDING: "active",
    MessageStatus.SENDING: "active",
    MessageStatus.SENT: "completed",
    MessageStatus.FAILED: "revoked",
    MessageStatus.WITHDRAWN: "revoked",
    MessageStatus.SUPPRESSED: "revoked",
}
STATUSES_BY_REQUEST_STATUS = {
    fhir: tuple(ours for ours, mapped in REQUEST_STATUS.items() if mapped == fhir)
    for fhir in set(REQUEST_STATUS.values())
}
SUPPRESSED_REASON = "no consent, opted out or no address when it was due"


def communication_category(kind: str) -> str:
    """The communication-category code of a message kind: reminders are `reminder`,
    everything else tells the patient what happened (`notification`)."""
    return "reminder" if kind == MessageKind.REMINDER else "notification"


def categories(kind: str, kind_label: str) -> list[dict]:
    """The standard category and CareBridge's own message kind."""
    general = communication_category(kind)
    return [
        concept(general, general.capitalize(), CATEGORY_SYSTEM),
        concept(kind, kind_label, MESSAGE_KIND_SYSTEM),
    ]


def medium(channel: str) -> list[dict]:
    code, display = MEDIUM_BY_CHANNEL[channel]
    return [concept(code, display, MEDIUM_SYSTEM)]


def about(topic_type: str, topic_id: str) -> list[dict]:
    """The visit a message is about; other topics (waitlist offers) have no FHIR resource."""
    if topic_type == APPOINTMENT_TOPIC and topic_id:
        return [reference_to("Appointment", topic_id)]
    return []


def outbound_status_reason(message: OutboundMessage) -> str:
    """Why a message did not (or will not) reach the patient; empty when nothing is wrong.
    The outbox keeps the reason in last_error; these fill in when it is empty."""
    fallback = {
        MessageStatus.FAILED: "delivery failed",
        MessageStatus.WITHDRAWN: WITHDRAWN_REASON,
        MessageStatus.SUPPRESSED: SUPPRESSED_REASON,
    }.get(message.status)
    return (message.last_error or fallback) if fallback else ""


def outbound_common(message: OutboundMessage) -> dict:
    """The elements a CommunicationRequest and a Communication of a message share."""
    resource: dict = {"category": categories(message.kind, message.get_kind_display())}
    resource["medium"] = medium(message.channel)
    if message.patient is not None:
        resource["subject"] = reference_to("Patient", message.patient.public_id)
    topics = about(message.topic_type, message.topic_id)
    if topics:
        resource["about"] = topics
    resource["payload"] = [{"contentString": message.body_text}]
    return resource


def to_fhir_communication_request(message: OutboundMessage, organization: Organization) -> dict:
    """`message.patient` must be loaded; times are in the organization's zone."""
    zone = ZoneInfo(organization.timezone)
    resource: dict = {
        "resourceType": "CommunicationRequest",
        "id": str(message.public_id),
        "meta": meta(message),
        "identifier": [{"system": MESSAGE_KEY_SYSTEM, "value": message.idempotency_key}],
        "status": REQUEST_STATUS[message.status],
    }
    reason = outbound_status_reason(message)
    if reason:
        resource["statusReason"] = {"text": reason}
    resource.update(outbound_common(message))
    resource["occurrenceDateTime"] = fhir_instant(message.due_at, zone)
    resource["authoredOn"] = fhir_instant(message.created_at, zone)
    if message.patient is not None:
        resource["recipient"] = [reference_to("Patient", message.patient.public_id)]
    resource["sender"] = reference_to("Organization", organization.public_id, organization.name)
    return resource
