"""The patient's pages, reached through signed links (no login), and the SMS webhook.

A link's GET only shows: mail scanners open links, so every change is a POST with CSRF.
"""

from __future__ import annotations

import functools

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from carebridge.core.errors import DomainError, InvalidInput
from carebridge.core.timeranges import zone_of
from carebridge.notifications.constants import MessageChannel
from carebridge.notifications.rendering import visit_time_text
from carebridge.notifications.signatures import SIGNATURE_HEADER, twilio_signature_valid
from carebridge.patients.services import patient_contact_opt_out
from carebridge.portal.texts import TEXTS, texts_for
from carebridge.scheduling.constants import (
    AppointmentStatus,
    CancelledBy,
    ConfirmationChannel,
)
from carebridge.scheduling.links import (
    LinkExpired,
    LinkInvalid,
    appointment_for_link,
    patient_for_opt_out_link,
)
from carebridge.scheduling.models import Appointment, RescheduleOffer
from carebridge.scheduling.selectors import time_off_over_visit
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.confirmations import appointment_confirm
from carebridge.scheduling.services.messages import UPCOMING_STATUSES, address_line
from carebridge.scheduling.services.replies import (
    open_offer,
    reschedule_offer_choose,
    reschedule_offer_make,
    sms_text_received,
)

EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def link_page(view):
    """An invalid or expired link gets a plain page saying so, in every language we have
    (we cannot know the patient's)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except LinkExpired:
            return _problem(request, "expired", status=410)
        except LinkInvalid:
            return _problem(request, "invalid", status=404)

    return wrapper


# Where the patient's pages are: their errors are in the patient's words, not the desk's.
PATIENT_PAGES = "/p/"


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent without its valid CSRF token: a page left open for days, cookies
    blocked, or staff signed in again in another tab. Patients are told in every language
    we have; staff get the desk's refusal (a panel's message for an htmx request)."""
    if request.path.startswith(PATIENT_PAGES):
        return _problem(request, "form_expired", status=403)
    return render(request, "403_csrf.html", status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    """The server's own failure: on a patient's page in every language we have, with no
    instructions meant for staff; elsewhere the desk's page."""
    if request.path.startswith(PATIENT_PAGES):
        return _problem(request, "server_error", status=500)
    return defaults.server_error(request)


def _problem(request: HttpRequest, kind: str, status: int) -> HttpResponse:
    pages = [(code, t[f"{kind}_title"], t[kind]) for code, t in TEXTS.items()]
    return render(request, "portal/link_problem.html", {"pages": pages}, status=status)


def _visit_page(request, appointment: Appointment, token: str, status: int = 200, **extra):
    language, texts = texts_for(appointment.patient.preferred_language)
    location = appointment.location
    context = {
        "t": texts,
        "language": language,
        "appointment": appointment,
        "when": visit_time_text(
            start=appointment.start, zone=zone_of(location.timezone), language=language
        ),
        "address": address_line(location),
        "token": token,
        "upcoming": appointment.status in UPCOMING_STATUSES,
        "cancelled": appointment.status == AppointmentStatus.CANCELLED,
        **extra,
    }
    if context["upcoming"] and time_off_over_visit(appointment):
        practitioner = appointment.practitioner.display_name
        context["away_text"] = texts["away"].format(practitioner=practitioner)
    if "notice" in extra:
        context["notice_text"] = texts[extra["notice"]]
    if "action" in extra:
        context["question"] = texts[f"{extra['action']}_question"]
    return render(request, "portal/visit.html", context, status=status)


def _options(appointment: Appointment, offer: RescheduleOffer) -> list[dict]:
    language, _ = texts_for(appointment.patient.preferred_language)
    return [
        {
            "number": option.number,
            "when": visit_time_text(
                start=option.start, zone=zone_of(option.location.timezone), language=language
            ),
            "practitioner": option.practitioner.display_name,
            "location": option.location.name,
        }
        for option in offer.options.select_related("practitioner", "location")
    ]


@require_http_methods(["GET"])
@link_page
def visit(request: HttpRequest, token: str) -> HttpResponse:
    return _visit_page(request, appointment_for_link(token=token), token)


# What each action asks on GET, and does on POST (returns the text to show and extras).
def _confirm(appointment: Appointment) -> tuple[str, dict]:
    appointment_confirm(appointment=appointment, via=ConfirmationChannel.LINK)
    return "confirmed", {}


def _cancel(appointment: Appointment) -> tuple[str, dict]:
    appointment_cancel(
        appointment=appointment,
        actor=None,
        reason="the patient cancelled through the visit link",
        cancelled_by=CancelledBy.PATIENT,
    )
    return "cancelled", {}


def _reschedule(appointment: Appointment) -> tuple[str, dict]:
    offer = reschedule_offer_make(appointment=appointment)
    options = _options(appointment, offer)
    return ("choose" if options else "no_options"), {"options": options, "offer": offer}


ACTIONS = {"confirm": _confirm, "cancel": _cancel, "reschedule": _reschedule}


@require_http_methods(["GET", "POST"])
@link_page
def visit_action(request: HttpRequest, token: str, action: str) -> HttpResponse:
    appointment = appointment_for_link(token=token)
    if appointment.status not in UPCOMING_STATUSES:
        return _visit_page(request, appointment, token)
    if action == "confirm" and time_off_over_visit(appointment):
        # The practitioner will be away: the page says so and offers another time instead.
        status = 200 if request.method == "GET" else 409
        return _visit_page(request, appointment, token, status=status)
    if request.method == "GET":
        return _visit_page(request, appointment, token, action=action)
    try:
        notice, extra = ACTIONS[action](appointment)
    except DomainError:
        # Changed at the desk a moment ago (moved, checked in): show it as it is now.
        fresh = appointment_for_link(token=token)
        return _visit_page(request, fresh, token, status=409, notice="not_active")
    return _visit_page(request, appointment, token, notice=notice, **extra)


@require_POST
@link_page
def visit_choose(request: HttpRequest, token: str) -> HttpResponse:
    """The patient picked one of the offered times; a time taken meanwhile (or an offer
    replaced by a newer one) gets fresh options."""
    appointment = appointment_for_link(token=token)
    if appointment.status not in UPCOMING_STATUSES:
        return _visit_page(request, appointment, token)
    offer = open_offer(appointment)
    try:
        if offer is None or str(offer.public_id) != request.POST.get("offer"):
            raise DomainError("offer: replaced by a newer one", field="offer")
        moved = reschedule_offer_choose(offer=offer, number=int(request.POST.get("number", "0")))
    except (DomainError, ValueError):
        _, extra = _reschedule(appointment)
        return _visit_page(request, appointment, token, notice="taken", **extra)
    return _visit_page(request, moved, token, notice="rescheduled")


@require_http_methods(["GET", "POST"])
@link_page
def email_opt_out(request: HttpRequest, token: str) -> HttpResponse:
    patient = patient_for_opt_out_link(token=token)
    language, texts = texts_for(patient.preferred_language)
    if request.method == "POST":
        patient_contact_opt_out(patient=patient, channel=MessageChannel.EMAIL)
    # A link opened again after opting out says so rather than asking again.
    done = request.method == "POST" or patient.email_opted_out_at is not None
    clinic = patient.organization.name
    context = {
        "language": language,
        "t": texts,
        "question": texts["opt_out_question"].format(clinic=clinic),
        "done": texts["opted_out"].format(clinic=clinic) if done else "",
    }
    return render(request, "portal/email_opt_out.html", context)


# The SMS gateway's webhook


def _webhook_urls(request: HttpRequest) -> list[str]:
    """The URL the gateway called: as configured publicly, and as this server saw it."""
    public = f"{settings.PUBLIC_BASE_URL.rstrip('/')}{request.get_full_path()}"
    return [public, request.build_absolute_uri()]


@csrf_exempt
@require_POST
def sms_twilio(request: HttpRequest) -> HttpResponse:
    """An incoming text: refused (403, nothing recorded) unless the gateway signed it."""
    signature = request.headers.get(SIGNATURE_HEADER, "")
    if not any(
        twilio_signature_valid(url, request.POST, signature, settings.SMS_AUTH_TOKEN)
        for url in _webhook_urls(request)
    ):
        return HttpResponse("invalid signature", status=403, content_type="text/plain")
    try:
        sms_text_received(
            from_address=request.POST.get("From", ""),
            to_address=request.POST.get("To", ""),
            body=request.POST.get("Body", ""),
            provider_message_id=request.POST.get("MessageSid", ""),
        )
    except InvalidInput as error:
        return HttpResponse(error.message, status=400, content_type="text/plain")
    return HttpResponse(EMPTY_TWIML, content_type="text/xml")
