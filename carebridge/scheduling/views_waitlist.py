"""The coordinator's waitlist pages: who waits, the offers in flight and what became of
freed slots; add and remove entries."""

from __future__ import annotations

import datetime
import uuid

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carebridge.accounts.decorators import requires
from carebridge.core import clock
from carebridge.core.errors import DomainError, NotFound
from carebridge.core.forms import show_domain_error
from carebridge.patients.selectors import access_patient
from carebridge.scheduling.forms_waitlist import (
    ON_THE_LIST,
    WaitlistEntryForm,
    WaitlistFilterForm,
    WaitlistPolicyForm,
)
from carebridge.scheduling.services.waitlist import (
    waitlist_add,
    waitlist_policy_set,
    waitlist_remove,
)
from carebridge.scheduling.waitlist_constants import OPEN_ENTRY_STATUSES
from carebridge.scheduling.waitlist_selectors import (
    WaitlistQuery,
    access_waitlist_entry,
    backfill_slots_recent,
    offers_in_flight,
    waitlist_entry_list,
    waitlist_fill_stats,
    waitlist_policy,
)

MANAGE = "scheduling.add_appointment"
CHANGE_POLICY = "scheduling.change_waitlistpolicy"
LIST_LIMIT = 200
OUTCOME_DAYS = 14
STATS_DAYS = 30


def _minutes(value: datetime.timedelta | None) -> int | None:
    return None if value is None else round(value.total_seconds() / 60)


def _query(form: WaitlistFilterForm) -> WaitlistQuery:
    status = form.cleaned_data.get("status") or ON_THE_LIST
    visit_type = form.chosen("visit_type")
    return WaitlistQuery(
        statuses=(status,) if status != ON_THE_LIST else OPEN_ENTRY_STATUSES,
        visit_type_id=visit_type.pk if visit_type else None,
    )


def _outcomes(organization, now: datetime.datetime) -> list[dict]:
    slots = backfill_slots_recent(
        organization=organization, since=now - datetime.timedelta(days=OUTCOME_DAYS)
    )
    return [
        {
            "slot": slot,
            "minutes_to_fill": _minutes(slot.filled_at - slot.freed_at) if slot.filled_at else None,
        }
        for slot in slots
    ]


@require_GET
def waitlist(request: HttpRequest) -> HttpResponse:
    return _page(request)


def _page(
    request: HttpRequest, policy_form: WaitlistPolicyForm | None = None, status: int = 200
) -> HttpResponse:
    organization, user, now = request.user.organization, request.user, clock.now()
    form = WaitlistFilterForm(request.GET, organization=organization)
    if not form.is_valid():
        return render(request, "scheduling/waitlist.html", {"filters": form}, status=400)
    policy = waitlist_policy(organization_id=organization.pk)
    entries, total = waitlist_entry_list(
        organization=organization, actor=user, query=_query(form), limit=LIST_LIMIT
    )
    stats = waitlist_fill_stats(
        organization=organization, start=now - datetime.timedelta(days=STATS_DAYS), end=now
    )
    context = {
        "filters": form,
        "entries": entries,
        "total": total,
        "offers": offers_in_flight(organization=organization, actor=user),
        "outcomes": _outcomes(organization, now),
        "stats": stats,
        "stats_days": STATS_DAYS,
        "outcome_days": OUTCOME_DAYS,
        "median_minutes": stats.median_minutes_to_fill,
        "can_manage": user.has_perm(MANAGE),
        "open_statuses": OPEN_ENTRY_STATUSES,
        "policy": policy,
        "policy_form": policy_form
        or WaitlistPolicyForm(
            initial={
                "batch_size": policy.batch_size,
                "hold_minutes": policy.hold_minutes,
                "min_lead_minutes": policy.min_lead_minutes,
            }
        ),
        "can_change_policy": user.has_perm(CHANGE_POLICY),
    }
    return render(request, "scheduling/waitlist.html", context, status=status)


@require_POST
@requires(CHANGE_POLICY)
def waitlist_policy_view(request: HttpRequest) -> HttpResponse:
    """Clinic admins set batch size, hold time and minimum lead."""
    form = WaitlistPolicyForm(request.POST)
    if form.is_valid():
        try:
            waitlist_policy_set(
                organization=request.user.organization, actor=request.user, **form.cleaned_data
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, "Waitlist policy saved; new offers follow it.")
            return redirect("waitlist:list")
    return _page(request, policy_form=form, status=400)


def _chosen_patient(request: HttpRequest, public_id):
    """The patient the form names, or None when none is named or it is not ours."""
    try:
        uuid.UUID(str(public_id))
        return access_patient(
            organization=request.user.organization, actor=request.user, public_id=public_id
        )
    except (ValueError, NotFound):
        return None


def _form_page(request, form: WaitlistEntryForm, patient, status: int = 200) -> HttpResponse:
    context = {"form": form, "chosen_patient": patient}
    return render(request, "scheduling/waitlist_form.html", context, status=status)


@require_http_methods(["GET", "POST"])
@requires(MANAGE)
def waitlist_new(request: HttpRequest) -> HttpResponse:
    """Put a patient on the waitlist (?patient= preselects one, e.g. from their page)."""
    organization = request.user.organization
    if request.method == "GET":
        form = WaitlistEntryForm(initial=request.GET.dict(), organization=organization)
        return _form_page(request, form, _chosen_patient(request, request.GET.get("patient")))
    form = WaitlistEntryForm(request.POST, organization=organization)
    patient = _chosen_patient(request, request.POST.get("patient"))
    if form.is_valid() and patient is None:
        form.add_error("patient", "Choose a patient.")
    if not form.is_valid():
        return _form_page(request, form, patient, 400)
    try:
        entry = waitlist_add(
            organization=organization, actor=request.user, patient=patient, **form.preferences()
        )
    except DomainError as error:
        show_domain_error(form, error)
        return _form_page(request, form, patient, error.http_status)
    messages.success(request, f"{entry.patient.display_name} is on the waitlist.")
    return redirect("waitlist:list")


@require_POST
@requires(MANAGE)
def waitlist_entry_remove(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    try:
        entry = access_waitlist_entry(
            organization=request.user.organization, actor=request.user, public_id=public_id
        )
        waitlist_remove(entry=entry, actor=request.user, reason=request.POST.get("reason", ""))
    except NotFound as error:
        raise Http404(error.message) from error
    except DomainError as error:
        messages.error(request, error.reason)
        return redirect("waitlist:list")
    messages.success(request, f"{entry.patient.display_name} is off the waitlist.")
    return redirect("waitlist:list")
