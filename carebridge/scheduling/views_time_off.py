"""Time off and extra hours: who is away or working extra, and the booked visits that
now lie in someone's time off; record and take back."""

from __future__ import annotations

import datetime
import uuid
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from carebridge.accounts.decorators import requires
from carebridge.core import clock
from carebridge.core.errors import DomainError
from carebridge.core.forms import show_domain_error
from carebridge.core.views import found_or_404
from carebridge.directory.selectors import access_practitioner
from carebridge.scheduling.forms_time_off import TimeOffForm
from carebridge.scheduling.selectors import (
    TimeOff,
    access_time_off,
    time_off_ahead,
    time_off_zone,
)
from carebridge.scheduling.services.time_off import (
    TimesOffered,
    availability_exception_create,
    availability_exception_remove,
    time_off_offer_other_times,
)

VIEW = "scheduling.view_availabilityexception"
ADD = "scheduling.add_availabilityexception"
REMOVE = "scheduling.delete_availabilityexception"


def _practitioner_shown(request: HttpRequest):
    """The practitioner ?practitioner= names, None for everyone; 404 for another
    organization's or a malformed id."""
    public_id = request.GET.get("practitioner")
    if not public_id:
        return None
    organization = request.user.organization
    return found_or_404(lambda: access_practitioner(organization=organization, public_id=public_id))


def _list_url(practitioner=None) -> str:
    url = reverse("scheduling:time_off")
    return f"{url}?{urlencode({'practitioner': practitioner.public_id})}" if practitioner else url


def _when(start: datetime.datetime, end: datetime.datetime) -> str:
    """The span as a coordinator would say it: whole days by their dates."""
    midnight = datetime.time(0)
    if start.time() == end.time() == midnight:
        last = end.date() - datetime.timedelta(days=1)
        if last == start.date():
            return f"{start:%a %Y-%m-%d}, all day"
        return f"{start:%a %Y-%m-%d} to {last:%a %Y-%m-%d}, whole days"
    if start.date() == end.date():
        return f"{start:%a %Y-%m-%d} {start:%H:%M}\u2013{end:%H:%M}"
    return f"{start:%a %Y-%m-%d %H:%M} to {end:%a %Y-%m-%d %H:%M}"


def _row(found: TimeOff) -> dict:
    entry, zone = found.entry, time_off_zone(found.entry)
    return {
        "entry": entry,
        "visits": found.visits,
        "when": _when(entry.start.astimezone(zone), entry.end.astimezone(zone)),
        "zone": f"times in {zone.key}",
    }


def _page(request: HttpRequest, form: TimeOffForm, shown, status: int = 200) -> HttpResponse:
    user = request.user
    context = {
        "form": form,
        "shown": shown,
        "rows": [
            _row(found)
            for found in time_off_ahead(
                organization=user.organization, actor=user, practitioner=shown
            )
        ],
        "practitioners": form.offered["practitioner"],
        "clinic_zone": user.organization.timezone,
        "can_add": user.has_perm(ADD),
        "can_remove": user.has_perm(REMOVE),
    }
    return render(request, "scheduling/time_off.html", context, status=status)


@require_http_methods(["GET", "POST"])
@requires(VIEW, to_change=ADD)
def time_off(request: HttpRequest) -> HttpResponse:
    organization, shown = request.user.organization, _practitioner_shown(request)
    if request.method == "GET":
        today = clock.now().astimezone(ZoneInfo(organization.timezone)).date()
        initial = {"start_date": today}
        if shown:
            initial["practitioner"] = str(shown.public_id)
        return _page(request, TimeOffForm(initial=initial, organization=organization), shown)
    form = TimeOffForm(request.POST, organization=organization)
    if not form.is_valid():
        return _page(request, form, shown, 400)
    try:
        start, end = form.span()
        entry = availability_exception_create(
            practitioner=form.chosen("practitioner"),
            kind=form.cleaned_data["kind"],
            start=start,
            end=end,
            location=form.chosen("location"),
            reason=form.cleaned_data["reason"],
            actor=request.user,
        )
    except DomainError as error:
        show_domain_error(form, error, renamed=form.renamed_fields())
        return _page(request, form, shown, error.http_status)
    what = entry.get_kind_display().lower()
    messages.success(request, f"{entry.practitioner.display_name}: {what} recorded.")
    return redirect(f"{_list_url(entry.practitioner)}#time-off-{entry.public_id}")


@require_POST
@requires(REMOVE)
def time_off_remove(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    organization = request.user.organization
    entry = found_or_404(lambda: access_time_off(organization=organization, public_id=public_id))
    try:
        availability_exception_remove(exception=entry)
    except DomainError as error:
        messages.error(request, error.reason)
    else:
        what = entry.get_kind_display().lower()
        messages.success(request, f"{entry.practitioner.display_name}: {what} taken back.")
    return redirect(_list_url(entry.practitioner))


def _patients(count: int) -> str:
    return f"{count} patient{'s' if count != 1 else ''}"


def _offer_summary(done: TimesOffered) -> str:
    parts = []
    if done.offered:
        parts.append(f"Sent {_patients(done.offered)} other times to choose from.")
    if done.already:
        parts.append(f"{_patients(done.already)} still had times to choose from.")
    if done.to_call:
        names = ", ".join(visit.patient.display_name for visit in done.to_call)
        parts.append(
            f"Call {_patients(len(done.to_call))}: no free time to offer, or no way to write"
            f" to them ({names})."
        )
    return " ".join(parts) or "No visit in this time off is left to move."


@require_POST
@requires(ADD)
def time_off_offer(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    """Send the patients with visits in the time off other times to choose from."""
    organization = request.user.organization
    entry = found_or_404(lambda: access_time_off(organization=organization, public_id=public_id))
    try:
        done = time_off_offer_other_times(exception=entry, actor=request.user)
    except DomainError as error:
        messages.error(request, error.reason)
    else:
        (messages.warning if done.to_call else messages.success)(request, _offer_summary(done))
    return redirect(f"{_list_url(entry.practitioner)}#time-off-{entry.public_id}")
