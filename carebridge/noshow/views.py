"""The no-show page: patients to call, overbooking suggestions, the model and its fairness."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from carebridge.accounts.decorators import requires
from carebridge.core.errors import DomainError
from carebridge.noshow.forms import PolicyForm
from carebridge.noshow.selectors import (
    noshow_call_list,
    noshow_fairness,
    noshow_model_current,
    noshow_overbooking,
    noshow_policy,
)
from carebridge.noshow.services import noshow_outreach_refresh, noshow_policy_set

CHANGE_POLICY = "noshow.change_noshowpolicy"
# Rescoring texts patients extra reminders: outreach is the desk's work, so the roles that
# book visits (coordinators, admins) may run it; roles that only view or chart may not.
RESCORE = "scheduling.add_appointment"


@require_GET
def noshow_page(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _page(request: HttpRequest, policy_form: PolicyForm | None = None, status: int = 200):
    organization = request.user.organization
    policy = noshow_policy(organization=organization)
    fairness = noshow_fairness(organization=organization)
    context = {
        "policy": policy,
        "policy_form": policy_form or PolicyForm.of(policy),
        "can_change_policy": request.user.has_perm(CHANGE_POLICY),
        "can_rescore": request.user.has_perm(RESCORE),
        "model": noshow_model_current(organization=organization),
        "call_list": noshow_call_list(organization=organization, actor=request.user),
        "overbooking": noshow_overbooking(organization=organization),
        "fairness": [
            (rows[0].get_dimension_display(), rows)
            for _, group in groupby(fairness, key=lambda metric: metric.dimension)
            if (rows := list(group))
        ],
    }
    return render(request, "noshow/page.html", context, status=status)


@require_POST
def noshow_policy_view(request: HttpRequest) -> HttpResponse:
    """Clinic admins set the bands and outreach limits."""
    if not request.user.has_perm(CHANGE_POLICY):
        raise PermissionDenied
    form = PolicyForm(request.POST)
    if form.is_valid():
        try:
            noshow_policy_set(organization=request.user.organization, **form.cleaned_data)
        except DomainError as error:
            form.add_error(error.field, error.message.removeprefix(f"{error.field}: "))
        else:
            messages.success(request, "Policy saved; rescore to apply the new bands now.")
            return redirect("noshow:page")
    return _page(request, policy_form=form, status=400)


@require_POST
@requires(RESCORE)
def noshow_refresh(request: HttpRequest) -> HttpResponse:
    """Rescore the visits ahead and queue extra reminders now, not at the daily run."""
    scored, reminded = noshow_outreach_refresh(organization=request.user.organization)
    messages.success(
        request, f"Rescored {scored} upcoming visits; {reminded} extra reminders queued."
    )
    return redirect("noshow:page")
