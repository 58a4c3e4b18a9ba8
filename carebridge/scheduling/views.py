"""Staff pages of scheduling: the inbox of patient replies that need a person, and the
demo's stand-in for a patient's phone."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from carebridge.accounts.decorators import requires
from carebridge.core.errors import NotFound
from carebridge.notifications.selectors import access_message, answerable_as_patient
from carebridge.scheduling.services.replies import (
    access_reply,
    inbound_resolve,
    replies_needing_attention,
    sms_text_received,
)

# The longest reply taken: a text of ten parts.
REPLY_MAX_LENGTH = 1600
# Replies are patient data: whoever may read patients may read them (as over the JSON API).
READ_REPLIES = "patients.view_patient"
# A reply confirms, cancels or moves visits, and dealing with one means answering the
# patient about their visit: both are changes to appointments.
ACT_ON_REPLIES = "scheduling.change_appointment"


@require_GET
@requires(READ_REPLIES)
def reply_inbox(request: HttpRequest) -> HttpResponse:
    replies = replies_needing_attention(organization=request.user.organization, actor=request.user)
    return render(request, "scheduling/reply_inbox.html", {"replies": replies})


@require_POST
@requires(ACT_ON_REPLIES)
def reply_resolve(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    try:
        reply = access_reply(
            organization=request.user.organization, actor=request.user, public_id=public_id
        )
    except NotFound as error:
        raise Http404(error.message) from error
    inbound_resolve(inbound=reply, actor=request.user)
    messages.success(request, "Marked as dealt with.")
    return redirect("scheduling:reply_inbox")


@require_POST
@requires(ACT_ON_REPLIES)
def reply_as_patient(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """With the file gateway (the demo's), texts reach no phone: staff answer one of them as
    its patient would, and the reply goes the way a real one comes in through the webhook,
    except that the staff member is recorded as who made the changes it causes."""
    try:
        message = access_message(
            organization=request.user.organization, actor=request.user, public_id=public_id
        )
    except NotFound as error:
        raise Http404(error.message) from error
    if not answerable_as_patient(message):
        raise Http404("replies come from patients' phones through the SMS gateway")
    body = request.POST.get("body", "").strip()
    if not body or len(body) > REPLY_MAX_LENGTH:
        messages.error(request, f"body: a reply of 1 to {REPLY_MAX_LENGTH} characters")
    else:
        reply = sms_text_received(
            from_address=message.to_address,
            to_address=settings.SMS_FROM,
            body=body,
            provider_message_id=f"file-{uuid.uuid4().hex}",
            actor=request.user,
        )
        meaning = reply.get_handled_as_display()
        waits = " It waits under Replies for a person." if reply.needs_attention else ""
        messages.success(request, f"Reply {body!r} received: {meaning}.{waits}")
    return redirect("notifications:message_detail", public_id=message.public_id)
