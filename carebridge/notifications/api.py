"""Messages over the JSON API: what the clinic sends patients (queued, sent, failed,
withdrawn) with each delivery attempt, and the replies that came back.

Bodies are patient data: every message or reply listed or read is audited. Times are
ISO 8601 in UTC. Marking a reply as dealt with is a scheduling operation
(POST /inbound/{id}/resolve), since replies act on visits.
"""

from __future__ import annotations

import datetime
import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import AwareDatetime

from carebridge.accounts.api_auth import actor, organization, require
from carebridge.accounts.models import Organization, User
from carebridge.core.api_errors import referenced
from carebridge.core.api_schemas import Page, Paging, PublicIdOut, page_of, problems
from carebridge.core.validation import check_search_window
from carebridge.notifications.constants import (
    AttemptOutcome,
    InboundHandling,
    MessageChannel,
    MessageKind,
    MessageStatus,
)
from carebridge.notifications.message_search import (
    InboundQuery,
    MessageQuery,
    access_inbound,
    inbound_search,
    message_search,
)
from carebridge.notifications.models import InboundMessage, OutboundMessage
from carebridge.notifications.selectors import access_message
from carebridge.patients.api import PatientRef
from carebridge.patients.selectors import patient_reference

router = Router(tags=["messages"])

# Messages and replies are patient data: whoever may see patients may read them.
VIEW_PERMISSION = "patients.view_patient"
# The topic type scheduling gives messages about a visit (its TOPIC_TYPE, which this layer,
# below scheduling, cannot import).
APPOINTMENT_TOPIC = "appointment"


def _appointment_id(row: OutboundMessage | InboundMessage) -> str | None:
    return row.topic_id if row.topic_type == APPOINTMENT_TOPIC and row.topic_id else None


class AttemptOut(Schema):
    worker: str
    started_at: datetime.datetime
    finished_at: datetime.datetime
    outcome: AttemptOutcome
    error: str


class MessageOut(Schema, PublicIdOut):
    kind: MessageKind
    channel: MessageChannel
    status: MessageStatus
    patient: PatientRef | None
    appointment: uuid.UUID | None = Field(description="The visit the message is about")
    to_address: str
    subject: str
    body_text: str
    language: str
    due_at: datetime.datetime
    sent_at: datetime.datetime | None
    attempts: int
    last_error: str = Field(description="Why it failed, was withdrawn or suppressed")
    idempotency_key: str = Field(description="Passed to the gateway; one delivery per key")
    created_at: datetime.datetime

    @staticmethod
    def resolve_appointment(message: OutboundMessage) -> str | None:
        return _appointment_id(message)


class MessageDetailOut(MessageOut):
    delivery_attempts: list[AttemptOut]

    @staticmethod
    def resolve_delivery_attempts(message: OutboundMessage) -> list:
        return list(message.delivery_attempts.all())


class InboundOut(Schema, PublicIdOut):
    channel: MessageChannel
    from_address: str
    body: str
    received_at: datetime.datetime
    patient: PatientRef | None = Field(description="Set when the number matched a patient")
    appointment: uuid.UUID | None = Field(description="The visit the reply answered")
    handled_as: InboundHandling | None = Field(description="What the reply was taken to mean")
    needs_attention: bool
    resolved_at: datetime.datetime | None
    resolved_by: str | None

    @staticmethod
    def resolve_appointment(reply: InboundMessage) -> str | None:
        return _appointment_id(reply)

    @staticmethod
    def resolve_handled_as(reply: InboundMessage) -> str | None:
        return reply.handled_as or None

    @staticmethod
    def resolve_resolved_by(reply: InboundMessage) -> str | None:
        return reply.resolved_by.get_username() if reply.resolved_by else None


class MessageSearch(Paging):
    patient: uuid.UUID | None = None
    appointment: uuid.UUID | None = Field(None, description="Messages about this visit")
    kind: list[MessageKind] = Field(default_factory=list, description="Any of these kinds")
    status: list[MessageStatus] = Field(default_factory=list, description="Any of these")
    channel: list[MessageChannel] = Field(default_factory=list, description="Any of these")
    due_from: AwareDatetime | None = None
    due_before: AwareDatetime | None = None


class InboundSearch(Paging):
    patient: uuid.UUID | None = None
    appointment: uuid.UUID | None = Field(None, description="Replies about this visit")
    needs_attention: bool | None = Field(None, description="true: only those a person must read")
    handled_as: list[InboundHandling] = Field(default_factory=list, description="Any of these")
    received_from: AwareDatetime | None = None
    received_before: AwareDatetime | None = None


def _patient_id(clinic: Organization, user: User, public_id: uuid.UUID | None) -> int | None:
    if public_id is None:
        return None
    patient = referenced(
        "patient", lambda: patient_reference(organization=clinic, actor=user, public_id=public_id)
    )
    return patient.pk


def _topic(appointment: uuid.UUID | None) -> dict[str, str]:
    """Another organization's visit id matches nothing: every search is the clinic's own."""
    if appointment is None:
        return {}
    return {"topic_type": APPOINTMENT_TOPIC, "topic_id": str(appointment)}


@router.get("/messages", response={200: Page[MessageOut], **problems(404)})
def list_messages(request: HttpRequest, search: Query[MessageSearch]):
    """Messages to patients matching every filter, latest due first."""
    require(request, VIEW_PERMISSION)
    check_search_window({"due_from": search.due_from, "due_before": search.due_before})
    clinic, user = organization(request), actor(request)
    query = MessageQuery(
        patient_id=_patient_id(clinic, user, search.patient),
        **_topic(search.appointment),
        kinds=tuple(search.kind),
        statuses=tuple(search.status),
        channels=tuple(search.channel),
        due_from=search.due_from,
        due_before=search.due_before,
    )
    messages, total = message_search(
        organization=clinic,
        actor=user,
        query=query,
        limit=search.limit,
        offset=search.offset,
        with_total=True,
    )
    return page_of(messages, total, search)


@router.get("/messages/{message_id}", response={200: MessageDetailOut, **problems(404)})
def read_message(request: HttpRequest, message_id: uuid.UUID):
    """One message with each try at delivering it."""
    require(request, VIEW_PERMISSION)
    return access_message(
        organization=organization(request), actor=actor(request), public_id=message_id
    )


@router.get("/inbound", response={200: Page[InboundOut], **problems(404)})
def list_inbound(request: HttpRequest, search: Query[InboundSearch]):
    """Replies from patients matching every filter, newest first."""
    require(request, VIEW_PERMISSION)
    check_search_window(
        {"received_from": search.received_from, "received_before": search.received_before}
    )
    clinic, user = organization(request), actor(request)
    query = InboundQuery(
        patient_id=_patient_id(clinic, user, search.patient),
        **_topic(search.appointment),
        needs_attention=search.needs_attention,
        handled_as=tuple(search.handled_as),
        received_from=search.received_from,
        received_before=search.received_before,
    )
    replies, total = inbound_search(
        organization=clinic,
        actor=user,
        query=query,
        limit=search.limit,
        offset=search.offset,
        with_total=True,
    )
    return page_of(replies, total, search)


@router.get("/inbound/{reply_id}", response={200: InboundOut, **problems(404)})
def read_inbound(request: HttpRequest, reply_id: uuid.UUID):
    require(request, VIEW_PERMISSION)
    return access_inbound(
        organization=organization(request), actor=actor(request), public_id=reply_id
    )
