import datetime
import io
import json
import stat
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command

from carebridge.accounts.models import Organization, User
from carebridge.audit import services as audit_services
from carebridge.audit.models import AuditEntry
from carebridge.directory.models import Practitioner
from carebridge.notifications.models import OutboundMessage
from carebridge.patients.models import Patient
from carebridge.scheduling.availability import slot_search
from carebridge.scheduling.constants import ACTIVE_STATUSES, AppointmentStatus
from carebridge.scheduling.metrics import is_late_cancellation, with_cancelled_at
from carebridge.scheduling.models import Appointment, BackfillSlot, VisitType, WaitlistEntry
from carebridge.scheduling.selectors import time_off_ahead

# A Wednesday shortly before the spring DST change, so the visits straddle it.
NOW = datetime.datetime(2026, 3, 4, 15, 0, tzinfo=datetime.UTC)
SMALL = {"patients": 30, "practitioners": 6}


@pytest.fixture
def home(settings, tmp_path):
    settings.CAREBRIDGE_HOME = tmp_path
    return tmp_path


def seed(org: str, seed: int = 42, **sizes) -> str:
    out = io.StringIO()
    with time_machine.travel(NOW, tick=False):
        call_command("seed_demo", org=org, seed=seed, stdout=out, **(SMALL | sizes))
    return out.getvalue()


def fingerprint(org: str) -> dict:
    """What a person would see of the clinic, without the random public ids and passwords."""
    practitioners = Practitioner.objects.filter(organization__slug=org).order_by("npi")
    patients = Patient.objects.filter(organization__slug=org).order_by("mrn")
    appointments = Appointment.objects.filter(organization__slug=org).order_by("start", "id")
    return {
        "practitioners": [
            (p.display_name, p.npi, sorted(p.languages.values_list("code", flat=True)))
            for p in practitioners
        ],
        "patients": [
            (
                p.mrn,
                p.display_name,
                p.birth_date,
                p.preferred_language,
                p.preferred_channel,
                p.phone_mobile,
                p.emergency_contact_phone,
            )
            for p in patients
        ],
        "appointments": [
            (a.start, a.practitioner.npi, a.patient.mrn, a.visit_type.code, a.status)
            for a in appointments.select_related("practitioner", "patient", "visit_type")
        ],
    }


@pytest.mark.django_db
def test_same_seed_builds_the_same_clinic(home):
    seed("demo-one")
    seed("demo-two")
    seed("demo-three", seed=43)

    first = fingerprint("demo-one")
    assert first == fingerprint("demo-two")
    assert first["patients"] != fingerprint("demo-three")["patients"]
    assert len(first["practitioners"]) == 6
    assert len(first["patients"]) == 30


@pytest.mark.django_db
def test_visits_have_a_realistic_mix_of_statuses(home):
    # Twice the small clinic: about 40 past visits, so about four are missed.
    seed("demo", patients=60)

    appointments = Appointment.objects.filter(organization__slug="demo")
    past = {a.status for a in appointments if a.end <= NOW}
    future = {a.status for a in appointments if a.start > NOW}
    assert {AppointmentStatus.FULFILLED, AppointmentStatus.NOSHOW} <= past
    assert AppointmentStatus.CANCELLED in past | future
    assert AppointmentStatus.BOOKED in future
    assert future <= {AppointmentStatus.BOOKED, AppointmentStatus.CANCELLED}
    assert not past & {AppointmentStatus.BOOKED, AppointmentStatus.CHECKED_IN}
    earliest, latest = appointments.order_by("start")[0], appointments.order_by("-start")[0]
    assert earliest.start < NOW - datetime.timedelta(weeks=6)
    assert latest.start > NOW + datetime.timedelta(weeks=4)


@pytest.mark.django_db
def test_no_practitioner_or_patient_is_double_booked(home):
    seed("demo")

    active = Appointment.objects.filter(organization__slug="demo", status__in=ACTIVE_STATUSES)
    assert active.count() > 20
    for owner in ("practitioner_id", "patient_id"):
        ranges = sorted(active.values_list(owner, "blocked_start", "blocked_end"))
        for (who, _, end), (next_who, next_start, _) in pairwise(ranges):
            assert who != next_who or end <= next_start


@pytest.mark.django_db
def test_staff_logins_are_written_for_the_owner_only(home):
    seed("demo")

    path = home / "demo-logins.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    logins = json.loads(path.read_text())
    assert logins["organization"] == "demo"
    roles = {login["role"] for login in logins["users"]}
    assert roles == {"admin", "coordinator", "physician", "nurse", "billing"}
    for login in logins["users"]:
        user = User.objects.get(username=login["username"])
        assert user.organization.slug == "demo"
        assert user.role == login["role"]
        assert user.check_password(login["password"])


@pytest.mark.django_db
def test_a_second_run_leaves_the_demo_alone(home):
    seed("demo")
    before = fingerprint("demo")
    logins = (home / "demo-logins.json").read_text()

    output = seed("demo", seed=7)

    assert "already exists" in output
    assert fingerprint("demo") == before
    assert (home / "demo-logins.json").read_text() == logins


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("sizes", "message"),
    [
        (
            {"practitioners": 1},
            "practitioners: the demo clinic needs at least 2 (one goes on leave, another is"
            " off sick), not 1",
        ),
        (
            {"practitioners": 0},
            "practitioners: the demo clinic needs at least 2 (one goes on leave, another is"
            " off sick), not 0",
        ),
        ({"patients": -5}, "patients: 0 or more, not -5"),
    ],
)
def test_sizes_the_demo_cannot_build_are_refused(home, sizes, message):
    with pytest.raises(CommandError) as error:
        seed("tiny", **sizes)

    assert str(error.value) == message
    assert not Organization.objects.filter(slug="tiny").exists()


