"""Communication read and search: messages that went out (or failed for good) and replies
that came in, newest first in one list (an outgoing message counts at its due time).

A page is merged from both kinds by their order keys alone, and only the rows shown are
loaded (and audited, by the selectors).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from typing import TypeVar

from carebridge.core.errors import NotFound
from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.interactions.communication_request import kinds_filter, patient_filter
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
    public_ids,
    split_token,
    start_bounds,
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

Query = TypeVar("Query", MessageQuery, InboundQuery)
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
    try:
        queries = _queries(caller, request)
    except NotFound:
        return SearchResult([], 0, False)
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
    """Each kind's query after every parameter; NotFound when nothing can match."""
    ids = public_ids(request)
    if ids is None:
        raise NotFound("no such communication")
    patient_id = patient_filter(caller, request)
    queries = Queries(
        outbound=MessageQuery(
            patient_id=patient_id, statuses=COMMUNICATED_STATUSES, public_ids=ids
        ),
        inbound=InboundQuery(patient_id=patient_id, public_ids=ids),
    )
    for narrow in (_by_status, _by_time, _by_category):
        queries = narrow(caller, request, queries)
    if queries.outbound is None and queries.inbound is None:
        raise NotFound("no communication can match")
    return queries


def _narrow(query: Query | None, keep: bool, **changes) -> Query | None:
    return replace(query, **changes) if query is not None and keep else None


def _by_status(caller: Caller, request: SearchRequest, queries: Queries) -> Queries:
    wanted = set(request.any_of("status"))
    if not wanted:
        return queries
    statuses = tuple(ours for ours, status in EVENT_STATUS.items() if status in wanted)
    return Queries(
        outbound=_narrow(queries.outbound, bool(statuses), statuses=statuses),
        inbound=_narrow(queries.inbound, REPLY_STATUS in wanted),
    )


def _by_time(caller: Caller, request: SearchRequest, queries: Queries) -> Queries:
    """`sent` only outgoing messages have (a reply's sending time is unknown), `received`
    only replies (the patient's phone does not tell us)."""
    outbound, inbound = queries.outbound, queries.inbound
    if request.every("sent"):
        sent_from, sent_before = start_bounds(request.every("sent"), zone=caller.zone, field="sent")
        outbound = _narrow(outbound, True, sent_from=sent_from, sent_before=sent_before)
        inbound = None
    if request.every("received"):
        low, high = start_bounds(request.every("received"), zone=caller.zone, field="received")
        inbound = _narrow(inbound, True, received_from=low, received_before=high)
        outbound = None
    return Queries(outbound, inbound)


def _by_category(caller: Caller, request: SearchRequest, queries: Queries) -> Queries:
    wanted = [split_token(value) for value in request.any_of("category")]
    if not wanted:
        return queries
    try:
        kinds = kinds_filter(request)
    except NotFound:
        kinds = ()
    handlings = _reply_handlings(wanted)
    return Queries(
        outbound=_narrow(queries.outbound, bool(kinds), kinds=kinds),
        inbound=_narrow(queries.inbound, handlings is not None, handled_as=handlings or ()),
    )


def _reply_handlings(wanted: list[tuple[str | None, str]]) -> tuple[str, ...] | None:
    """What replies the categories ask for: every reply (an empty tuple), those handled in
    these ways, or none at all (None)."""
    if any(system in (None, MESSAGE_KIND_SYSTEM) and code == REPLY_KIND for system, code in wanted):
        return ()
    handlings = tuple(
        code
        for system, code in wanted
        if system in (None, REPLY_HANDLING_SYSTEM) and code in InboundHandling.values
    )
    return handlings or None


HANDLER = ResourceHandler(
    resource_type="Communication",
    read=read,
    search=search,
    search_params=(
        SearchParam("_id", "token", "Communication ids, comma-separated."),
        SearchParam("patient", "reference", "Patient/<id>: the patient written to or by."),
        SearchParam("subject", "reference", "Patient/<id>, as patient."),
        SearchParam(
            "status",
            "token",
            "completed (sent, and every reply) or not-done (delivery failed); comma-separated.",
        ),
        SearchParam("sent", "date", "When an outgoing message was sent (eq, ge, gt, le, lt)."),
        SearchParam("received", "date", "When a reply arrived (eq, ge, gt, le, lt)."),
        SearchParam(
            "category",
            "token",
            "reminder or notification (communication-category), a message kind or reply "
            "(urn:carebridge:message-kind), or what a reply meant (urn:carebridge:reply-"
            "handling, e.g. confirm); comma-separated.",
        ),
    ),
)
