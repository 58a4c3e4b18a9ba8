"""Many clients booking the same time at once, over real connections, on either database."""

import datetime
import threading
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection, transaction

from carebridge.audit.services import audit_verify
from carebridge.core.db import LockSpace
from carebridge.core.errors import Conflict
from carebridge.directory.services import practitioner_create, practitioner_role_create
from carebridge.patients.services import patient_create
from carebridge.scheduling.constants import ACTIVE_STATUSES
from carebridge.scheduling.models import Appointment, AppointmentHistory
from carebridge.scheduling.services.appointments import appointment_book
from carebridge.scheduling.services.setup import availability_rule_create

BOSTON = ZoneInfo("America/New_York")
CLIENTS = 16
pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def _race(jobs):
    """Run the jobs on CLIENTS threads released together; return each outcome."""
    barrier = threading.Barrier(len(jobs))

    def run(job):
        try:
            barrier.wait()
            job()
            return "booked"
        except Conflict as error:
            return error.code
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        return list(pool.map(run, jobs))


def _patients(clinic, count):
    return [
        patient_create(
            organization=clinic.organization,
            actor=None,
            fields={
                "given_name": f"Racer{n}",
                "family_name": "Test",
                "birth_date": datetime.date(1980, 1, 1 + n),
            },
        )
        for n in range(count)
    ]


def _assert_no_overlaps():
    active = list(Appointment.objects.filter(status__in=ACTIVE_STATUSES))
    for index, first in enumerate(active):
        for second in active[index + 1 :]:
            if first.practitioner_id == second.practitioner_id:
                assert not (
                    first.blocked_start < second.blocked_end
                    and second.blocked_start < first.blocked_end
                )
            if first.patient_id == second.patient_id:
                assert not (first.start < second.end and second.start < first.end)
    # nothing half-written: every appointment has its history entry and nothing else has one
    assert AppointmentHistory.objects.count() == len(active)


@time_machine.travel(datetime.datetime(2026, 3, 2, 8, tzinfo=BOSTON), tick=False)
def test_sixteen_clients_racing_for_each_slot_one_wins(clinic_a):
    patients = _patients(clinic_a, CLIENTS)
    # overlapping starts 15 minutes apart, so neighbouring slots collide too
    starts = [
        datetime.datetime(2026, 3, 3, 9, tzinfo=BOSTON) + datetime.timedelta(minutes=30 * n)
        for n in range(5)
    ]
    for start in starts:
        outcomes = _race(
            [
                lambda patient=patient, start=start, n=n: appointment_book(
                    organization=clinic_a.organization,
                    actor=None,
                    patient=patient,
                    practitioner=clinic_a.practitioner,
                    location=clinic_a.location,
                    visit_type=clinic_a.visit_type,
                    start=start + datetime.timedelta(minutes=15 * (n % 2)),
                )
                for n, patient in enumerate(patients)
            ]
        )
        assert Counter(outcomes) == {"booked": 1, "slot_taken": CLIENTS - 1}
    _assert_no_overlaps()
    # the winners' audit entries, appended by racing writers, form one unbroken chain
    assert audit_verify(organization_id=clinic_a.organization.pk) == []


@time_machine.travel(datetime.datetime(2026, 3, 2, 8, tzinfo=BOSTON), tick=False)
def test_one_patient_racing_with_many_practitioners_gets_one_visit(clinic_a, patient_a):
    practitioners = []
    for n in range(4):
        practitioner = practitioner_create(
            organization=clinic_a.organization, given_name=f"Doc{n}", family_name="Race"
        )
        practitioner_role_create(practitioner=practitioner, location=clinic_a.location)
        availability_rule_create(
            practitioner=practitioner,
            location=clinic_a.location,
            weekday=1,
            start_time=datetime.time(9),
            end_time=datetime.time(17),
        )
        practitioners.append(practitioner)
    start = datetime.datetime(2026, 3, 3, 11, tzinfo=BOSTON)
    outcomes = _race(
        [
            lambda practitioner=practitioners[n % 4]: appointment_book(
                organization=clinic_a.organization,
                actor=None,
                patient=patient_a,
                practitioner=practitioner,
                location=clinic_a.location,
                visit_type=clinic_a.visit_type,
                start=start,
            )
            for n in range(CLIENTS)
        ]
    )
    assert outcomes.count("booked") == 1
    assert set(outcomes) <= {"booked", "patient_busy", "slot_taken"}
    _assert_no_overlaps()


@time_machine.travel(datetime.datetime(2026, 3, 2, 8, tzinfo=BOSTON), tick=False)
def test_a_booking_holds_the_practitioners_and_the_patients_lock_until_commit(clinic_a, patient_a):
    if connection.vendor != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite's writers queue at BEGIN")
    held = (
        "SELECT classid::int, objid::int FROM pg_locks"
        " WHERE locktype = 'advisory' AND pid = pg_backend_pid()"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        appointment_book(
            organization=clinic_a.organization,
            actor=None,
            patient=patient_a,
            practitioner=clinic_a.practitioner,
            location=clinic_a.location,
            visit_type=clinic_a.visit_type,
            start=datetime.datetime(2026, 3, 3, 9, tzinfo=BOSTON),
        )
        cursor.execute(held)
        assert set(cursor.fetchall()) == {
            (LockSpace.PRACTITIONER_TIME, clinic_a.practitioner.pk),
            (LockSpace.PATIENT_TIME, patient_a.pk),
        }
    with connection.cursor() as cursor:
        cursor.execute(held)
        assert cursor.fetchall() == []
