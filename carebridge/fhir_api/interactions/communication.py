"""Communication read and search: messages that went out (or failed for good) and replies
that came in, newest first in one list (an outgoing message counts at its due time).

A page is merged from both kinds by their order keys alone, and only the rows shown are
loaded (and audited, by the selectors).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.interactions.communication_request import (
    PatientFinder,
    by_category,
    id_and_patient_criteria,
    patient_finder,
)
from carebridge.fhir_api.resources.communication import (
    COMMUNICATED_STATUSES,
    EVENT_STATUS,
    REPLY_HANDLING_SYSTEM,
    REPLY_KIND,
    to_fhir_inbound_communication,
    to_fhir_outbound_communication,
)
from carebridge.fhir_api.resources.communication_request import MESSAGE_KIND_SYSTEM
from carebridge.fhir_api.search import (
    SearchParam,
    SearchRequest,
    SearchResult,
    by_date,
    query_groups,
    split_token,
)
from carebridge.notifications.constants import InboundHandling
from carebridge.notifications.message_search import (
    InboundQuery,
    MessageQuery,
    access_inbound,
    inbound_order_keys,
    inbound_shown,
    message_order_keys,
    messages_shown,
)
from carebridge.notifications.selectors import access_message

# Replies are always `completed`: they arrived.
REPLY_STATUS = "completed"
OUTBOUND, INBOUND = "outbound", "inbound"


@dataclass(frozen=True)
class Queries:
    """What to look for among each kind of message; None leaves that kind out."""

    outbound: MessageQuery | None
    inbound: InboundQuery | None


def read(caller: Caller, resource_id: str) -> dict:
    """An outgoing message that was sent or failed, else a reply; NotFound otherwise."""
    if _is_outbound(caller, resource_id):
        message = access_message(
            organization=caller.organization, actor=caller.user, public_id=resource_id
        )
        return to_fhir_outbound_communication(message, caller.organization)
    reply = access_inbound(
        organization=caller.organization, actor=caller.user, public_id=resource_id
    )
    return to_fhir_inbound_communication(reply, caller.organization)


def _is_outbound(caller: Caller, resource_id: str) -> bool:
    try:
        public_id = uuid.UUID(resource_id)
    except ValueError:
        return False
    query = MessageQuery(statuses=COMMUNICATED_STATUSES, public_ids=(public_id,))
    keys, _ = message_order_keys(organization=caller.organization, query=query, limit=1)
    return bool(keys)


def search(caller: Caller, request: SearchRequest) -> SearchResult:
    queries = _queries(caller, request)
    organization, page = caller.organization, request.page
    keyed, total = [], 0
    if queries.outbound is not None:
        keys, count = message_order_keys(
            organization=organization, query=queries.outbound, limit=page.end
        )
        keyed += [(when, OUTBOUND, pk) for when, pk in keys]
        total += count
    if queries.inbound is not None:
        keys, count = inbound_order_keys(
            organization=organization, query=queries.inbound, limit=page.end
        )
        keyed += [(when, INBOUND, pk) for when, pk in keys]
        total += count
    shown = sorted(keyed, reverse=True)[page.offset : page.end]
    return SearchResult.counted(_render(caller, shown), total, page)


def _render(caller: Caller, shown: list[tuple]) -> list[dict]:
    organization, actor = caller.organization, caller.user
    messages = messages_shown(
        organization=organization,
        actor=actor,
        keys=[pk for _, kind, pk in shown if kind == OUTBOUND],
    )
    replies = inbound_shown(
        organization=organization,
        actor=actor,
        keys=[pk for _, kind, pk in shown if kind == INBOUND],
    )
    return [
        to_fhir_outbound_communication(messages[pk], organization)
        if kind == OUTBOUND
        else to_fhir_inbound_communication(replies[pk], organization)
        for _, kind, pk in shown
    ]


def _queries(caller: Caller, request: SearchRequest) -> Queries:
    """Each kind's query after every parameter."""
    find_patient = patient_finder(caller)
    outbound = query_groups(request, _outbound_criteria(caller, find_patient))
    inbound = query_groups(request, _inbound_criteria(caller, find_patient))
    return Queries(
        outbound=None
        if outbound is None
        else MessageQuery(statuses=COMMUNICATED_STATUSES, one_of_each=outbound),
        inbound=None if inbound is None else InboundQuery(one_of_each=inbound),
    )


def _outbound_criteria(caller: Caller, find_patient: PatientFinder) -> dict:
    return {
        **id_and_patient_criteria(MessageQuery, find_patient),
        "status": _by_event_status,
        "sent": by_date(
            MessageQuery, "sent", zone=caller.zone, bounds=("sent_from", "sent_before")
        ),
        # Only replies have `received`: the patient's phone does not tell us.
        "received": lambda received: None,
        "category": by_category,
    }


def _inbound_criteria(caller: Caller, find_patient: PatientFinder) -> dict:
    return {
        **id_and_patient_criteria(InboundQuery, find_patient),
        "status": lambda status: InboundQuery() if status == REPLY_STATUS else None,
        # Only outgoing messages have `sent`: a reply's sending time is unknown.
        "sent": lambda sent: None,
        "received": by_date(
            InboundQuery, "received", zone=caller.zone, bounds=("received_from", "received_before")
        ),
        "category": _by_reply_category,
    }


def _by_event_status(status: str) -> MessageQuery | None:
    statuses = tuple(ours for ours, event in EVENT_STATUS.items() if event == status)
    return MessageQuery(statuses=statuses) if statuses else None


def _by_reply_category(token: str) -> InboundQuery | None:
    """Every reply for the `reply` kind, those handled one way for that handling."""
    system, code = split_token(token)
    if system in (None, MESSAGE_KIND_SYSTEM) and code == REPLY_KIND:
        return InboundQuery()
    if system in (None, REPLY_HANDLING_SYSTEM) and code in InboundHandling.values:
        return InboundQuery(handled_as=(code,))
    return None


HANDLER = ResourceHandler(
    resource_type="Communication",
    read=read,
    search=search,
    search_params=(
        SearchParam("_id", "token", "Communication ids."),
        SearchParam("patient", "reference", "Patient/<id>: the patient written to or by."),
        SearchParam("subject", "reference", "Patient/<id>, as patient."),
        SearchParam(
            "status",
            "token",
            "completed (sent, and every reply) or not-done (delivery failed).",
        ),
        SearchParam("sent", "date", "When an outgoing message was sent (eq, ge, gt, le, lt)."),
        SearchParam("received", "date", "When a reply arrived (eq, ge, gt, le, lt)."),
        SearchParam(
            "category",
            "token",
            "reminder or notification (communication-category), a message kind or reply "
            "(urn:carebridge:message-kind), or what a reply meant (urn:carebridge:reply-"
            "handling, e.g. confirm).",
        ),
    ),
)
