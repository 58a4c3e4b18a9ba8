"""The coordinator's pages. Each view parses input, calls selectors or one service, renders.

htmx requests get the named partial of the same template the full page uses.
"""

from __future__ import annotations

import datetime
import functools
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from carebridge.accounts.decorators import requires
from carebridge.core import clock
from carebridge.core.errors import DomainError, InvalidInput, NotFound, StaleVersion
from carebridge.core.forms import show_domain_error
from carebridge.core.htmx import is_htmx
from carebridge.core.timeranges import local_day_bounds, zone_of
from carebridge.directory.selectors import PractitionerQuery, location_list, practitioner_list
from carebridge.noshow.selectors import noshow_risks_attach
from carebridge.notifications.selectors import message_list
from carebridge.patients.selectors import (
    PatientQuery,
    access_patient,
    patient_possible_duplicates,
    patient_search,
)
from carebridge.patients.services import patient_check, patient_create, patient_update
from carebridge.scheduling.availability import check_search_day, slot_search
from carebridge.scheduling.constants import INACTIVE_STATUSES, ConfirmationChannel
from carebridge.scheduling.selectors import (
    AppointmentQuery,
    access_appointment,
    appointment_history,
    appointment_list,
    closed_day_reason,
    time_off_during,
    time_off_over_visit,
    visit_type_list,
)
from carebridge.scheduling.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    appointment_transition,
)
from carebridge.scheduling.services.confirmations import appointment_confirm
from carebridge.web.board import build_board, time_off_label
from carebridge.web.forms import (
    DATE_INPUT_FORMATS,
    PATIENT_FIELDS,
    AppointmentChangeForm,
    BookingForm,
    CancelForm,
    FindForm,
    PatientForm,
    RescheduleForm,
    TransitionForm,
    desk_actions,
    wall_clock_in,
)

BOARD_CHANGED = "board-changed"
FIRST_AVAILABLE_LIMIT = 12
FIRST_AVAILABLE_DAYS = 60
# The newest messages to a patient shown on their page; the rest are a link away.
PATIENT_PAGE_MESSAGES = 5
# Posted by the button that registers a person whose possible duplicates were shown.
REGISTER_ANYWAY = "register_anyway"
STALE_MESSAGE = (
    "Someone else changed this appointment while you had it open. "
    "This is the current version: check it and try again."
)


def render_page(request, template: str, context: dict, partial: str, status: int = 200):
    """The full page, or only its `partial` for an htmx request."""
    name = f"{template}#{partial}" if is_htmx(request) else template
    return render(request, name, context, status=status)


