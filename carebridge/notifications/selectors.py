"""Reads of the outbox: for the delivery loop's scheduling and for the staff pages."""

from __future__ import annotations

import datetime
import uuid
from collections import defaultdict
from collections.abc import Collection

from django.conf import settings
from django.db.models import Count, Max, QuerySet

from carebridge.accounts.models import Organization, User
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import (
    AuditTarget,
    audit_record,
    audit_record_many,
    get_or_audit_denied,
)
from carebridge.core import clock
from carebridge.core.errors import InvalidInput
from carebridge.notifications.constants import MessageChannel, MessageStatus
from carebridge.notifications.models import InboundMessage, OutboundMessage
from carebridge.patients.models import Patient


def outbox_has_due() -> bool:
    """Whether a message is waiting to be claimed: due, due for a retry, or left behind by
    a worker whose lease has ended."""
    return OutboundMessage.objects.filter(next_attempt_at__lte=clock.now()).exists()


def outbox_last_lease_end() -> datetime.datetime | None:
    """When the last lease held now runs out (None when no message is being sent)."""
    leased = OutboundMessage.objects.filter(
        next_attempt_at__isnull=False, status=MessageStatus.SENDING
    )
    return leased.aggregate(end=Max("lease_until"))["end"]


def topic_message_statuses(
    *, patient_id: int, topic_type: str, kinds: Collection[str]
) -> dict[str, set[str]]:
    """For each topic of the type that the patient has messages of these kinds about, the
    statuses those messages are in."""
    statuses = defaultdict(set)
    rows = OutboundMessage.objects.filter(
        patient_id=patient_id, topic_type=topic_type, kind__in=kinds
    ).values_list("topic_id", "status")
    for topic_id, status in rows.order_by().distinct():
        statuses[topic_id].add(status)
    return dict(statuses)


# The staff's view of the outbox


def _organization_messages(organization: Organization) -> QuerySet[OutboundMessage]:
    return OutboundMessage.objects.filter(organization=organization).select_related("patient")


def _audit_shown(organization: Organization, actor: User, messages: list[OutboundMessage]):
    targets = [
        AuditTarget("OutboundMessage", str(message.public_id), str(message.patient.public_id))
        for message in messages
        if message.patient is not None
    ]
    audit_record_many(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.QUERY,
        targets=targets,
        detail="outbox list",
    )


def message_list(
    *,
    organization: Organization,
    actor: User,
    status: str = "",
    patient: Patient | None = None,
    limit: int = 100,
) -> list[OutboundMessage]:
    """The organization's most recent messages, newest first, optionally of one status or
    to one patient. Each message about a patient gets a `query` audit entry."""
    if status and status not in MessageStatus.values:
        raise InvalidInput(f"status: {status!r} is not a message status", field="status")
    messages = _organization_messages(organization).order_by("-created_at", "-pk")
    if status:
        messages = messages.filter(status=status)
    if patient is not None:
        messages = messages.filter(patient=patient)
    shown = list(messages[:limit])
    _audit_shown(organization, actor, shown)
    return shown


def message_status_counts(
    *, organization: Organization, patient: Patient | None = None
) -> dict[str, int]:
    """How many of the organization's messages (to the patient, if given) are in each
    status (every status listed)."""
    counted = OutboundMessage.objects.filter(organization=organization)
    if patient is not None:
        counted = counted.filter(patient=patient)
    counted = counted.values("status").annotate(count=Count("pk"))
    counts = dict.fromkeys(MessageStatus.values, 0)
    counts.update({row["status"]: row["count"] for row in counted})
    return counts


def access_message(
    *, organization: Organization, actor: User, public_id: uuid.UUID | str
) -> OutboundMessage:
    """One message of the organization with its delivery attempts, or NotFound (also for
    another organization's); a `read` audit entry when it concerns a patient."""
    message = get_or_audit_denied(
        _organization_messages(organization).prefetch_related("delivery_attempts"),
        organization=organization,
        actor=actor,
        public_id=public_id,
        object_type="OutboundMessage",
    )
    if message.patient is not None:
        audit_record(
            organization_id=organization.pk,
            actor=actor,
            action=AuditAction.READ,
            target=AuditTarget(
                "OutboundMessage", str(message.public_id), str(message.patient.public_id)
            ),
        )
    return message


def replies_needing_attention_count(*, organization: Organization) -> int:
    return InboundMessage.objects.filter(
        organization=organization, needs_attention=True, resolved_at__isnull=True
    ).count()


def answerable_as_patient(message: OutboundMessage) -> bool:
    """Whether staff may answer this message as its patient: a text to a number, sent by the
    file gateway (the demo's), whose texts reach no phone that could answer."""
    return (
        settings.SMS_GATEWAY == "file"
        and message.channel == MessageChannel.SMS
        and bool(message.to_address)
    )
