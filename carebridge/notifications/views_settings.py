"""Clinic admins' pages for the wording of patient messages: which messages use the
clinic's own words, and an editor with a preview on a made-up visit."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carebridge.accounts.decorators import requires
from carebridge.core.errors import InvalidInput
from carebridge.core.languages import language_tag_cased
from carebridge.notifications.constants import MessageChannel, MessageKind
from carebridge.notifications.forms_settings import MessageTemplateForm
from carebridge.notifications.rendering import Rendered
from carebridge.notifications.services.templates import (
    fields_allowed,
    message_template_delete,
    message_template_key_check,
    message_template_preview,
    message_template_set,
)
from carebridge.notifications.template_selectors import (
    message_template_catalogue,
    message_template_wording,
)

# Only clinic admins hold it (accounts.constants.ROLE_PERMISSIONS).
CHANGE = "notifications.change_messagetemplate"
PREVIEW = "preview"


def _require_known(kind: str, language: str, channel: str) -> None:
    try:
        message_template_key_check(kind=kind, language=language, channel=channel)
    except InvalidInput as error:
        raise Http404(error.message) from error


@require_GET
@requires(CHANGE)
def message_settings(request: HttpRequest) -> HttpResponse:
    """Every message the clinic sends, per language and channel: own words or default.

    ?kind=&language=&channel= opens the editor, which is how a clinic starts writing in a
    language we do not ship.
    """
    chosen = [request.GET.get(name, "").strip() for name in ("kind", "language", "channel")]
    error = ""
    if all(chosen):
        kind, language, channel = chosen
        try:
            message_template_key_check(kind=kind, language=language, channel=channel)
        except InvalidInput as refused:
            error = refused.message.removeprefix(f"{refused.field}: ")
        else:
            return redirect(
                "notifications:message_setting", kind, language_tag_cased(language), channel
            )
    entries = message_template_catalogue(organization=request.user.organization)
    kinds = [(label, list(group)) for label, group in groupby(entries, key=lambda e: e.kind_label)]
    context = {
        "kinds": kinds,
        "columns": [(entry.language, entry.channel_label) for entry in kinds[0][1]],
        "kind_choices": MessageKind.choices,
        "channel_choices": MessageChannel.choices,
        "error": error,
    }
    return render(
        request, "notifications/settings_messages.html", context, status=400 if error else 200
    )


def _edit_page(
    request: HttpRequest,
    kind: str,
    language: str,
    channel: str,
    *,
    form: MessageTemplateForm,
    preview: Rendered | None,
    preview_error: str = "",
    status: int = 200,
) -> HttpResponse:
    wording = message_template_wording(
        organization=request.user.organization, kind=kind, language=language, channel=channel
    )
    context = {
        "form": form,
        "preview": preview,
        "preview_error": preview_error,
        "wording": wording,
        "kind": kind,
        "kind_label": MessageKind(kind).label,
        "language": language,
        "channel": channel,
        "is_email": channel == MessageChannel.EMAIL,
        "channel_label": MessageChannel(channel).label,
        "fields": sorted(fields_allowed(channel)),
    }
    return render(request, "notifications/settings_message_edit.html", context, status=status)


@require_http_methods(["GET", "POST"])
@requires(CHANGE)
def message_setting_edit(
    request: HttpRequest, kind: str, language: str, channel: str
) -> HttpResponse:
    """GET: the current words and their preview. POST: preview the draft (action=preview)
    or keep it; a draft that fails the checks comes back with the field's error."""
    _require_known(kind, language, channel)
    if language != (cased := language_tag_cased(language)):
        # Wording is kept under the tag's usual case: edit it there, where what is kept shows.
        return redirect("notifications:message_setting", kind, cased, channel)
    organization = request.user.organization
    where = {"organization": organization, "kind": kind, "language": language, "channel": channel}
    if request.method == "GET":
        wording = message_template_wording(**where)
        form = MessageTemplateForm(initial={"subject": wording.subject, "body": wording.body})
        preview = message_template_preview(**where)
        return _edit_page(request, kind, language, channel, form=form, preview=preview)
    form = MessageTemplateForm(request.POST)
    if not form.is_valid():
        return _edit_page(request, kind, language, channel, form=form, preview=None, status=400)
    draft = form.cleaned_data
    try:
        if request.POST.get("action") == PREVIEW:
            preview = message_template_preview(**where, **draft)
            return _edit_page(request, kind, language, channel, form=form, preview=preview)
        message_template_set(**where, actor=request.user, **draft)
    except InvalidInput as error:
        field = error.field if error.field in form.fields else None
        form.add_error(field, error.message.removeprefix(f"{error.field}: "))
        return _edit_page(
            request,
            kind,
            language,
            channel,
            form=form,
            preview=None,
            preview_error=error.message,
            status=400,
        )
    messages.success(request, "Saved: messages queued from now on use these words.")
    return redirect("notifications:message_setting", kind, language, channel)


@require_POST
@requires(CHANGE)
def message_setting_reset(
    request: HttpRequest, kind: str, language: str, channel: str
) -> HttpResponse:
    """Drop the clinic's words so the shipped default applies again."""
    _require_known(kind, language, channel)
    if message_template_delete(
        organization=request.user.organization,
        actor=request.user,
        kind=kind,
        language=language,
        channel=channel,
    ):
        messages.success(request, "The default wording applies again.")
    return redirect("notifications:message_setting", kind, language_tag_cased(language), channel)