def domain_errors_as_pages(view):
    """Another organization's object is a plain 404; malformed query input a 400 page."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except NotFound as error:
            raise Http404(error.message) from error
        except InvalidInput as error:
            return render(request, "web/error.html", {"error": error}, status=400)

    return wrapper


def parse_day(raw: str | None, zone) -> datetime.date:
    """A ?date= value, or today where the location is."""
    if not raw:
        return clock.today(zone)
    for date_format in DATE_INPUT_FORMATS:
        try:
            day = datetime.datetime.strptime(raw, date_format).date()  # noqa: DTZ007
        except ValueError:
            continue
        check_search_day(day, "date")
        return day
    raise InvalidInput(f"date: {raw!r} is not a date like 2025-03-14", field="date")


def _pick(items, public_id: str | None, label: str):
    """The item with this public id from an already scoped list; the first one by default."""
    if not public_id:
        return items[0] if items else None
    for item in items:
        if str(item.public_id) == public_id:
            return item
    raise NotFound(f"{label} not found")


# The schedule board


def _board_context(request, location, day: datetime.date, visit_type) -> dict:
    organization = request.user.organization
    zone = zone_of(location.timezone)
    day_start = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
    day_end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0), zone)
    found, _ = appointment_list(
        organization=organization,
        actor=request.user,
        query=AppointmentQuery(location_id=location.pk, start_from=day_start, start_before=day_end),
        limit=1000,
    )
    active = [a for a in found if a.status not in INACTIVE_STATUSES]
    noshow_risks_attach(organization=organization, appointments=active)
    practitioners = list(
        practitioner_list(
            organization=organization, query=PractitionerQuery(location_id=location.pk)
        )
    )
    known = {p.pk for p in practitioners}
    practitioners += list(
        {
            a.practitioner_id: a.practitioner for a in active if a.practitioner_id not in known
        }.values()
    )
    slots = _board_slots(organization, location, day, visit_type)
    board = build_board(
        location=location,
        day=day,
        zone=zone,
        practitioners=practitioners,
        appointments=active,
        slots=slots,
        closed_reason=closed_day_reason(location=location, day=day),
        time_off=time_off_during(location=location, start=day_start, end=day_end),
    )
    return {
        "location": location,
        "visit_type": visit_type,
        "board": board,
        "called_off": [a for a in found if a.status in INACTIVE_STATUSES],
        "nav": _day_navigation(location, day, visit_type),
    }


def _board_slots(organization, location, day, visit_type):
    if visit_type is None:
        return []
    return slot_search(
        organization=organization,
        visit_type=visit_type,
        start_date=day,
        end_date=day,
        location_id=location.pk,
        limit=1000,
    )


def board_url(location, day: datetime.date, visit_type=None, **extra) -> str:
    params = {"location": location.public_id, "date": day.isoformat(), **extra}
    if visit_type is not None:
        params["visit_type"] = visit_type.public_id
    return f"{reverse('web:board')}?{urlencode(params)}"


def _day_navigation(location, day: datetime.date, visit_type) -> dict:
    one_day, one_week = datetime.timedelta(days=1), datetime.timedelta(days=7)
    today = clock.today(zone_of(location.timezone))
    return {
        "current": board_url(location, day, visit_type),
        "today": board_url(location, today, visit_type),
        "previous_day": board_url(location, day - one_day, visit_type),
        "next_day": board_url(location, day + one_day, visit_type),
        "previous_week": board_url(location, day - one_week, visit_type),
        "next_week": board_url(location, day + one_week, visit_type),
        "week": f"{reverse('web:week')}?"
        + urlencode({"location": location.public_id, "date": day.isoformat()}),
        "is_today": day == today,
    }


def _board_choices(request) -> tuple[list, object, list, object]:
    organization = request.user.organization
    locations = list(location_list(organization=organization))
    location = _pick(locations, request.GET.get("location"), "location")
    visit_types = list(visit_type_list(organization=organization))
    visit_type = _pick(visit_types, request.GET.get("visit_type"), "visit type")
    return locations, location, visit_types, visit_type


@require_GET
@domain_errors_as_pages
@requires("scheduling.view_appointment")
def board(request: HttpRequest) -> HttpResponse:
    """The day board of one location; ?appointment= opens that visit's panel beside it."""
    locations, location, visit_types, visit_type = _board_choices(request)
    if location is None:
        return render(request, "web/board.html", {"locations": []})
    day = parse_day(request.GET.get("date"), zone_of(location.timezone))
    context = _board_context(request, location, day, visit_type)
    context.update(locations=locations, visit_types=visit_types)
    if request.GET.get("appointment") and not is_htmx(request):
        context.update(_panel_context(request, _appointment(request, request.GET["appointment"])))
    return render_page(request, "web/board.html", context, "board")


def _away_on(away: dict, day: datetime.date, zone) -> list[str]:
    """Who is off on the local day, and when: 'Dr. Ana Okafor: Off all day · Sick'."""
    day_start, day_end = local_day_bounds(day, zone)
    return [
        f"{entry.practitioner.display_name}: {time_off_label(entry, day, zone)}"
        for entries in away.values()
        for entry in entries
        if entry.start < day_end and entry.end > day_start
    ]


