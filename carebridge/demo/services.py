"""Seeding the demo clinic: one call that builds a whole, believable clinic."""

from __future__ import annotations

import datetime
import random
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from carebridge.accounts.constants import Role
from carebridge.accounts.models import Organization
from carebridge.accounts.services import organization_create
from carebridge.audit.services import audit_batch
from carebridge.core import clock
from carebridge.core.errors import InvalidInput, raise_all
from carebridge.demo.clinic import clinic_build, name_faker
from carebridge.demo.people import patients_register
from carebridge.demo.staff import logins_write, staff_create
from carebridge.demo.time_off import time_off_seed
from carebridge.demo.visits import WEEKS, visits_simulate
from carebridge.demo.waitlist import waitlist_history_seed, waitlist_seed
from carebridge.directory.models import Practitioner

DEMO_NAME = "CareBridge Demo Clinic"
DEMO_TIMEZONE = "America/New_York"
DEFAULT_PATIENTS = 3000
VISITS_PER_PATIENT = 1.4
WAITING_PER_THOUSAND_PATIENTS = 15
# Patients who joined the waitlist over the weeks of history.
WAITED_PER_THOUSAND_PATIENTS = 40
# The time off ahead sends one clinician on leave and another home sick.
MIN_PRACTITIONERS = 2


@dataclass(frozen=True)
class DemoSeeded:
    organization: Organization
    logins_path: Path
    practitioners: int
    patients: int
    appointments: Counter


def demo_exists(*, slug: str) -> bool:
    """Whether a clinic with this slug already has a directory (then seeding leaves it be)."""
    return Practitioner.objects.filter(organization__slug=slug).exists()


@transaction.atomic
@audit_batch()
def demo_seed(*, slug: str, patients: int, practitioners: int, seed: int, home: Path) -> DemoSeeded:
    """Build the demo clinic `slug` (created if missing) from `seed`.

    Invariants: the same seed gives the same directory, patients and visits (relative to
    today); every record is made through the domain services, so every rule holds; it all
    commits together or not at all. Side effects: staff users with random passwords,
    written to `<home>/<slug>-logins.json` (mode 0600); audit entries as for any booking,
    appended together at the end. The caller checks `demo_exists` first.
    """
    _sizes_check(practitioners=practitioners, patients=patients)
    rng = random.Random(seed)  # noqa: S311 - reproducible made-up data, not secrets
    faker = name_faker(seed)
    organization = Organization.objects.filter(slug=slug).first() or organization_create(
        slug=slug, name=DEMO_NAME, timezone=DEMO_TIMEZONE
    )
    staff = staff_create(organization=organization)
    coordinator = staff[Role.COORDINATOR][0]
    clinic = clinic_build(
        organization=organization, practitioners=practitioners, rng=rng, faker=faker
    )
    registered = patients_register(
        organization=organization, actor=coordinator, count=patients, rng=rng, faker=faker
    )
    outcomes = visits_simulate(
        clinic=clinic,
        patients=registered,
        actor=coordinator,
        count=round(patients * VISITS_PER_PATIENT),
        rng=rng,
    )
    waitlist_history_seed(
        clinic=clinic,
        patients=registered,
        actor=coordinator,
        count=round(patients * WAITED_PER_THOUSAND_PATIENTS / 1000),
        since=clock.now() - datetime.timedelta(weeks=WEEKS),
        rng=rng,
    )
    waitlist_seed(
        clinic=clinic,
        patients=registered,
        actor=coordinator,
        count=round(patients * WAITING_PER_THOUSAND_PATIENTS / 1000),
        rng=rng,
    )
    time_off_seed(clinic=clinic, actor=coordinator, rng=rng)
    logins_path = logins_write(home=home, organization=organization, staff=staff)
    return DemoSeeded(organization, logins_path, practitioners, patients, outcomes)


def _sizes_check(*, practitioners: int, patients: int) -> None:
    problems = []
    if practitioners < MIN_PRACTITIONERS:
        problems.append(
            InvalidInput(
                f"practitioners: the demo clinic needs at least {MIN_PRACTITIONERS} (one goes"
                f" on leave, another is off sick), not {practitioners}",
                field="practitioners",
            )
        )
    if patients < 0:
        problems.append(InvalidInput(f"patients: 0 or more, not {patients}", field="patients"))
    raise_all(problems)