@pytest.mark.django_db
def test_history_has_lead_times_and_payer_groups(home):
    seed("demo", patients=60)

    appointments = Appointment.objects.filter(organization__slug="demo")
    leads = [(a.start - a.booked_at) / datetime.timedelta(days=1) for a in appointments]
    assert all(lead > 0 for lead in leads)
    assert all(a.booked_at < NOW for a in appointments)
    assert 3 < sorted(leads)[len(leads) // 2] < 30  # a median lead of days, not hours or months
    payers = set(
        Patient.objects.filter(organization__slug="demo").values_list("payer_group", flat=True)
    )
    assert {"commercial", "medicare"} <= payers


@pytest.mark.django_db
def test_history_holds_confirmations_late_cancellations_and_a_waitlist(home):
    seed("demo", patients=300, practitioners=8)

    appointments = Appointment.objects.filter(organization__slug="demo")
    confirmed = appointments.exclude(confirmed_at=None)
    assert confirmed.count() > appointments.count() // 5
    assert all(a.booked_at < a.confirmed_at < a.start for a in confirmed)
    assert all(a.confirmed_at <= NOW for a in confirmed)
    cancelled = with_cancelled_at(appointments.filter(status=AppointmentStatus.CANCELLED))
    late = [
        a
        for a in cancelled
        if is_late_cancellation(
            status=a.status, cancelled_by=a.cancelled_by, start=a.start, cancelled_at=a.cancelled_at
        )
    ]
    assert late and len(late) < cancelled.count()
    assert all(a.booked_at < a.cancelled_at <= NOW for a in cancelled)
    waiting = WaitlistEntry.objects.filter(organization__slug="demo")
    assert waiting.count() >= 3
    assert len({entry.priority for entry in waiting}) > 1


@pytest.mark.django_db
def test_the_audit_entries_are_appended_once_in_one_unbroken_chain(home, monkeypatch):
    """PostgreSQL keeps every version of the chain head that a transaction wrote until it
    ends, and each append steps over them all: thousands of appends in the one seeding
    transaction made the full demo about four times slower there."""
    append, appends = audit_services._append, []

    def counted(organization_id, rows):
        appends.append(len(rows))
        return append(organization_id, rows)

    monkeypatch.setattr(audit_services, "_append", counted)
    seed("demo-audited")

    organization = Organization.objects.get(slug="demo-audited")
    written = AuditEntry.objects.filter(organization=organization).count()
    assert appends == [written]
    assert written > SMALL["patients"]
    assert audit_services.audit_verify(organization_id=organization.pk) == []


@pytest.mark.django_db
def test_the_waitlist_has_a_history_of_freed_time_offered_and_taken(home):
    seed("demo", patients=300, practitioners=8)

    entries = WaitlistEntry.objects.filter(organization__slug="demo")
    assert entries.filter(joined_at__lt=NOW - datetime.timedelta(weeks=1)).exists()
    filled = BackfillSlot.objects.filter(organization__slug="demo", status="filled")
    assert filled.exists()
    for slot in filled.select_related("appointment"):
        visit = slot.appointment
        assert slot.freed_at < slot.filled_at == visit.booked_at < NOW
        assert visit.start == slot.start
        assert entries.get(appointment=visit).joined_at < slot.freed_at
        if visit.end <= NOW:
            assert visit.status in (AppointmentStatus.FULFILLED, AppointmentStatus.NOSHOW)
    offers = OutboundMessage.objects.filter(organization__slug="demo", kind="offer")
    assert offers.filter(status="sent", sent_at__lt=NOW).exists()
    won = OutboundMessage.objects.filter(organization__slug="demo", kind="offer_won")
    assert {(m.status, m.sent_at) for m in won} == {("sent", slot.filled_at) for slot in filled}


@pytest.mark.django_db
def test_time_off_ahead_has_visits_to_move_and_extra_hours_are_bookable(home):
    seed("demo", patients=300, practitioners=8)

    organization = Organization.objects.get(slug="demo")
    with time_machine.travel(NOW, tick=False):
        rows = time_off_ahead(organization=organization, actor=None)
    reasons = {row.entry.reason: row for row in rows}
    assert set(reasons) == {"Annual leave", "Sick", "Covering a colleague's clinic"}
    assert reasons["Annual leave"].visits  # booked before the leave was known
    extra = reasons["Covering a colleague's clinic"].entry
    zone = ZoneInfo(extra.location.timezone)
    with time_machine.travel(NOW, tick=False):
        free = slot_search(
            organization=organization,
            visit_type=VisitType.objects.get(organization=organization, code="follow-up"),
            start_date=extra.start.astimezone(zone).date(),
            end_date=extra.start.astimezone(zone).date(),
            practitioner_ids=[extra.practitioner_id],
        )
    assert any(extra.start <= slot.start < extra.end for slot in free)
