"""Merging a duplicate record into the patient's page: choose the duplicate, compare the two
and see what moves, then merge. Undoing a merge from the duplicate's page: see what goes
back, then undo."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from carebridge.accounts.decorators import requires
from carebridge.core.errors import DomainError
from carebridge.core.views import found_or_404
from carebridge.notifications.selectors import message_status_counts
from carebridge.patients.selectors import access_patient, patient_merge_undo_preview
from carebridge.patients.services import patient_merge, patient_unmerge
from carebridge.scheduling.selectors import AppointmentQuery, appointment_list
from carebridge.scheduling.waitlist_selectors import WaitlistQuery, waitlist_entry_list

# Compared side by side before merging.
COMPARED = (
    ("Name", "display_name"),
    ("Born", "birth_date"),
    ("MRN", "mrn"),
    ("Mobile", "phone_mobile"),
    ("Email", "email"),
    ("Address", "address_line"),
    ("Language", "preferred_language"),
)


def _patient(request: HttpRequest, public_id):
    """One of the organization's patients (audited as read); 404 for another organization's
    or a malformed id."""
    organization, user = request.user.organization, request.user
    return found_or_404(
        lambda: access_patient(organization=organization, actor=user, public_id=public_id)
    )


def _what_moves(request: HttpRequest, duplicate) -> dict:
    organization, user = request.user.organization, request.user
    visits, total = appointment_list(
        organization=organization,
        actor=user,
        query=AppointmentQuery(patient_id=duplicate.pk),
        limit=10,
        with_total=True,
    )
    _, waiting = waitlist_entry_list(
        organization=organization,
        actor=user,
        query=WaitlistQuery(patient_id=duplicate.pk),
        limit=0,
    )
    sent = message_status_counts(organization=organization, patient=duplicate)
    return {
        "visits": visits,
        "visit_total": total,
        "waitlist_total": waiting,
        "message_total": sum(sent.values()),
    }


def _page(request, keep, duplicate=None, error: str = "", status: int = 200) -> HttpResponse:
    context = {"patient": keep, "duplicate": duplicate, "error": error}
    if duplicate is not None:
        context["rows"] = [
            (label, getattr(duplicate, name), getattr(keep, name)) for label, name in COMPARED
        ]
        context.update(_what_moves(request, duplicate))
    return render(request, "web/patient_merge.html", context, status=status)


@require_http_methods(["GET", "POST"])
@requires("patients.change_patient")
def patient_merge_view(request: HttpRequest, public_id) -> HttpResponse:
    """GET ?patient=<duplicate> compares; POST duplicate=<id> merges it into this record."""
    keep = _patient(request, public_id)
    if request.method == "GET":
        chosen = request.GET.get("patient")
        return _page(request, keep, _patient(request, chosen) if chosen else None)
    duplicate = _patient(request, request.POST.get("duplicate", ""))
    try:
        patient_merge(
            duplicate=duplicate,
            keep=keep,
            actor=request.user,
            reason=request.POST.get("reason", "").strip()[:200],
        )
    except DomainError as error:
        return _page(request, keep, duplicate, error=error.reason, status=error.http_status)
    messages.success(
        request, f"{duplicate.display_name} ({duplicate.mrn}) is merged into this record."
    )
    return redirect("web:patient_detail", public_id=keep.public_id)


def _undo_page(request, duplicate, error: str = "", status: int = 200) -> HttpResponse:
    context = {"patient": duplicate, "error": error, "preview": None}
    try:
        context["preview"] = patient_merge_undo_preview(duplicate=duplicate)
    except DomainError as refused:
        context["error"] = error or refused.reason
        status = max(status, refused.http_status)
    return render(request, "web/patient_unmerge.html", context, status=status)


@require_http_methods(["GET", "POST"])
@requires("patients.change_patient")
def patient_unmerge_view(request: HttpRequest, public_id) -> HttpResponse:
    """GET shows what undoing this record's merge gives back; POST undoes it."""
    duplicate = _patient(request, public_id)
    if request.method == "GET":
        return _undo_page(request, duplicate)
    try:
        patient_unmerge(
            duplicate=duplicate,
            actor=request.user,
            reason=request.POST.get("reason", "").strip()[:200],
        )
    except DomainError as error:
        return _undo_page(request, duplicate, error.reason, error.http_status)
    messages.success(request, "The merge is undone: this record stands on its own again.")
    return redirect("web:patient_detail", public_id=duplicate.public_id)
