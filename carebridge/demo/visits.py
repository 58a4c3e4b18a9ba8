"""Eight weeks of visit history and eight weeks of bookings for the demo clinic.

Days are laid out from each clinician's template week, patients are matched to them, and
every visit goes through appointment_book, then appointment_transition or
appointment_cancel for its outcome, so the demo obeys every scheduling rule.

Who misses a visit follows patterns a no-show model can learn from data the clinic keeps:
a patient's own tendency and earlier no-shows, age, new patients, early and late times,
Mondays (mornings most), visits booked long ahead, patients who cannot be reminded, and
visits nobody confirmed. Confirmations and cancellations are recorded at the moment they
happened (some cancellations in the last day), so the history holds them as it would.
Each visit was asked for some days before it (more for new patients and physicals), so
lead times are real.
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from carebridge.accounts.models import User
from carebridge.core import clock
from carebridge.core.errors import DomainError
from carebridge.core.timeranges import UTC, wall_to_utc, zone_of
from carebridge.demo.clinic import LUNCH, PROCEDURAL, Clinic, Clinician, Workday
from carebridge.demo.people import DemoPatient
from carebridge.directory.models import Location
from carebridge.patients.constants import ContactChannel
from carebridge.scheduling.constants import (
    AppointmentStatus,
    BookingChannel,
    CancelledBy,
    ConfirmationChannel,
)
from carebridge.scheduling.holidays import public_holiday
from carebridge.scheduling.models import Appointment, VisitType
from carebridge.scheduling.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_transition,
)
from carebridge.scheduling.services.confirmations import appointment_confirm

WEEKS = 8
GRID = datetime.timedelta(minutes=15)
AVERAGE_VISIT = datetime.timedelta(minutes=35)
PAST_CANCEL_RATE = 0.07
FUTURE_CANCEL_RATE = 0.06
CHANNEL_MIX = (
    (BookingChannel.PHONE, 45),
    (BookingChannel.WEB, 35),
    (BookingChannel.PORTAL, 20),
)
PATIENT_CANCEL_REASONS = (
    "Feeling better",
    "Work conflict",
    "No transportation",
    "Childcare fell through",
    "Booked elsewhere",
)
CLINIC_CANCEL_REASONS = ("Clinician out sick", "Schedule change", "Weather closure")
# Mean days between the patient asking and the visit, by visit type; others: DEFAULT_LEAD.
MEAN_LEAD_DAYS = {"new-patient": 24, "annual-physical": 30, "procedure": 18}
DEFAULT_LEAD = 9
MAX_LEAD_DAYS = 120
# Share of patient cancellations that come in the last 24 hours.
LATE_CANCEL_SHARE = 0.35
CONFIRM_RATE = 0.7
CONFIRM_CHANNELS = (ConfirmationChannel.SMS, ConfirmationChannel.LINK, ConfirmationChannel.PHONE)
# Patients who confirmed miss their visit about half as often.
CONFIRMED_NO_SHOW_FACTOR = 0.5


@dataclass(frozen=True)
class PlannedVisit:
    clinician: Clinician
    location: Location
    visit_type: VisitType
    start: datetime.datetime
    end: datetime.datetime


@dataclass
class PatientBook:
    """What the simulation knows about each patient while it walks through time."""

    visits: dict[int, list[tuple[datetime.datetime, datetime.datetime]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    no_shows: Counter = field(default_factory=Counter)

    def is_free(self, patient_id: int, start: datetime.datetime, end: datetime.datetime) -> bool:
        return all(end <= s or e <= start for s, e in self.visits[patient_id])


def visits_simulate(
    *,
    clinic: Clinic,
    patients: list[DemoPatient],
    actor: User | None,
    count: int,
    rng: random.Random,
) -> Counter:
    """Book about `count` visits over the past and next eight weeks; return status counts."""
    now = clock.now()
    plan = _plan(clinic, count, now, rng)
    matcher = _PatientMatcher(patients, rng)
    book = PatientBook()
    outcomes: Counter = Counter()
    for visit in sorted(plan, key=lambda v: (v.start, v.clinician.practitioner.pk)):
        demo_patient = matcher.pick(visit, book)
        if demo_patient is None:
            continue
        appointment = _book(clinic, visit, demo_patient, actor, now, rng)
        if appointment is None:
            continue
        book.visits[demo_patient.patient.pk].append((visit.start, visit.end))
        status = _outcome(appointment, demo_patient, book, actor, now, rng)
        outcomes[status] += 1
    return outcomes


def _plan(clinic: Clinic, count: int, now: datetime.datetime, rng: random.Random):
    """Lay out about `count` visits over the clinicians' working days, weighted so the past
    is steadily busy and the future fills up less the further away it is."""
    today = now.astimezone(zone_of(clinic.organization.timezone)).date()
    days = [today + datetime.timedelta(days=offset) for offset in range(-7 * WEEKS, 7 * WEEKS)]
    workdays = [
        (clinician, workday, day)
        for clinician in clinic.clinicians
        for day in days
        for workday in clinician.workdays
        if workday.weekday == day.weekday() and not public_holiday(workday.location, day)
    ]
    weights = [_busyness((day - today).days) for _, _, day in workdays]
    per_weight = count / max(sum(weights), 1e-9)
    plan = []
    for (clinician, workday, day), weight in zip(workdays, weights, strict=True):
        quota = _stochastic_round(weight * per_weight, rng)
        plan.extend(_lay_out_day(clinic, clinician, workday, day, quota, rng))
    return plan


def _busyness(days_ahead: int) -> float:
    if days_ahead < 0:
        return 1.0
    return max(0.15, 1.0 - days_ahead / (7 * WEEKS))


def _stochastic_round(value: float, rng: random.Random) -> int:
    whole = int(value)
    return whole + (rng.random() < value - whole)


def _lay_out_day(
    clinic: Clinic,
    clinician: Clinician,
    workday: Workday,
    day: datetime.date,
    quota: int,
    rng: random.Random,
) -> list[PlannedVisit]:
    """Up to `quota` visits spread over the day's morning and afternoon, never overlapping
    (buffers included) and always on the quarter-hour grid that the booking screen offers."""
    zone = zone_of(workday.location.timezone)
    windows = [(workday.start, LUNCH[0]), (LUNCH[1], workday.end)]
    spans = [(wall_to_utc(day, a, zone), wall_to_utc(day, b, zone)) for a, b in windows]
    kinds = visit_kinds(clinician, clinic)
    visits: list[PlannedVisit] = []
    for index, (window_start, window_end) in enumerate(spans):
        later = sum((end - start for start, end in spans[index + 1 :]), datetime.timedelta())
        cursor = window_start
        while len(visits) < quota:
            visit_type = rng.choices(*kinds)[0]
            start = _on_grid(cursor + datetime.timedelta(minutes=visit_type.buffer_before_minutes))
            end = start + datetime.timedelta(minutes=visit_type.duration_minutes)
            if end > window_end:
                break
            # Book here with the chance that spreads the remaining quota over the time left.
            time_left = (window_end - cursor + later) / AVERAGE_VISIT
            if rng.random() < (quota - len(visits)) / max(time_left, 1):
                visits.append(PlannedVisit(clinician, workday.location, visit_type, start, end))
                cursor = end + datetime.timedelta(minutes=visit_type.buffer_after_minutes)
            else:
                cursor += GRID
    return visits


def _on_grid(moment: datetime.datetime) -> datetime.datetime:
    epoch = datetime.datetime(2000, 1, 1, tzinfo=UTC)
    steps = -(-(moment - epoch) // GRID)
    return epoch + steps * GRID


def visit_kinds(clinician: Clinician, clinic: Clinic) -> tuple[list[VisitType], list[int]]:
    primary = clinician.specialty.code in ("fm", "im", "peds")
    weights = {
        "follow-up": 40,
        "new-patient": 15 if primary else 25,
        "telehealth": 20,
        "annual-physical": 25 if primary else 0,
        "procedure": 20 if clinician.specialty.code in PROCEDURAL else 0,
    }
    chosen = [(clinic.visit_types[code], weight) for code, weight in weights.items() if weight]
    return [vt for vt, _ in chosen], [w for _, w in chosen]


class _PatientMatcher:
    """Children see pediatrics, women see obstetrics; a patient who prefers a language
    usually sees a clinician who speaks it; some patients come far more often than others."""

    def __init__(self, patients: list[DemoPatient], rng: random.Random):
        self.rng = rng
        frequency = {p.patient.pk: rng.lognormvariate(0, 0.8) for p in patients}
        self.pools: dict[tuple[str, str], list[DemoPatient]] = defaultdict(list)
        for demo_patient in patients:
            for segment in _segments(demo_patient):
                self.pools[(segment, demo_patient.patient.preferred_language)].append(demo_patient)
                self.pools[(segment, "")].append(demo_patient)
        self.cumulative = {
            key: list(itertools.accumulate(frequency[p.patient.pk] for p in pool))
            for key, pool in self.pools.items()
        }

    def pick(self, visit: PlannedVisit, book: PatientBook) -> DemoPatient | None:
        """A patient free at that time; for a new-patient visit, one not seen before."""
        segment = {"peds": "child", "obgyn": "woman"}.get(visit.clinician.specialty.code, "adult")
        spoken = [code for code in visit.clinician.languages if code != "en"]
        language = spoken[0] if spoken and self.rng.random() < 0.6 else ""
        key = (segment, language) if self.pools.get((segment, language)) else (segment, "")
        pool = self.pools.get(key)
        if not pool:
            return None
        for candidate in self.rng.choices(pool, cum_weights=self.cumulative[key], k=8):
            pk = candidate.patient.pk
            is_new = not book.visits[pk]
            wants_new = visit.visit_type.code == "new-patient"
            if book.is_free(pk, visit.start, visit.end) and (is_new or not wants_new):
                return candidate
        return None


def _segments(demo_patient: DemoPatient) -> list[str]:
    if demo_patient.age < 18:
        return ["child"]
    return ["adult", "woman"] if demo_patient.patient.sex == "female" else ["adult"]


def _book(clinic, visit: PlannedVisit, demo_patient, actor, now, rng) -> Appointment | None:
    try:
        return appointment_book(
            organization=clinic.organization,
            actor=actor,
            patient=demo_patient.patient,
            practitioner=visit.clinician.practitioner,
            location=visit.location,
            visit_type=visit.visit_type,
            start=visit.start,
            channel=rng.choices(*zip(*CHANNEL_MIX, strict=True))[0],
            allow_past=visit.start < now,
            booked_at=_booked_at(visit, now, rng),
        )
    except DomainError:
        # A rule the layout does not model (a closed day, say) refused it: the demo skips
        # that visit, exactly as a coordinator would have to.
        return None


def _booked_at(visit: PlannedVisit, now, rng: random.Random) -> datetime.datetime:
    """When the patient asked: an exponential lead before the visit, and never in the future
    (a visit ahead was booked some time in the last days)."""
    mean = MEAN_LEAD_DAYS.get(visit.visit_type.code, DEFAULT_LEAD)
    lead = datetime.timedelta(days=min(rng.expovariate(1 / mean), MAX_LEAD_DAYS))
    booked_at = visit.start - max(lead, datetime.timedelta(hours=2))
    if booked_at >= now:
        booked_at = now - datetime.timedelta(hours=rng.uniform(1, 72))
    return booked_at


def _outcome(appointment, demo_patient, book: PatientBook, actor, now, rng) -> str:
    past = appointment.end <= now
    if rng.random() < (PAST_CANCEL_RATE if past else FUTURE_CANCEL_RATE):
        by_patient = rng.random() < 0.8
        # Recorded when it happened, so late cancellations are in the history.
        with clock.pinned(_cancelled_at(appointment, by_patient, now, rng)):
            appointment_cancel(
                appointment=appointment,
                actor=actor,
                reason=rng.choice(PATIENT_CANCEL_REASONS if by_patient else CLINIC_CANCEL_REASONS),
                cancelled_by=CancelledBy.PATIENT if by_patient else CancelledBy.CLINIC,
            )
        return AppointmentStatus.CANCELLED
    confirmed = _confirm(appointment, demo_patient, now, rng)
    if not past:
        return appointment.status
    patient_pk = demo_patient.patient.pk
    chance = _no_show_chance(appointment, demo_patient, book.no_shows[patient_pk])
    if rng.random() < chance * (CONFIRMED_NO_SHOW_FACTOR if confirmed else 1):
        book.no_shows[patient_pk] += 1
        appointment_transition(
            appointment=appointment, actor=actor, status=AppointmentStatus.NOSHOW
        )
        return AppointmentStatus.NOSHOW
    visit_attended(appointment, actor)
    return AppointmentStatus.FULFILLED


def visit_attended(appointment: Appointment, actor: User | None) -> None:
    """The patient came: checked in, then seen."""
    for status in (AppointmentStatus.CHECKED_IN, AppointmentStatus.FULFILLED):
        appointment_transition(appointment=appointment, actor=actor, status=status)


def _between(
    earliest: datetime.datetime, latest: datetime.datetime, rng: random.Random
) -> datetime.datetime:
    return earliest + (latest - earliest) * rng.random() if latest > earliest else earliest


def _cancelled_at(appointment, by_patient: bool, now, rng: random.Random) -> datetime.datetime:
    """Patients call off some visits in the last day; otherwise any time after booking."""
    booked = appointment.booked_at + datetime.timedelta(minutes=1)
    if by_patient and rng.random() < LATE_CANCEL_SHARE:
        moment = appointment.start - datetime.timedelta(hours=rng.uniform(1, 23))
    else:
        moment = _between(booked, appointment.start - datetime.timedelta(days=1), rng)
    return min(max(moment, booked), now)


def _confirm(appointment, demo_patient: DemoPatient, now, rng: random.Random) -> bool:
    """Patients who can be reached often confirm a day or three ahead; those who tend to
    miss visits confirm less. Returns whether this one was confirmed."""
    if demo_patient.patient.preferred_channel == ContactChannel.NONE:
        return False
    if rng.random() >= CONFIRM_RATE * (1 - min(demo_patient.no_show_tendency * 2, 0.8)):
        return False
    moment = appointment.start - datetime.timedelta(hours=rng.uniform(2, 72))
    moment = max(moment, appointment.booked_at + datetime.timedelta(minutes=5))
    if moment > now:
        return False
    with clock.pinned(moment):
        appointment_confirm(appointment=appointment, via=rng.choice(CONFIRM_CHANNELS))
    return True


def _no_show_chance(appointment: Appointment, demo_patient: DemoPatient, earlier: int) -> float:
    local = appointment.local_start
    chance = demo_patient.no_show_tendency * (1 + 0.7 * earlier)
    if local.hour < 9 or local.hour >= 16:
        chance *= 1.3
    if local.weekday() == 0:
        chance *= 1.5 if local.hour < 12 else 1.2
    lead_days = (appointment.start - appointment.booked_at) / datetime.timedelta(days=1)
    chance *= 0.6 + min(lead_days, 60) / 30
    if appointment.visit_type.code == "new-patient":
        chance *= 1.4
    if appointment.visit_type.telehealth:
        chance *= 0.7
    if demo_patient.patient.preferred_channel == ContactChannel.NONE:
        chance *= 1.6
    return min(chance, 0.85)
