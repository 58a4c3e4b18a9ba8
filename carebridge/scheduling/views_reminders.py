"""Clinic admins' page for the reminder policy: the organization's, and the visit types
that have their own."""

from __future__ import annotations

import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from carebridge.accounts.decorators import requires
from carebridge.core.errors import DomainError, NotFound
from carebridge.core.forms import show_domain_error
from carebridge.scheduling.forms_reminders import (
    ReminderPolicyForm,
    offsets_text,
    policy_initial,
    stored_offsets,
)
from carebridge.scheduling.models import VisitType
from carebridge.scheduling.reminder_selectors import (
    reminder_policy_of,
    reminder_policy_overrides,
)
from carebridge.scheduling.selectors import access_visit_type, visit_type_list
from carebridge.scheduling.services.reminders import (
    reminder_policy_override_delete,
    reminder_policy_set,
)

# Only clinic admins hold it (accounts.constants.ROLE_PERMISSIONS).
CHANGE = "scheduling.change_reminderpolicy"
SAVED = "Reminder policy saved; it applies to visits booked or moved from now on."


def _visit_type(request: HttpRequest, public_id: uuid.UUID | str) -> VisitType:
    try:
        return access_visit_type(organization=request.user.organization, public_id=public_id)
    except NotFound as error:
        raise Http404(error.message) from error


def _save(request: HttpRequest, form: ReminderPolicyForm, visit_type: VisitType | None) -> bool:
    """Keep the policy the form describes; False, with the error on the form, if refused."""
    if not form.is_valid():
        return False
    try:
        reminder_policy_set(
            organization=request.user.organization,
            actor=request.user,
            visit_type=visit_type,
            **form.cleaned_data,
        )
    except DomainError as error:
        show_domain_error(form, error)
        return False
    messages.success(request, SAVED)
    return True


@require_http_methods(["GET", "POST"])
@requires(CHANGE)
def reminder_settings(request: HttpRequest) -> HttpResponse:
    """The organization's policy, its visit-type overrides, and a way to add one
    (?visit_type= opens that visit type's policy)."""
    if chosen := request.GET.get("visit_type"):
        return redirect("scheduling:reminder_override", _visit_type(request, chosen).public_id)
    organization = request.user.organization
    own = reminder_policy_of(organization=organization)
    if request.method == "POST":
        form = ReminderPolicyForm(request.POST)
        if _save(request, form, None):
            return redirect("scheduling:reminder_settings")
    else:
        form = ReminderPolicyForm(initial=policy_initial(own))
    overrides = reminder_policy_overrides(organization=organization)
    overridden = {policy.visit_type_id for policy in overrides}
    context = {
        "form": form,
        "uses_defaults": own is None,
        "overrides": [(policy, offsets_text(stored_offsets(policy))) for policy in overrides],
        "addable": [
            visit_type
            for visit_type in visit_type_list(organization=organization)
            if visit_type.pk not in overridden
        ],
    }
    status = 400 if form.errors else 200
    return render(request, "scheduling/settings_reminders.html", context, status=status)


@require_http_methods(["GET", "POST"])
@requires(CHANGE)
def reminder_override(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """A visit type's own policy; a new one starts from the organization's."""
    visit_type = _visit_type(request, public_id)
    organization = request.user.organization
    override = reminder_policy_of(organization=organization, visit_type=visit_type)
    if request.method == "POST":
        form = ReminderPolicyForm(request.POST)
        if _save(request, form, visit_type):
            return redirect("scheduling:reminder_settings")
    else:
        start_from = override or reminder_policy_of(organization=organization)
        form = ReminderPolicyForm(initial=policy_initial(start_from))
    context = {"form": form, "visit_type": visit_type, "override": override}
    status = 400 if form.errors else 200
    return render(request, "scheduling/settings_reminder_override.html", context, status=status)


@require_POST
@requires(CHANGE)
def reminder_override_remove(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """The visit type follows the organization's policy again."""
    visit_type = _visit_type(request, public_id)
    if reminder_policy_override_delete(
        organization=request.user.organization, actor=request.user, visit_type=visit_type
    ):
        messages.success(request, f"{visit_type.name} follows the clinic's policy again.")
    return redirect("scheduling:reminder_settings")
