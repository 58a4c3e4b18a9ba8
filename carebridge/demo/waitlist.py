"""Patients waiting for an earlier visit in the demo clinic, so a cancellation is refilled
from the waitlist the moment someone frees a slot."""

from __future__ import annotations

import datetime
import random

from carebridge.accounts.models import User
from carebridge.core import clock
from carebridge.core.errors import DomainError
from carebridge.demo.clinic import Clinic
from carebridge.demo.people import DemoPatient
from carebridge.demo.visits import visit_kinds
from carebridge.scheduling.availability import zone_of
from carebridge.scheduling.services.waitlist import waitlist_add
from carebridge.scheduling.waitlist_constants import WaitlistPriority

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
MORNING = (datetime.time(8), datetime.time(12))
AFTERNOON = (datetime.time(12), datetime.time(18))


def waitlist_seed(
    *,
    clinic: Clinic,
    patients: list[DemoPatient],
    actor: User,
    count: int,
    rng: random.Random,
) -> int:
    """Put `count` patients on the waitlist with varied preferences; returns how many."""
    today = clock.now().astimezone(zone_of(clinic.organization.timezone)).date()
    added = 0
    for demo_patient in rng.sample(patients, min(count, len(patients))):
        clinician = rng.choice(clinic.clinicians)
        kinds, weights = visit_kinds(clinician, clinic)
        preferences = _preferences(clinician, today, rng)
        try:
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