@require_GET
@domain_errors_as_pages
@requires("scheduling.view_appointment")
def week(request: HttpRequest) -> HttpResponse:
    """Seven days from Monday at one location, each with its visits in time order."""
    locations, location, _, _ = _board_choices(request)
    if location is None:
        return render(request, "web/week.html", {"locations": []})
    zone = zone_of(location.timezone)
    day = parse_day(request.GET.get("date"), zone)
    monday = day - datetime.timedelta(days=day.weekday())
    days = [monday + datetime.timedelta(days=offset) for offset in range(7)]
    week_start, week_end = local_day_bounds(monday, zone)[0], local_day_bounds(days[-1], zone)[1]
    found, _ = appointment_list(
        organization=request.user.organization,
        actor=request.user,
        query=AppointmentQuery(
            location_id=location.pk, start_from=week_start, start_before=week_end
        ),
        limit=1000,
    )
    working_here = set(
        practitioner_list(
            organization=request.user.organization,
            query=PractitionerQuery(location_id=location.pk),
        ).values_list("pk", flat=True)
    )
    away = time_off_during(location=location, start=week_start, end=week_end)
    away = {pk: entries for pk, entries in away.items() if pk in working_here}
    listing = [
        (
            d,
            board_url(location, d),
            [a for a in found if a.start.astimezone(zone).date() == d],
            _away_on(away, d, zone),
        )
        for d in days
    ]
    context = {
        "locations": locations,
        "location": location,
        "days": listing,
        "week_start": monday,
        "previous_week": _week_url(location, monday - datetime.timedelta(days=7)),
        "next_week": _week_url(location, monday + datetime.timedelta(days=7)),
    }
    return render(request, "web/week.html", context)


def _week_url(location, day: datetime.date) -> str:
    return f"{reverse('web:week')}?" + urlencode(
        {"location": location.public_id, "date": day.isoformat()}
    )


# One appointment: the details panel and its actions


def _appointment(request, public_id):
    return access_appointment(
        organization=request.user.organization, actor=request.user, public_id=public_id
    )


def _time_off_over(appointment) -> list:
    """The practitioner's time off over a visit still ahead: the desk has to move it."""
    if appointment.status in INACTIVE_STATUSES or appointment.end <= clock.now():
        return []
    return time_off_over_visit(appointment)


def _panel_context(request, appointment, **forms) -> dict:
    zone = zone_of(appointment.location.timezone)
    noshow_risks_attach(organization=request.user.organization, appointments=[appointment])
    version = {"expected_version": appointment.version}
    local_start = appointment.start.astimezone(zone).replace(tzinfo=None)
    reschedule_initial = {
        **version,
        "start": local_start,
        "practitioner": str(appointment.practitioner.public_id),
    }
    return {
        "appointment": appointment,
        "time_off": _time_off_over(appointment),
        "history": _history_rows(appointment_history(appointment=appointment), zone),
        "desk_actions": desk_actions(appointment),
        "cancel_form": forms.get("cancel_form") or CancelForm(initial=version),
        "reschedule_form": forms.get("reschedule_form")
        or RescheduleForm(initial=reschedule_initial, organization=request.user.organization),
        "transition_error": forms.get("transition_error"),
        "stale": forms.get("stale", False),
        "board_link": board_url(
            appointment.location,
            appointment.start.astimezone(zone).date(),
            appointment=appointment.public_id,
        ),
    }


# Internal keys stay inside the process; the end moves with the start, so it adds nothing.
UNSHOWN_HISTORY_FIELDS = frozenset({"practitioner_id", "location_id", "end"})


def _history_rows(history, zone) -> list[dict]:
    """History entries with their changes in the clinic's words and the location's time."""
    return [
        {
            "entry": entry,
            # A booking's "changes" are its first values, all shown in the panel already.
            "changes": []
            if entry.action == "book"
            else [
                (
                    change.field.replace("_", " "),
                    _shown(change.old_value, zone),
                    _shown(change.new_value, zone),
                )
                for change in entry.changes.all()
                if change.field not in UNSHOWN_HISTORY_FIELDS
            ],
        }
        for entry in history
    ]


def _shown(value: str, zone) -> str:
    """A recorded value; recorded times (ISO, UTC) are shown in the location's zone."""
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        return value
    return moment.astimezone(zone).strftime("%b %d, %I:%M %p %Z")


@require_GET
@domain_errors_as_pages
@requires("scheduling.view_appointment")
def appointment_detail(request: HttpRequest, public_id) -> HttpResponse:
    appointment = _appointment(request, public_id)
    return render_page(
        request, "web/appointment.html", _panel_context(request, appointment), "panel"
    )


