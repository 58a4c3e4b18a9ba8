"""The no-show page: patients to call, overbooking suggestions, the model and its fairness."""

from __future__ import annotations

from itertools import groupby

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from carebridge.noshow.selectors import (
    noshow_call_list,
    noshow_fairness,
    noshow_model_current,
    noshow_overbooking,
    noshow_policy,
)
from carebridge.noshow.services import noshow_outreach_refresh


@require_GET
def noshow_page(request: HttpRequest) -> HttpResponse:
    organization = request.user.organization
    fairness = noshow_fairness(organization=organization)
    context = {
        "policy": noshow_policy(organization=organization),
        "model": noshow_model_current(organization=organization),
        "call_list": noshow_call_list(organization=organization, actor=request.user),
        "overbooking": noshow_overbooking(organization=organization),
        "fairness": [
            (rows[0].get_dimension_display(), rows)
            for _, group in groupby(fairness, key=lambda metric: metric.dimension)
            if (rows := list(group))
        ],
    }
    return render(request, "noshow/page.html", context)


@require_POST
def noshow_refresh(request: HttpRequest) -> HttpResponse:
    """Rescore the visits ahead and queue extra reminders now, not at the daily run."""
    scored, reminded = noshow_outreach_refresh(organization=request.user.organization)
    messages.success(
        request, f"Rescored {scored} upcoming visits; {reminded} extra reminders queued."
    )
    return redirect("noshow:page")
