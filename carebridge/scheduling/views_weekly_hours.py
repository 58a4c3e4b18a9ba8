"""A practitioner's weekly hours: everyone who books sees them; clinic admins add hours and
end them, and learn which booked visits lie in hours that end."""

from __future__ import annotations

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
from carebridge.directory.selectors import access_practitioner, practitioner_list
from carebridge.scheduling.constants import RuleKind
from carebridge.scheduling.forms_weekly_hours import EndHoursForm, WeeklyHoursForm
from carebridge.scheduling.selectors import (
    access_weekly_hours,
    visits_in_hours_after,
    weekly_hours,
)
from carebridge.scheduling.services.weekly_hours import (
    WEEKDAY_NAMES,
    check_last_day,
    weekly_hours_add,
    weekly_hours_end,
)

VIEW = "directory.view_practitioner"
CHANGE = "scheduling.add_availabilityrule"


def _practitioner(request: HttpRequest, public_id: str | None):
    """The practitioner named, or the first one; 404 for another organization's or a
    malformed id."""
    organization = request.user.organization
    if not public_id:
        return practitioner_list(organization=organization).first()
    return found_or_404(lambda: access_practitioner(organization=organization, public_id=public_id))


def _page_url(practitioner) -> str:
    query = urlencode({"practitioner": practitioner.public_id})
    return f"{reverse('scheduling:weekly_hours')}?{query}"


def _page(request: HttpRequest, practitioner, form: WeeklyHoursForm, status: int = 200):
    today = clock.now().astimezone(ZoneInfo(request.user.organization.timezone)).date()
    rules = weekly_hours(practitioner=practitioner, on_or_after=today) if practitioner else []
    context = {
        "practitioner": practitioner,
        "practitioners": practitioner_list(organization=request.user.organization),
        "rows": [(rule, WEEKDAY_NAMES[rule.weekday]) for rule in rules],
        "form": form,
        "end_form": EndHoursForm(initial={"last_day": today}),
        "can_change": request.user.has_perm(CHANGE),
    }
    return render(request, "scheduling/weekly_hours.html", context, status=status)


@require_http_methods(["GET", "POST"])
@requires(VIEW, to_change=CHANGE)
def weekly_hours_page(request: HttpRequest) -> HttpResponse:
    organization = request.user.organization
    practitioner = _practitioner(request, request.GET.get("practitioner"))
    if request.method == "GET":
        return _page(request, practitioner, WeeklyHoursForm(organization=organization))
    form = WeeklyHoursForm(request.POST, organization=organization)
    if practitioner is None or not form.is_valid():
        return _page(request, practitioner, form, 400)
    values = {name: value for name, value in form.cleaned_data.items() if name != "location"}
    try:
        added = weekly_hours_add(
            practitioner=practitioner, location=form.chosen("location"), **values
        )
    except DomainError as error:
        show_domain_error(form, error)
        return _page(request, practitioner, form, error.http_status)
    days = ", ".join(WEEKDAY_NAMES[rule.weekday] for rule in added)
    messages.success(request, f"{practitioner.display_name}: hours added on {days}.")
    return redirect(_page_url(practitioner))


def _visits_text(visits, zone: ZoneInfo) -> str:
    return "; ".join(
        f"{visit.start.astimezone(zone):%a %Y-%m-%d %H:%M} {visit.patient.display_name}"
        for visit in visits
    )


@require_POST
@requires(CHANGE)
def weekly_hours_end_view(request: HttpRequest, public_id: uuid.UUID) -> HttpResponse:
    organization = request.user.organization
    rule = found_or_404(lambda: access_weekly_hours(organization=organization, public_id=public_id))
    form = EndHoursForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Last day: {' '.join(form.errors['last_day'])}")
        return redirect(_page_url(rule.practitioner))
    last_day = form.cleaned_data["last_day"]
    try:
        # Before the visits after it are read: a mistyped year would read (and audit) them all.
        check_last_day(rule, last_day)
        still_booked = visits_in_hours_after(rule=rule, last_day=last_day, actor=request.user)
        kept = weekly_hours_end(rule=rule, last_day=last_day)
    except DomainError as error:
        messages.error(request, error.reason.capitalize())
        return redirect(_page_url(rule.practitioner))
    hours = f"{WEEKDAY_NAMES[rule.weekday]} {rule.start_time:%H:%M}\u2013{rule.end_time:%H:%M}"
    done = f"{hours} at {rule.location.name}: " + (
        f"end after {last_day:%a %Y-%m-%d}." if kept else "removed."
    )
    if still_booked and rule.kind == RuleKind.WORKING:
        zone, count = ZoneInfo(rule.location.timezone), len(still_booked)
        messages.warning(
            request,
            f"{done} {count} booked visit{'s lie' if count > 1 else ' lies'} in these hours"
            f" after that day; move them: {_visits_text(still_booked, zone)}.",
        )
    else:
        messages.success(request, done)
    return redirect(_page_url(rule.practitioner))