def _after_change(request, appointment, message: str) -> HttpResponse:
    """The fresh panel with the board told to redraw, or a redirect for plain forms."""
    messages.success(request, message)
    if not is_htmx(request):
        return redirect("web:appointment_detail", public_id=appointment.public_id)
    response = render(request, "web/appointment.html#panel", _panel_context(request, appointment))
    response["HX-Trigger"] = BOARD_CHANGED
    return response


def _change_failed(request, public_id, error: DomainError, **forms) -> HttpResponse:
    """The panel again, with the error beside the form that caused it and what was typed.

    A stale version reloads the appointment, so the coordinator sees what changed.
    """
    appointment = _appointment(request, public_id)
    if isinstance(error, StaleVersion):
        forms = {"stale": True}
    context = _panel_context(request, appointment, **forms)
    return render_page(request, "web/appointment.html", context, "panel", error.http_status)


def _invalid_form(request, public_id, **forms) -> HttpResponse:
    context = _panel_context(request, _appointment(request, public_id), **forms)
    return render_page(request, "web/appointment.html", context, "panel", 400)


@require_POST
@domain_errors_as_pages
@requires("scheduling.change_appointment")
def appointment_cancel_view(request: HttpRequest, public_id) -> HttpResponse:
    appointment = _appointment(request, public_id)
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _invalid_form(request, public_id, cancel_form=form)
    try:
        appointment = appointment_cancel(
            appointment=appointment,
            actor=request.user,
            reason=form.cleaned_data["reason"],
            cancelled_by=form.cleaned_data["cancelled_by"],
            expected_version=form.cleaned_data["expected_version"],
        )
    except DomainError as error:
        show_domain_error(form, error)
        return _change_failed(request, public_id, error, cancel_form=form)
    return _after_change(request, appointment, "Appointment cancelled.")


@require_POST
@domain_errors_as_pages
@requires("scheduling.change_appointment")
def appointment_status_view(request: HttpRequest, public_id) -> HttpResponse:
    """Arrived, checked in, fulfilled or no-show, from the desk buttons."""
    appointment = _appointment(request, public_id)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _invalid_form(request, public_id, transition_error=form.errors.as_text())
    try:
        appointment = appointment_transition(
            appointment=appointment,
            actor=request.user,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["expected_version"],
        )
    except DomainError as error:
        return _change_failed(request, public_id, error, transition_error=error.reason)
    return _after_change(request, appointment, f"Marked {appointment.get_status_display()}.")


@require_POST
@domain_errors_as_pages
@requires("scheduling.change_appointment")
def appointment_confirm_view(request: HttpRequest, public_id) -> HttpResponse:
    """The coordinator reached the patient, who said they will come."""
    appointment = _appointment(request, public_id)
    form = AppointmentChangeForm(request.POST)
    if not form.is_valid():
        return _invalid_form(request, public_id, transition_error=form.errors.as_text())
    try:
        appointment = appointment_confirm(
            appointment=appointment,
            via=ConfirmationChannel.PHONE,
            actor=request.user,
            expected_version=form.cleaned_data["expected_version"],
        )
    except DomainError as error:
        # e.g. the visit was cancelled from another page since this one was drawn
        return _change_failed(request, public_id, error, transition_error=error.reason)
    return _after_change(request, appointment, "Marked confirmed.")


@require_POST
@domain_errors_as_pages
@requires("scheduling.change_appointment")
def appointment_reschedule_view(request: HttpRequest, public_id) -> HttpResponse:
    appointment = _appointment(request, public_id)
    form = RescheduleForm(request.POST, organization=request.user.organization)
    if not form.is_valid():
        return _invalid_form(request, public_id, reschedule_form=form)
    try:
        appointment = appointment_reschedule(
            appointment=appointment,
            actor=request.user,
            start=wall_clock_in(form.cleaned_data["start"], appointment.location.timezone),
            practitioner=form.chosen("practitioner"),
            expected_version=form.cleaned_data["expected_version"],
            reason=form.cleaned_data["reason"],
        )
    except DomainError as error:
        show_domain_error(form, error)
        return _change_failed(request, public_id, error, reschedule_form=form)
    return _after_change(request, appointment, "Appointment moved.")


