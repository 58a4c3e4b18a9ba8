"""The staff's view of outgoing messages: what went out, what waits, what failed and why."""

from __future__ import annotations

import uuid

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.core.errors import InvalidInput, NotFound
from carebridge.notifications.constants import MessageStatus
from carebridge.notifications.selectors import (
    access_message,
    answerable_as_patient,
    message_list,
    message_status_counts,
    replies_needing_attention_count,
)
from carebridge.patients.selectors import access_patient


@require_GET
def message_list_view(request: HttpRequest) -> HttpResponse:
    organization, status = request.user.organization, request.GET.get("status", "")
    patient = None
    try:
        if request.GET.get("patient"):
            patient = access_patient(
                organization=organization, actor=request.user, public_id=request.GET["patient"]
            )
        outbound = message_list(
            organization=organization, actor=request.user, status=status, patient=patient
        )
    except NotFound as error:
        raise Http404(error.message) from error
    except InvalidInput as error:
        return render(request, "web/error.html", {"error": error}, status=400)
    counts = message_status_counts(organization=organization, patient=patient)
    # Not "messages": the base layout shows Django's flash messages under that name.
    context = {
        "outbound": outbound,
        "status": status,
        "patient": patient,
        "statuses": [(value, label, counts[value]) for value, label in MessageStatus.choices],
        "failed": counts[MessageStatus.FAILED],
        "replies_waiting": replies_needing_attention_count(organization=organization),
    }
    return render(request, "notifications/message_list.html", context)


@require_GET
def message_detail_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    try:
        message = access_message(
            organization=request.user.organization, actor=request.user, public_id=public_id
        )
    except NotFound as error:
        raise Http404(error.message) from error
    context = {"message": message, "answerable": answerable_as_patient(message)}
    return render(request, "notifications/message_detail.html", context)
