"""Communication: a message that went out to a patient (or failed for good), and a reply
that came in.

An outgoing message is a Communication once it is final-with-an-attempt: sent is
`completed`, failed is `not-done` with the error in statusReason; it is basedOn the
CommunicationRequest of the same id. A reply is `completed`, received at its arrival, sent
by the patient when the number was matched to one, and about the visit it answered. Its
category names it a `reply` with what CareBridge took it to mean (confirm, cancel, ...);
a note says whether a coordinator still has to read it.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from carebridge.accounts.models import Organization
from carebridge.fhir_api.resources import concept, meta, reference_to
from carebridge.fhir_api.resources.communication_request import (
    MESSAGE_KEY_SYSTEM,
    MESSAGE_KIND_SYSTEM,
    about,
    medium,
    outbound_common,
    outbound_status_reason,
)
from carebridge.fhir_api.resources.slot import fhir_instant
from carebridge.notifications.constants import MessageStatus
from carebridge.notifications.models import InboundMessage, OutboundMessage

REPLY_HANDLING_SYSTEM = "urn:carebridge:reply-handling"
REPLY_KIND = "reply"
EVENT_STATUS = {MessageStatus.SENT: "completed", MessageStatus.FAILED: "not-done"}
# Outgoing messages that are Communications: those the outbox tried and finished with.
COMMUNICATED_STATUSES = tuple(EVENT_STATUS)
NEEDS_ATTENTION_NOTE = "Not understood: a coordinator has to read it."


def to_fhir_outbound_communication(message: OutboundMessage, organization: Organization) -> dict:
    """`message.patient` must be loaded; times are in the organization's zone."""
    zone = ZoneInfo(organization.timezone)
    resource: dict = {
        "resourceType": "Communication",
        "id": str(message.public_id),
        "meta": meta(message),
        "identifier": [{"system": MESSAGE_KEY_SYSTEM, "value": message.idempotency_key}],
        "basedOn": [reference_to("CommunicationRequest", message.public_id)],
        "status": EVENT_STATUS[message.status],
    }
    reason = outbound_status_reason(message)
    if reason:
        resource["statusReason"] = {"text": reason}
    resource.update(outbound_common(message))
    if message.sent_at is not None:
        resource["sent"] = fhir_instant(message.sent_at, zone)
    if message.patient is not None:
        resource["recipient"] = [reference_to("Patient", message.patient.public_id)]
    resource["sender"] = reference_to("Organization", organization.public_id, organization.name)
    return resource


def to_fhir_inbound_communication(reply: InboundMessage, organization: Organization) -> dict:
    """`reply.patient` and `reply.resolved_by` must be loaded."""
    zone = ZoneInfo(organization.timezone)
    changed = reply.resolved_at or reply.received_at
    resource: dict = {
        "resourceType": "Communication",
        "id": str(reply.public_id),
        "meta": {"lastUpdated": changed.isoformat()},
        "status": "completed",
        "category": _reply_categories(reply),
        "medium": medium(reply.channel),
    }
    if reply.patient is not None:
        resource["subject"] = reference_to("Patient", reply.patient.public_id)
    topics = about(reply.topic_type, reply.topic_id)
    if topics:
        resource["about"] = topics
    resource["received"] = fhir_instant(reply.received_at, zone)
    resource["recipient"] = [
        reference_to("Organization", organization.public_id, organization.name)
    ]
    if reply.patient is not None:
        resource["sender"] = reference_to("Patient", reply.patient.public_id)
    resource["payload"] = [{"contentString": reply.body}]
    note = _attention_note(reply, zone)
    if note:
        resource["note"] = [note]
    return resource


def _reply_categories(reply: InboundMessage) -> list[dict]:
    found = [concept(REPLY_KIND, "Patient reply", MESSAGE_KIND_SYSTEM)]
    if reply.handled_as:
        found.append(
            concept(reply.handled_as, reply.get_handled_as_display(), REPLY_HANDLING_SYSTEM)
        )
    return found


def _attention_note(reply: InboundMessage, zone: ZoneInfo) -> dict | None:
    if reply.resolved_at is not None:
        note = {"time": fhir_instant(reply.resolved_at, zone), "text": "Dealt with."}
        if reply.resolved_by is not None:
            note["authorString"] = reply.resolved_by.get_username()
        return note
    if reply.needs_attention:
        return {"text": NEEDS_ATTENTION_NOTE}
    return None