# Booking


def _chosen_patient(request, public_id):
    """The patient a form names, or None when none is named or it is not ours."""
    if not public_id:
        return None
    try:
        return access_patient(
            organization=request.user.organization, actor=request.user, public_id=public_id
        )
    except NotFound:
        return None


def _booking_page(request, form: BookingForm, status: int = 200) -> HttpResponse:
    patient = _chosen_patient(request, form["patient"].value())
    context = {"form": form, "chosen_patient": patient}
    return render_page(request, "web/appointment_form.html", context, "booking", status)


@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
# the form too, not only the booking: nobody fills in a form they may not submit
@requires("scheduling.add_appointment")
def appointment_new(request: HttpRequest) -> HttpResponse:
    """The booking form (prefilled from the board or a found slot) and the booking itself."""
    organization = request.user.organization
    if request.method == "GET":
        return _booking_page(
            request, BookingForm(initial=request.GET.dict(), organization=organization)
        )
    form = BookingForm(request.POST, organization=organization)
    patient = _chosen_patient(request, request.POST.get("patient"))
    if form.is_valid() and patient is None:
        form.add_error("patient", "Choose a patient.")
    if not form.is_valid():
        return _booking_page(request, form, 400)
    try:
        appointment = _book(request, form, patient)
    except DomainError as error:
        show_domain_error(form, error)
        return _booking_page(request, form, error.http_status)
    return _after_booking(request, appointment)


def _book(request, form: BookingForm, patient):
    location = form.chosen("location")
    return appointment_book(
        organization=request.user.organization,
        actor=request.user,
        patient=patient,
        practitioner=form.chosen("practitioner"),
        location=location,
        visit_type=form.chosen("visit_type"),
        start=wall_clock_in(form.cleaned_data["start"], location.timezone),
        notes=form.cleaned_data["notes"],
        overbook_reason=form.cleaned_data["overbook_reason"],
    )


def _after_booking(request, appointment) -> HttpResponse:
    messages.success(request, f"Booked {appointment.patient.display_name}.")
    if is_htmx(request):
        response = render(
            request, "web/appointment.html#panel", _panel_context(request, appointment)
        )
        response["HX-Trigger"] = BOARD_CHANGED
        return response
    day = appointment.local_start.date()
    return redirect(
        board_url(
            appointment.location, day, appointment.visit_type, appointment=appointment.public_id
        )
    )


# Patients


# Search as you type shows the first matches; one more is read to tell that more match,
# since counting every match of a short prefix would scan them all on each keystroke.
PATIENT_SEARCH_SHOWN = 20


@require_GET
@requires("patients.view_patient")
def patient_search_view(request: HttpRequest) -> HttpResponse:
    """Search as you type; ?mode=pick renders choosable results for the booking forms."""
    # No record holds a NUL character, and PostgreSQL cannot compare one: typed, it is dropped.
    text = request.GET.get("q", "").replace("\x00", "").strip()
    picking = request.GET.get("mode") == "pick"
    found = []
    if text:
        found, _ = patient_search(
            organization=request.user.organization,
            actor=request.user,
            # a record merged into another is found, but not chosen for a booking
            query=PatientQuery(text=text, include_merged=not picking),
            limit=PATIENT_SEARCH_SHOWN + 1,
        )
    partial = "pick" if picking else "results"
    context = {
        "patients": found[:PATIENT_SEARCH_SHOWN],
        "more_match": len(found) > PATIENT_SEARCH_SHOWN,
        "q": text,
    }
    return render_page(request, "web/patient_search.html", context, partial)


def _check_refused(form: PatientForm, organization, patient=None) -> None:
    """Beside a refused form's errors, the service's verdict on the values the form could
    read, so that every problem shows on the first save; a field the form refused keeps
    the form's error alone."""
    try:
        patient_check(organization=organization, fields=form.patient_fields(), patient=patient)
    except InvalidInput as error:
        for problem in getattr(error, "problems", [error]):
            if problem.field not in form.errors:
                show_domain_error(form, problem)


