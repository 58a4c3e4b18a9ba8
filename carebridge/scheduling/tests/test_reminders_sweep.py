"""The reminder sweep: each reminder is queued a day before it is due, once, with the visit,
the policy and the patient's details as they are then."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from carebridge.jobs.periodic import JOBS
from carebridge.notifications.constants import MessageStatus
from carebridge.patients.services import patient_update
from carebridge.scheduling.availability import slot_search
from carebridge.scheduling.services import reminders as reminders_module
from carebridge.scheduling.services.appointments import (
    appointment_cancel,
    appointment_reschedule,
)
from carebridge.scheduling.services.messages import start_stamp
from carebridge.scheduling.services.reminders import reminder_policy_set, reminders_queue_due
from carebridge.scheduling.tasks import queue_due_reminders_when_due
from carebridge.scheduling.tests.messaging import (
    NOW,
    VISIT,
    book,
    deliver_due,
    messages_about,
    reachable_patient,
    sweep,
    use_file_gateways,
)

DAY = datetime.timedelta(days=1)
# A day before the seven-day reminder is due.
SEVEN_DAY_SWEEP = VISIT - 8 * DAY


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


def reminders(appointment, **filters):
    return messages_about(appointment, kind="reminder", **filters)


def test_a_reminder_is_queued_once_however_often_the_sweep_runs(clinic_a):
    appointment = book(clinic_a, reachable_patient(clinic_a.organization))

    assert sweep(SEVEN_DAY_SWEEP) == 1
    assert sweep(SEVEN_DAY_SWEEP) == 0
    assert sweep(SEVEN_DAY_SWEEP + datetime.timedelta(hours=12)) == 0

    [reminder] = reminders(appointment)
    assert (reminder.due_at, reminder.topic_stamp) == (VISIT - 7 * DAY, start_stamp(appointment))


def test_a_reminder_sent_is_not_queued_again(clinic_a, settings, tmp_path, time_machine):
    use_file_gateways(settings, tmp_path)
    appointment = book(clinic_a, reachable_patient(clinic_a.organization))
    sweep(SEVEN_DAY_SWEEP)
    time_machine.move_to(VISIT - 7 * DAY, tick=False)
    deliver_due()

    assert sweep(VISIT - 7 * DAY - datetime.timedelta(hours=1)) == 0
    assert [m.status for m in reminders(appointment)] == [MessageStatus.SENT]


def test_a_policy_changed_after_booking_applies_to_the_reminders_not_yet_queued(clinic_a):
    appointment = book(clinic_a, reachable_patient(clinic_a.organization))

    reminder_policy_set(
        organization=clinic_a.organization, actor=None, offsets=[datetime.timedelta(hours=26)]
    )

    assert sweep(SEVEN_DAY_SWEEP) == 0
    assert sweep(VISIT - 2 * DAY) == 1
    assert [m.due_at for m in reminders(appointment)] == [VISIT - datetime.timedelta(hours=26)]


def test_contact_details_changed_after_booking_reach_the_reminders_not_yet_queued(clinic_a):
    patient = reachable_patient(clinic_a.organization)
    appointment = book(clinic_a, patient)

    patient_update(
        patient=patient,
        actor=None,
        fields={"phone_mobile": "+1 617 555 0142", "preferred_language": "es"},
    )
    sweep(SEVEN_DAY_SWEEP)

    [reminder] = reminders(appointment)
    assert reminder.to_address == "+16175550142"
    assert reminder.body_text.startswith("Clinic A le recuerda")


def test_a_moved_visit_is_reminded_of_its_new_time_only(clinic_a):
    appointment = book(clinic_a, reachable_patient(clinic_a.organization))
    sweep(SEVEN_DAY_SWEEP)

    appointment_reschedule(appointment=appointment, actor=None, start=VISIT + DAY)

    assert sweep(SEVEN_DAY_SWEEP) == 0  # the old time's reminder is not queued again
    assert sweep(SEVEN_DAY_SWEEP + DAY) == 1
    statuses = {(m.due_at, m.status) for m in reminders(appointment)}
    assert statuses == {
        (VISIT - 7 * DAY, MessageStatus.WITHDRAWN),
        (VISIT + DAY - 7 * DAY, MessageStatus.PENDING),
    }


def test_only_booked_visits_ahead_of_patients_who_can_be_written_to(clinic_a):
    organization = clinic_a.organization
    pending = book(clinic_a, reachable_patient(organization, mrn="M-1"), status="pending")
    cancelled = book(
        clinic_a, reachable_patient(organization, mrn="M-2"), start=VISIT + DAY, status="booked"
    )
    appointment_cancel(appointment=cancelled, actor=None, reason="flu")
    silent = book(
        clinic_a,
        reachable_patient(organization, mrn="M-3", preferred_channel="none"),
        start=VISIT + datetime.timedelta(hours=1),
    )

    for moment in (SEVEN_DAY_SWEEP, SEVEN_DAY_SWEEP + DAY, VISIT - DAY):
        assert sweep(moment) == 0
    assert reminders(pending) == reminders(cancelled) == reminders(silent) == []


def test_every_clinic_is_swept(clinic_a, clinic_b):
    ours = book(clinic_a, reachable_patient(clinic_a.organization))
    theirs = book(clinic_b, reachable_patient(clinic_b.organization))

    assert sweep(SEVEN_DAY_SWEEP) == 2
    assert len(reminders(ours)) == len(reminders(theirs)) == 1


def test_the_scheduler_runs_the_sweep_one_task_at_a_time(db):
    assert "queue-due-reminders" in {job.name for job in JOBS}
    assert queue_due_reminders_when_due() is True
    assert queue_due_reminders_when_due() is False  # one task already waits


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_sweeps_at_once_queue_each_reminder_once(clinic_a, time_machine, monkeypatch):
    monkeypatch.setattr(reminders_module, "SWEEP_BATCH", 2)  # batches interleave
    organization = clinic_a.organization
    free = slot_search(
        organization=organization,
        visit_type=clinic_a.visit_type,
        start_date=VISIT.date(),
        end_date=VISIT.date(),
        practitioner_ids=[clinic_a.practitioner.pk],
    )
    starts = [free[0].start]
    for slot in free:
        if slot.start >= starts[-1] + datetime.timedelta(hours=1):
            starts.append(slot.start)
    visits = [
        book(clinic_a, reachable_patient(organization, mrn=f"R-{n}"), start=start)
        for n, start in enumerate(starts)
    ]
    assert len(visits) >= 4
    # 07:00 on the day: each visit's two-hour reminder is due within a day
    time_machine.move_to(VISIT.replace(hour=7), tick=False)
    sweeps = 4
    barrier = threading.Barrier(sweeps)

    def run(_: int) -> int:
        try:
            barrier.wait()
            return reminders_queue_due(organization=organization)
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=sweeps) as pool:
        queued = list(pool.map(run, range(sweeps)))

    assert sum(queued) == len(visits)
    assert all(len(reminders(visit)) == 1 for visit in visits)
