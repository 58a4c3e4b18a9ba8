"""CommunicationRequest read and search: the outbox, as messages the clinic means to send.
Every message shown concerns a patient's visit and is audited by the selectors."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial
from typing import TypeVar

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
    by_date,
    by_public_id,
    query_groups,
    split_token,
    when_found,
)
from carebridge.notifications.constants import MessageKind
from carebridge.notifications.message_search import InboundQuery, MessageQuery, message_search
from carebridge.notifications.selectors import access_message
from carebridge.patients.selectors import patient_reference

Query = TypeVar("Query", MessageQuery, InboundQuery)


def read(caller: Caller, resource_id: str) -> dict:
    message = access_message(
        organization=caller.organization, actor=caller.user, public_id=resource_id
    )
    return to_fhir_communication_request(message, caller.organization)


def search(caller: Caller, request: SearchRequest) -> SearchResult:
    criteria = {
        **id_and_patient_criteria(MessageQuery, patient_finder(caller)),
        "status": _by_status,
        "occurrence": by_date(
            MessageQuery, "occurrence", zone=caller.zone, bounds=("due_from", "due_before")
        ),
        "category": by_category,
    }
    groups = query_groups(request, criteria)
    if groups is None:
        return SearchResult([], 0, False)
    messages, total = message_search(
        organization=caller.organization,
        actor=caller.user,
        query=MessageQuery(one_of_each=groups),
        limit=request.page.count,
        offset=request.page.offset,
        with_total=True,
    )
    resources = [to_fhir_communication_request(m, caller.organization) for m in messages]
    return SearchResult.counted(resources, total or 0, request.page)


PatientFinder = Callable[[str, str], int | None]


def patient_finder(caller: Caller) -> PatientFinder:
    """Finds the key of the patient a `patient` or `subject` reference names (None when it
    is not the organization's patient), looking each reference up once."""

    @cache
    def find(name: str, reference: str) -> int | None:
        public_id = reference_id(reference, "Patient", field=name)
        try:
            patient = patient_reference(
                organization=caller.organization, actor=caller.user, public_id=public_id
            )
        except NotFound:
            return None
        return patient.pk

    return find


def id_and_patient_criteria(
    query_type: Callable[..., Query], find_patient: PatientFinder
) -> dict[str, Callable[[str], Query | None]]:
    """`_id`, and `patient` or `subject` (the same), for either kind of message query."""
    return {
        "_id": by_public_id(query_type),
        **{
            name: when_found(partial(find_patient, name), lambda pk: query_type(patient_id=pk))
            for name in ("patient", "subject")
        },
    }


def by_category(token: str) -> MessageQuery | None:
    """Messages of the kinds a category names, by the standard communication category
    (reminder, notification) or by CareBridge's message kind."""
    system, code = split_token(token)
    kinds = tuple(
        kind
        for kind in MessageKind.values
        if (system in (None, CATEGORY_SYSTEM) and code == communication_category(kind))
        or (system in (None, MESSAGE_KIND_SYSTEM) and code == kind)
    )
    return MessageQuery(kinds=kinds) if kinds else None


def _by_status(status: str) -> MessageQuery | None:
    statuses = STATUSES_BY_REQUEST_STATUS.get(status, ())
    return MessageQuery(statuses=statuses) if statuses else None


HANDLER = ResourceHandler(
    resource_type="CommunicationRequest",
    read=read,
    search=search,
    search_params=(
        SearchParam("_id", "token", "CommunicationRequest ids."),
        SearchParam("patient", "reference", "Patient/<id>: the patient the message is for."),
        SearchParam("subject", "reference", "Patient/<id>, as patient."),
        SearchParam("status", "token", "active (to be sent), completed (sent) or revoked."),
        SearchParam("occurrence", "date", "When it is (or was) due, with eq, ge, gt, le or lt."),
        SearchParam(
            "category",
            "token",
            "reminder or notification (communication-category), or a message kind "
            "(urn:carebridge:message-kind, e.g. confirmation).",
        ),
    ),
)