@require_http_methods(["GET", "POST"])
@requires("patients.add_patient")
def patient_new(request: HttpRequest) -> HttpResponse:
    form = PatientForm(request.POST or None, organization=request.user.organization)
    duplicates: list = []
    if request.method == "POST" and not form.is_valid():
        _check_refused(form, request.user.organization)
    elif request.method == "POST" and not request.POST.get(REGISTER_ANYWAY):
        duplicates = _possible_duplicates(request, form)
    if request.method == "POST" and form.is_valid() and not duplicates:
        try:
            patient = patient_create(
                organization=request.user.organization,
                actor=request.user,
                fields=form.patient_fields(),
            )
        except DomainError as error:
            show_domain_error(form, error)
        else:
            messages.success(request, f"Registered {patient.display_name} (MRN {patient.mrn}).")
            return redirect("web:patient_detail", public_id=patient.public_id)
    status = 400 if form.errors else 200
    context = {"form": form, "duplicates": duplicates, "register_anyway": REGISTER_ANYWAY}
    return render(request, "web/patient_form.html", context, status=status)


def _possible_duplicates(request: HttpRequest, form: PatientForm) -> list:
    """Records the desk should look at before registering the person again."""
    return patient_possible_duplicates(
        organization=request.user.organization,
        actor=request.user,
        given_name=form.cleaned_data["given_name"],
        family_name=form.cleaned_data["family_name"],
        birth_date=form.cleaned_data["birth_date"],
    )


