"""CommunicationRequest read and search: the outbox, as messages the clinic means to send.
Every message shown concerns a patient's visit and is audited by the selectors."""

from __future__ import annotations

from carebridge.core.errors import NotFound
from carebridge.fhir_api.handler import Caller, ResourceHandler
from carebridge.fhir_api.references import reference_id
from carebridge.fhir_api.resources.communication_request import (
    CATEGORY_SYSTEM,
    MESSAGE_KIND_SYSTEM,
    STATUSES_BY_REQUEST_STATUS,
    communication_category,
    to_fhir_communication_request,
)
from carebridge.fhir_api.search import (
    SearchParam,
    SearchRequest,
    SearchResult,
    public_ids,
    split_token,
    start_bounds,
)
from carebridge.notifications.constants import MessageKind
from carebridge.notifications.message_search import MessageQuery, message_search
from carebridge.notifications.selectors import access_message
from carebridge.patients.selectors import patient_reference


def read(caller: Caller, resource_id: str) -> dict:
    message = access_message(
        organization=caller.organization, actor=caller.user, public_id=resource_id
    )
    return to_fhir_communication_request(message, caller.organization)


def search(caller: Caller, request: SearchRequest) -> SearchResult:
    try:
        query = _query(caller, request)
    except NotFound:
        return SearchResult([], 0, False)
    messages, total = message_search(
        organization=caller.organization,
        actor=caller.user,
        query=query,
        limit=request.page.count,
        offset=request.page.offset,
        with_total=True,
    )
    resources = [to_fhir_communication_request(m, caller.organization) for m in messages]
    return SearchResult.counted(resources, total or 0, request.page)


def _query(caller: Caller, request: SearchRequest) -> MessageQuery:
    """The selector's query; NotFound when nothing can match."""
    ids = public_ids(request)
    if ids is None:
        raise NotFound("no such message")
    due_from, due_before = start_bounds(
        request.every("occurrence"), zone=caller.zone, field="occurrence"
    )
    return MessageQuery(
        patient_id=patient_filter(caller, request),
        kinds=kinds_filter(request),
        statuses=_statuses(request),
        due_from=due_from,
        due_before=due_before,
        public_ids=ids,
    )


def patient_filter(caller: Caller, request: SearchRequest) -> int | None:
    """The patient named by `patient` and `subject` (both must name the same one); NotFound
    when it is not the organization's patient or the two differ."""
    named = {
        reference_id(value, "Patient", field=name)
        for name in ("patient", "subject")
        for value in request.every(name)
    }
    if not named:
        return None
    if len(named) > 1:
        raise NotFound("the patient and subject parameters name different patients")
    return patient_reference(
        organization=caller.organization, actor=caller.user, public_id=named.pop()
    ).pk


def kinds_filter(request: SearchRequest) -> tuple[str, ...]:
    """The message kinds any `category` value names, by the standard communication category
    (reminder, notification) or by CareBridge's message kind; NotFound when none."""
    wanted = [split_token(value) for value in request.any_of("category")]
    if not wanted:
        return ()
    kinds = tuple(kind for kind in MessageKind.values if _kind_matches(kind, wanted))
    if not kinds:
        raise NotFound("no message has that category")
    return kinds


def _kind_matches(kind: str, wanted: list[tuple[str | None, str]]) -> bool:
    return any(
        (system in (None, CATEGORY_SYSTEM) and code == communication_category(kind))
        or (system in (None, MESSAGE_KIND_SYSTEM) and code == kind)
        for system, code in wanted
    )


def _statuses(request: SearchRequest) -> tuple[str, ...]:
    given = request.any_of("status")
    statuses = tuple(
        ours for status in given for ours in STATUSES_BY_REQUEST_STATUS.get(status, ())
    )
    if given and not statuses:
        raise NotFound("no message has that status")
    return statuses


HANDLER = ResourceHandler(
    resource_type="CommunicationRequest",
    read=read,
    search=search,
    search_params=(
        SearchParam("_id", "token", "CommunicationRequest ids, comma-separated."),
        SearchParam("patient", "reference", "Patient/<id>: the patient the message is for."),
        SearchParam("subject", "reference", "Patient/<id>, as patient."),
        SearchParam(
            "status", "token", "active (to be sent), completed (sent) or revoked; comma-separated."
        ),
        SearchParam(
            "occurrence", "date", "When it is (or was) due, with eq, ge, gt, le or lt; repeat."
        ),
        SearchParam(
            "category",
            "token",
            "reminder or notification (communication-category), or a message kind "
            "(urn:carebridge:message-kind, e.g. confirmation); comma-separated.",
        ),
    ),
)
