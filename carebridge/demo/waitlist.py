"""Patients waiting for an earlier visit in the demo clinic, so a cancellation is refilled
from the waitlist the moment someone frees a slot; and the weeks before, when patients on
the list were offered the time that cancellations freed and took some of it."""

from __future__ import annotations

import datetime
import random

from carebridge.accounts.models import User
from carebridge.core import clock
from carebridge.core.errors import DomainError
from carebridge.core.timeranges import zone_of
from carebridge.demo.clinic import Clinic
from carebridge.demo.people import DemoPatient
from carebridge.demo.visits import visit_attended, visit_kinds
from carebridge.notifications.services.delivery import outbox_drain
from carebridge.scheduling.constants import AppointmentStatus
from carebridge.scheduling.services.appointments import appointment_transition
from carebridge.scheduling.services.backfill import backfill_offer_next, offers_close
from carebridge.scheduling.services.waitlist import waitlist_add, waitlist_offer_accept
from carebridge.scheduling.waitlist_constants import OfferStatus, WaitlistPriority
from carebridge.scheduling.waitlist_selectors import backfill_slots_open_freed_before

PRIORITY_MIX = (
    (WaitlistPriority.URGENT, 10),
    (WaitlistPriority.HIGH, 30),
    (WaitlistPriority.ROUTINE, 60),
)
NOTES = (
    "Wants the first free morning",
    "Can come at short notice",
    "Flare-up, sooner is better",
    "Works nights, afternoons only",
    "",
)
VIA = ("sms", "link")
# Patients who asked for an earlier time miss it less often than the clinic's average.
BACKFILLED_NO_SHOW_RATE = 0.05
MORNING = (datetime.time(8), datetime.time(12))
AFTERNOON = (datetime.time(12), datetime.time(18))


# The patients waiting now joined over the last three weeks.
RECENT_JOINS = datetime.timedelta(weeks=3)
# Of a batch of offers, how often one of the patients takes the time.
TAKE_CHANCE = 0.55
# Batches a freed slot is offered to before the demo lets it go unfilled.
ROUNDS = 2
HISTORY_WORKER = "demo-history"


def waitlist_seed(
    *,
    clinic: Clinic,
    patients: list[DemoPatient],
    actor: User,
    count: int,
    rng: random.Random,
) -> int:
    """Put `count` patients on the waitlist, joined over the last three weeks, with varied
    preferences; returns how many."""
    now = clock.now()
    joins = [now - RECENT_JOINS * rng.random() for _ in range(count)]
    return _join(clinic, rng.sample(patients, min(count, len(patients))), joins, actor, rng)


def waitlist_history_seed(
    *,
    clinic: Clinic,
    patients: list[DemoPatient],
    actor: User,
    count: int,
    since: datetime.datetime,
    rng: random.Random,
) -> int:
    """The waitlist's past: `count` patients join between `since` and now, and each slot a
    past cancellation freed is offered, as of that moment, to those waiting then. One of a
    batch takes it some minutes later, or the batch lets it go and the next is offered.
    Messages go out when they would have (through the configured gateways, as the worker
    would have sent them), so offers, acceptances and the reminders of the visits booked
    from the list are in the clinic's history. Run after the visits' history is built.
    Returns how many slots were filled.
    """
    now = clock.now()
    joins = [since + (now - since) * rng.random() for _ in range(count)]
    _join(clinic, rng.sample(patients, min(count, len(patients))), joins, actor, rng)
    booked = []
    for slot in backfill_slots_open_freed_before(organization=clinic.organization, moment=now):
        appointment = _offer_until_taken(slot, now, rng)
        if appointment is not None:
            booked.append(appointment)
    for appointment in sorted(booked, key=lambda visit: visit.start):
        if appointment.start <= now:
            _deliver_as_of(appointment.start - datetime.timedelta(minutes=1))
            _attend(appointment, actor, rng)
    return len(booked)


def _join(clinic: Clinic, chosen: list[DemoPatient], joins: list, actor: User, rng) -> int:
    zone = zone_of(clinic.organization.timezone)
    added = 0
    for demo_patient, joined_at in zip(chosen, joins, strict=False):
        clinician = rng.choice(clinic.clinicians)
        kinds, weights = visit_kinds(clinician, clinic)
        preferences = _preferences(clinician, joined_at.astimezone(zone).date(), rng)
        try:
            with clock.pinned(joined_at):
                waitlist_add(
                    organization=clinic.organization,
                    actor=actor,
                    patient=demo_patient.patient,
                    visit_type=rng.choices(kinds, weights)[0],
                    priority=rng.choices(*zip(*PRIORITY_MIX, strict=True))[0],
                    note=rng.choice(NOTES),
                    **preferences,
                )
        except DomainError:
            continue  # e.g. that clinician does not offer the visit; a coordinator moves on
        added += 1
    return added


def _offer_until_taken(slot, now: datetime.datetime, rng: random.Random):
    """Offer the slot batch after batch as of when it was freed; the visit booked when a
    patient takes it, else None."""
    moment = slot.freed_at + datetime.timedelta(minutes=1)
    for _ in range(ROUNDS):
        if moment >= now:
            return None  # what happens next is up to the running clinic
        with clock.pinned(moment):
            offers = backfill_offer_next(slot=slot)
        if not offers:
            return None
        _deliver_as_of(moment)
        hold_ends = min(offer.expires_at for offer in offers)
        taken_at = moment + (hold_ends - moment) * rng.uniform(0.1, 0.9)
        if rng.random() < TAKE_CHANCE and taken_at < now:
            with clock.pinned(taken_at):
                answer = waitlist_offer_accept(offer=rng.choice(offers), via=rng.choice(VIA))
            _deliver_as_of(taken_at)
            return answer.appointment
        moment = hold_ends + datetime.timedelta(minutes=1)
        if moment < now:
            with clock.pinned(moment):
                unanswered = slot.offers.filter(status=OfferStatus.OPEN)
                offers_close(unanswered, status=OfferStatus.EXPIRED)
    return None


def _deliver_as_of(moment: datetime.datetime) -> None:
    with clock.pinned(moment):
        outbox_drain(worker=HISTORY_WORKER)


def _attend(appointment, actor: User, rng: random.Random) -> None:
    """Patients who asked for an earlier time mostly come."""
    if rng.random() < BACKFILLED_NO_SHOW_RATE:
        noshow = AppointmentStatus.NOSHOW
        appointment_transition(appointment=appointment, actor=actor, status=noshow)
    else:
        visit_attended(appointment, actor)


def _preferences(clinician, today: datetime.date, rng: random.Random) -> dict:
    preferences: dict = {"latest_date": today + datetime.timedelta(days=rng.randint(21, 60))}
    if rng.random() < 0.5:
        preferences["practitioner"] = clinician.practitioner
    else:
        preferences["specialty"] = clinician.specialty
    if rng.random() < 0.3:
        preferences["location"] = rng.choice(clinician.workdays).location
    if rng.random() < 0.4:
        preferences["weekdays"] = sorted(rng.sample(range(5), rng.randint(2, 4)))
    if rng.random() < 0.3:
        preferences["time_from"], preferences["time_to"] = rng.choice((MORNING, AFTERNOON))
    return preferences