def _patient_page(
    request,
    patient,
    form: PatientForm,
    status: int = 200,
    changed_meanwhile: list[tuple[str, object]] | None = None,
) -> HttpResponse:
    """The patient's page. For a save that came too late, `changed_meanwhile` lists what
    another save changed since the form was drawn."""
    appointments, total = appointment_list(
        organization=request.user.organization,
        actor=request.user,
        query=AppointmentQuery(patient_id=patient.pk),
        limit=50,
        with_total=True,
    )
    context = {
        "patient": patient,
        "form": form,
        "appointments": appointments,
        "appointment_total": total,
        "identifiers": patient.identifiers.order_by("system"),
        "merged_records": patient.merged_from.order_by("mrn"),
        "recent_messages": message_list(
            organization=request.user.organization,
            actor=request.user,
            patient=patient,
            limit=PATIENT_PAGE_MESSAGES,
        ),
        "book_url": f"{reverse('web:find')}?patient={patient.public_id}",
        "changed_meanwhile": changed_meanwhile,
    }
    return render(request, "web/patient_detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
@domain_errors_as_pages
@requires("patients.view_patient", to_change="patients.change_patient")
def patient_detail(request: HttpRequest, public_id) -> HttpResponse:
    """Demographics with their edit form, identifiers and visits."""
    organization = request.user.organization
    patient = access_patient(organization=organization, actor=request.user, public_id=public_id)
    if request.method == "GET":
        return _patient_page(
            request, patient, _demographics_form(organization, initial=_demographics(patient))
        )
    form = _demographics_form(organization, request.POST)
    if not form.is_valid():
        _check_refused(form, organization, patient)
        return _patient_page(request, patient, form, 400)
    try:
        patient_update(
            patient=patient,
            actor=request.user,
            fields=form.patient_fields(),
            expected_version=form.cleaned_data["expected_version"],
        )
    except StaleVersion as error:
        return _stale_edit(request, public_id, form, error)
    except DomainError as error:
        show_domain_error(form, error)
        return _patient_page(request, patient, form, error.http_status)
    messages.success(request, "Saved.")
    return redirect("web:patient_detail", public_id=patient.public_id)


def _demographics(patient) -> dict:
    """The edit form's values for the record as stored, its version included."""
    stored = {name: getattr(patient, name) for name in PATIENT_FIELDS}
    return {**stored, "expected_version": patient.version}


def _demographics_form(organization, data=None, initial=None) -> PatientForm:
    """The edit form. Each field also carries, hidden, the value the page showed: a save
    that finds the record changed meanwhile tells the user's own edits from the others'."""
    form = PatientForm(data, initial=initial, organization=organization, new=False)
    for name in PATIENT_FIELDS:
        form.fields[name].show_hidden_initial = True
    return form


def _stale_edit(request, public_id, form: PatientForm, error: StaleVersion) -> HttpResponse:
    """The form again on the record as it is now: its current values and version with the
    user's own edits on top, so that saving once more keeps both; and what changed."""
    patient = access_patient(
        organization=request.user.organization, actor=request.user, public_id=public_id
    )
    current = _demographics(patient)
    edits = {name: form.cleaned_data[name] for name in form.changed_data if name in PATIENT_FIELDS}
    shown_now = {form[name].html_initial_name: current[name] for name in PATIENT_FIELDS}
    rebased = _demographics_form(request.user.organization, {**current, **edits, **shown_now})
    changed = _changed_since_shown(form, patient)
    return _patient_page(request, patient, rebased, error.http_status, changed)


def _changed_since_shown(form: PatientForm, patient) -> list[tuple[str, object]]:
    """(label, value now) of each field whose stored value is not the one the form showed.
    A form drawn without the shown values (an older page) names none."""
    changed = []
    for name in PATIENT_FIELDS:
        shown = form.data.get(form[name].html_initial_name)
        if shown is not None and form.fields[name].has_changed(getattr(patient, name), shown):
            changed.append((form[name].label, _stored_in_words(patient, name)))
    return changed


def _stored_in_words(patient, name: str):
    """A stored demographic as the form words it: a choice by its label, a flag yes or no."""
    value = getattr(patient, name)
    if isinstance(value, bool):
        return "yes" if value else "no"
    in_words = getattr(patient, f"get_{name}_display", None)
    return in_words() if in_words else value


# First available


def _find_slots(request, form: FindForm, patient) -> list:
    """The earliest offers; for a chosen patient, only times they have no other visit at."""
    data = form.cleaned_data
    start_date, end_date = form.search_days(datetime.timedelta(days=FIRST_AVAILABLE_DAYS))
    practitioner = form.chosen("practitioner")
    time_of_day = None
    if data["time_from"] or data["time_to"]:
        time_of_day = (data["time_from"] or datetime.time(0), data["time_to"] or datetime.time.max)
    return slot_search(
        organization=request.user.organization,
        visit_type=form.chosen("visit_type"),
        start_date=start_date,
        end_date=end_date,
        practitioner_ids=[practitioner.pk] if practitioner else None,
        specialty_id=getattr(form.chosen("specialty"), "pk", None),
        location_id=getattr(form.chosen("location"), "pk", None),
        language=data["language"],
        time_of_day=time_of_day,
        limit=FIRST_AVAILABLE_LIMIT,
        patient_id=patient.pk if patient else None,
    )


def _offers(request, slots: list) -> list[dict]:
    """Each found slot with its practitioner, location and start in that location's zone."""
    organization = request.user.organization
    practitioners = {p.pk: p for p in practitioner_list(organization=organization)}
    locations = {loc.pk: loc for loc in location_list(organization=organization)}
    offers = []
    for slot in slots:
        location = locations[slot.location_id]
        local_start = slot.start.astimezone(zone_of(location.timezone))
        offers.append(
            {
                "slot": slot,
                "practitioner": practitioners[slot.practitioner_id],
                "location": location,
                "local_start": local_start,
                "wall_start": local_start.strftime("%Y-%m-%dT%H:%M"),
            }
        )
    return offers


@require_GET
@domain_errors_as_pages
@requires("scheduling.view_appointment")
def find_first_available(request: HttpRequest) -> HttpResponse:
    """Earliest free visits for a visit type, each bookable in one click for the patient."""
    organization = request.user.organization
    searched = "visit_type" in request.GET
    form = FindForm(request.GET if searched else None, organization=organization)
    offers = None
    patient = _chosen_patient(request, request.GET.get("patient"))
    if searched and form.is_valid():
        try:
            offers = _offers(request, _find_slots(request, form, patient))
        except DomainError as error:
            show_domain_error(form, error)
    context = {"form": form, "offers": offers, "chosen_patient": patient}
    status = 400 if form.errors else 200
    return render_page(request, "web/find.html", context, "results", status)
