"""Shared personas: a coordinator and a physician of clinic A, a coordinator of clinic B,
and a patient of clinic A, plus a bookable practitioner at a Boston location."""

import datetime
import importlib
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test import override_settings

from carebridge.accounts.models import Organization, User
from carebridge.accounts.services import organization_create, token_issue, user_create
from carebridge.core.revision_cache import revision_caches_clear
from carebridge.directory.models import Location, Practitioner, Specialty
from carebridge.directory.services import (
    location_create,
    practitioner_create,
    practitioner_role_create,
    specialty_ensure,
)
from carebridge.patients.models import Patient
from carebridge.patients.services import patient_create
from carebridge.scheduling.constants import RuleKind
from carebridge.scheduling.models import VisitType
from carebridge.scheduling.services.setup import availability_rule_create, visit_type_create
from carebridge.tests.api_client import ApiClient

# The `page` fixture of the real-browser tests.
pytest_plugins = ["carebridge.tests.browser"]

PASSWORD = "correct-horse-battery-staple-42"
AUDIT_TRIGGERS = [
    importlib.import_module(f"carebridge.audit.migrations.{name}")
    for name in ("0002_append_only_triggers", "0005_chain_head_triggers")
]


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(
        (marker and marker.kwargs.get("transaction"))
        or {"transactional_db", "live_server"} & set(request.fixturenames)
    )


def _uses_database(request) -> bool:
    return _is_transactional(request) or bool(
        request.node.get_closest_marker("django_db") or "db" in request.fixturenames
    )


def _audit_triggers(direction: str, old: str, new: str) -> None:
    with connection.cursor() as cursor:
        for migration in AUDIT_TRIGGERS:
            for statement in getattr(migration, direction):
                cursor.execute(statement.replace(old, new))


@pytest.fixture(autouse=True, scope="session")
def _test_process_keeps_its_priority():
    """Tests that run the worker in this process would otherwise lower the priority of the
    whole test process (and of every process it starts) for the rest of the run."""
    with override_settings(WORKER_NICENESS=0, WORKER_IDLE_SCHEDULING=False):
        yield


@pytest.fixture(autouse=True)
def _no_settings_kept_from_other_tests():
    """Organizations' settings are kept in memory per revision, and on SQLite a later
    test's clinic can have an earlier one's id at the same revision."""
    revision_caches_clear()


@pytest.fixture(autouse=True)
def _flushable_audit_log_on_sqlite(request):
    """Transactional tests end with a flush (DELETE FROM every table), which SQLite's
    audit triggers (the log's and its chain head's) refuse: lift them just before that
    flush, and put them back at the start of every test. (PostgreSQL flushes with TRUNCATE,
    which row triggers do not see.)"""
    if not _uses_database(request):
        yield
        return
    request.getfixturevalue("transactional_db" if _is_transactional(request) else "db")
    sqlite = connection.vendor == "sqlite"
    if sqlite:
        _audit_triggers("SQLITE_FORWARD", "CREATE TRIGGER", "CREATE TRIGGER IF NOT EXISTS")
    yield
    if sqlite and _is_transactional(request):
        _audit_triggers("SQLITE_BACKWARD", "DROP TRIGGER", "DROP TRIGGER IF EXISTS")


@dataclass
class Clinic:
    organization: Organization
    location: Location
    specialty: Specialty
    practitioner: Practitioner
    visit_type: VisitType


def make_clinic(slug: str, name: str) -> Clinic:
    """A clinic whose practitioner works Mon-Fri 09:00-17:00 with a 12:00-13:00 break."""
    organization = organization_create(slug=slug, name=name, timezone="America/New_York")
    location = location_create(
        organization=organization,
        name=f"{name} Main",
        timezone="America/New_York",
        country="US",
        state="MA",
        city="Boston",
    )
    specialty = specialty_ensure(organization=organization, code="fm", name="Family medicine")
    practitioner = practitioner_create(
        organization=organization,
        given_name="Ana",
        family_name="Okafor",
        prefix="Dr.",
        specialties=[specialty],
        languages=["en", "es"],
    )
    practitioner_role_create(practitioner=practitioner, location=location, specialty=specialty)
    for weekday in range(5):
        availability_rule_create(
            practitioner=practitioner,
            location=location,
            weekday=weekday,
            start_time=datetime.time(9),
            end_time=datetime.time(17),
        )
        availability_rule_create(
            practitioner=practitioner,
            location=location,
            weekday=weekday,
            start_time=datetime.time(12),
            end_time=datetime.time(13),
            kind=RuleKind.BREAK,
        )
    visit_type = visit_type_create(
        organization=organization,
        name="Follow-up",
        code="follow-up",
        duration_minutes=30,
    )
    return Clinic(organization, location, specialty, practitioner, visit_type)


@pytest.fixture
def clinic_a(db) -> Clinic:
    return make_clinic("clinic-a", "Clinic A")


@pytest.fixture
def clinic_b(db) -> Clinic:
    return make_clinic("clinic-b", "Clinic B")


@pytest.fixture
def org_a(clinic_a) -> Organization:
    return clinic_a.organization


@pytest.fixture
def org_b(clinic_b) -> Organization:
    return clinic_b.organization


@pytest.fixture
def coordinator_a(org_a) -> User:
    return user_create(
        organization=org_a, username="coord-a", password=PASSWORD, role="coordinator"
    )


@pytest.fixture
def admin_a(org_a) -> User:
    return user_create(organization=org_a, username="admin-a", password=PASSWORD, role="admin")


@pytest.fixture
def clinic_admin_client(client, admin_a):
    """Django's test client, signed in as clinic A's admin."""
    client.force_login(admin_a)
    return client


@pytest.fixture
def clinician_a(org_a) -> User:
    return user_create(organization=org_a, username="doc-a", password=PASSWORD, role="physician")


@pytest.fixture
def coordinator_b(org_b) -> User:
    return user_create(
        organization=org_b, username="coord-b", password=PASSWORD, role="coordinator"
    )


@pytest.fixture
def patient_a(org_a) -> Patient:
    return patient_create(
        organization=org_a,
        actor=None,
        fields={
            "given_name": "José",
            "family_name": "Álvarez",
            "birth_date": datetime.date(1980, 5, 17),
            "sex": "male",
            "phone_mobile": "+1 617 555 0101",
            "email": "jose@example.org",
            "preferred_language": "es",
            "mrn": "A-1001",
        },
    )


@pytest.fixture
def patient_b(org_b) -> Patient:
    return patient_create(
        organization=org_b,
        actor=None,
        fields={
            "given_name": "Bea",
            "family_name": "Brown",
            "birth_date": datetime.date(1990, 1, 2),
        },
    )


@pytest.fixture
def token_a(coordinator_a) -> str:
    return token_issue(user=coordinator_a)[1]


@pytest.fixture
def api_a(token_a) -> ApiClient:
    """The JSON API as clinic A's coordinator."""
    return ApiClient(token_a)


@pytest.fixture
def token_b(coordinator_b) -> str:
    return token_issue(user=coordinator_b)[1]
