"""Searches over the messages to and from patients, for the JSON API and FHIR.

Outgoing messages are ordered newest due first and replies newest received first. Every
message shown that concerns a patient gets a `query` audit entry (its body is patient
data); the ordering keys alone (time and database key) reveal nothing and are not audited,
so a caller can merge both kinds into one page before loading what it shows.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from carebridge.accounts.models import Organization, User
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import (
    AuditTarget,
    audit_record,
    audit_record_many,
    get_or_audit_denied,
)
from carebridge.core.selectors import one_of_each
from carebridge.notifications.models import InboundMessage, OutboundMessage

# (when, database key): what a merged listing orders by.
OrderKey = tuple[datetime.datetime, int]


@dataclass(frozen=True)
class MessageQuery:
    """Criteria for outgoing messages that must all match; tuples mean "any of these", and
    in `one_of_each` one query of every group must match as well."""

    patient_id: int | None = None
    topic_type: str = ""
    topic_id: str = ""
    kinds: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    due_from: datetime.datetime | None = None
    due_before: datetime.datetime | None = None
    sent_from: datetime.datetime | None = None
    sent_before: datetime.datetime | None = None
    public_ids: tuple[uuid.UUID, ...] = ()
    one_of_each: tuple[tuple[MessageQuery, ...], ...] = ()


@dataclass(frozen=True)
class InboundQuery:
    """Criteria for replies that must all match; in `one_of_each`, one query of every group
    as well."""

    patient_id: int | None = None
    topic_type: str = ""
    topic_id: str = ""
    handled_as: tuple[str, ...] = ()
    channels: tuple[str, ...] = ()
    needs_attention: bool | None = None
    received_from: datetime.datetime | None = None
    received_before: datetime.datetime | None = None
    public_ids: tuple[uuid.UUID, ...] = ()
    one_of_each: tuple[tuple[InboundQuery, ...], ...] = ()


def _bounded(field: str, low: datetime.datetime | None, high: datetime.datetime | None) -> Q:
    condition = Q()
    if low is not None:
        condition &= Q(**{f"{field}__gte": low})
    if high is not None:
        condition &= Q(**{f"{field}__lt": high})
    return condition


def _common(query: MessageQuery | InboundQuery) -> Q:
    condition = Q()
    for field, value in [
        ("patient_id", query.patient_id),
        ("topic_type", query.topic_type),
        ("topic_id", query.topic_id),
    ]:
        if value:
            condition &= Q(**{field: value})
    if query.channels:
        condition &= Q(channel__in=query.channels)
    if query.public_ids:
        condition &= Q(public_id__in=query.public_ids)
    return condition


def _outbound_condition(query: MessageQuery) -> Q:
    condition = _common(query)
    condition &= _bounded("due_at", query.due_from, query.due_before)
    condition &= _bounded("sent_at", query.sent_from, query.sent_before)
    if query.kinds:
        condition &= Q(kind__in=query.kinds)
    if query.statuses:
        condition &= Q(status__in=query.statuses)
    return condition & one_of_each(map(_outbound_condition, group) for group in query.one_of_each)


def _outbound(organization: Organization, query: MessageQuery) -> QuerySet[OutboundMessage]:
    return OutboundMessage.objects.filter(
        _outbound_condition(query), organization=organization
    ).order_by("-due_at", "-pk")


def _inbound_condition(query: InboundQuery) -> Q:
    condition = _common(query)
    condition &= _bounded("received_at", query.received_from, query.received_before)
    if query.handled_as:
        condition &= Q(handled_as__in=query.handled_as)
    if query.needs_attention is not None:
        condition &= Q(needs_attention=query.needs_attention)
    return condition & one_of_each(map(_inbound_condition, group) for group in query.one_of_each)


def _inbound(organization: Organization, query: InboundQuery) -> QuerySet[InboundMessage]:
    return InboundMessage.objects.filter(
        _inbound_condition(query), organization=organization
    ).order_by("-received_at", "-pk")


def _audit_shown(
    organization: Organization,
    actor: User | None,
    rows: Sequence[OutboundMessage | InboundMessage],
) -> None:
    audit_record_many(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.QUERY,
        targets=[
            AuditTarget(type(row).__name__, str(row.public_id), str(row.patient.public_id))
            for row in rows
            if row.patient is not None
        ],
        detail="message search",
    )


def message_search(
    *,
    organization: Organization,
    actor: User | None,
    query: MessageQuery,
    limit: int = 100,
    offset: int = 0,
    with_total: bool = False,
) -> tuple[list[OutboundMessage], int | None]:
    """Matching outgoing messages of the organization, newest due first; each shown is
    audited."""
    queryset = _outbound(organization, query)
    messages = list(queryset.select_related("patient")[offset : offset + limit])
    _audit_shown(organization, actor, messages)
    return messages, queryset.count() if with_total else None


def inbound_search(
    *,
    organization: Organization,
    actor: User | None,
    query: InboundQuery,
    limit: int = 100,
    offset: int = 0,
    with_total: bool = False,
) -> tuple[list[InboundMessage], int | None]:
    """Matching replies of the organization, newest first; each shown is audited. A reply
    from a number no clinic knows belongs to no organization and is never listed."""
    queryset = _inbound(organization, query)
    replies = list(queryset.select_related("patient", "resolved_by")[offset : offset + limit])
    _audit_shown(organization, actor, replies)
    return replies, queryset.count() if with_total else None


def message_order_keys(
    *, organization: Organization, query: MessageQuery, limit: int
) -> tuple[list[OrderKey], int]:
    """The first `limit` (due_at, key) pairs of a search, and how many match in all."""
    queryset = _outbound(organization, query)
    return list(queryset.values_list("due_at", "pk")[:limit]), queryset.count()


def inbound_order_keys(
    *, organization: Organization, query: InboundQuery, limit: int
) -> tuple[list[OrderKey], int]:
    """The first `limit` (received_at, key) pairs of a search, and how many match in all."""
    queryset = _inbound(organization, query)
    return list(queryset.values_list("received_at", "pk")[:limit]), queryset.count()


def messages_shown(
    *, organization: Organization, actor: User | None, keys: Sequence[int]
) -> dict[int, OutboundMessage]:
    """The organization's outgoing messages with these database keys, audited."""
    messages = list(
        OutboundMessage.objects.filter(organization=organization, pk__in=keys).select_related(
            "patient"
        )
    )
    _audit_shown(organization, actor, messages)
    return {message.pk: message for message in messages}


def inbound_shown(
    *, organization: Organization, actor: User | None, keys: Sequence[int]
) -> dict[int, InboundMessage]:
    """The organization's replies with these database keys, audited."""
    replies = list(
        InboundMessage.objects.filter(organization=organization, pk__in=keys).select_related(
            "patient", "resolved_by"
        )
    )
    _audit_shown(organization, actor, replies)
    return {reply.pk: reply for reply in replies}


def access_inbound(
    *, organization: Organization, actor: User | None, public_id: uuid.UUID | str
) -> InboundMessage:
    """One reply of the organization, or NotFound (also for another organization's, and for
    one nobody could match to a clinic); a `read` audit entry when it concerns a patient."""
    reply = get_or_audit_denied(
        InboundMessage.objects.select_related("patient", "resolved_by"),
        organization=organization,
        actor=actor,
        public_id=public_id,
        object_type="InboundMessage",
    )
    if reply.patient is not None:
        audit_record(
            organization_id=organization.pk,
            actor=actor,
            action=AuditAction.READ,
            target=AuditTarget(
                "InboundMessage", str(reply.public_id), str(reply.patient.public_id)
            ),
        )
    return reply
