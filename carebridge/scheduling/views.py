"""Staff pages of scheduling: the inbox of patient replies that need a person."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from carebridge.core.errors import NotFound
from carebridge.scheduling.services.replies import (
    access_reply,
    inbound_resolve,
    replies_needing_attention,
)


@require_GET
def reply_inbox(request: HttpRequest) -> HttpResponse:
    replies = replies_needing_attention(organization=request.user.organization, actor=request.user)
    return render(request, "scheduling/reply_inbox.html", {"replies": replies})


@require_POST
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
