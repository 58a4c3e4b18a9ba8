"""The periodic job: offers whose hold ran out end and the slot goes to the next batch;
slots about to start and entries past their latest date expire."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django_tasks_db.models import DBTaskResult

from carebridge.scheduling.models import BackfillSlot, WaitlistPolicy
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.backfill import backfill_advance
from carebridge.scheduling.tasks import advance_backfill_when_due
from carebridge.scheduling.tests.messaging import NOW, VISIT, book, reachable_patient
from carebridge.scheduling.tests.waitlisting import offer_messages, offers_of, waiting

HOLD = datetime.timedelta(minutes=30)
# A transaction's start inside the test's own (a savepoint), or a statement that writes.
WRITING = ("SAVEPOINT", "INSERT", "UPDATE", "DELETE")


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


def free_the_visit(clinic, start=VISIT):
    visit = book(clinic, reachable_patient(clinic.organization, mrn="V-1"), start)
    appointment_cancel(appointment=visit, actor=None, reason="away")


def test_while_offers_are_held_nothing_changes(clinic_a, time_machine):
    first, later = waiting(clinic_a, 1), waiting(clinic_a, 4)
    WaitlistPolicy.objects.create(organization=clinic_a.organization, batch_size=1)
    free_the_visit(clinic_a)
    time_machine.move_to(NOW + HOLD - datetime.timedelta(seconds=1), tick=False)

    report = backfill_advance()

    assert (report.offers_expired, report.offers_made) == (0, 0)
    assert offers_of(first)[0].status == "open" and offers_of(later) == []


def test_offers_past_their_hold_end_and_the_next_batch_is_offered(clinic_a, time_machine):
    WaitlistPolicy.objects.create(organization=clinic_a.organization, batch_size=2)
    entries = [waiting(clinic_a, n) for n in (1, 2, 3, 4, 5)]
    free_the_visit(clinic_a)
    time_machine.move_to(NOW + HOLD, tick=False)

    report = backfill_advance()

    assert (report.offers_expired, report.offers_made) == (2, 2)
    first_batch = [offers_of(e)[0] for e in entries[:2]]
    assert [o.status for o in first_batch] == ["expired", "expired"]
    # never delivered, so withdrawn rather than sent late
    assert [m.status for o in first_batch for m in offer_messages(o)] == ["withdrawn"] * 2
    assert [(o.batch, o.status) for e in entries[2:4] for o in offers_of(e)] == [(2, "open")] * 2
    assert offers_of(entries[4]) == []
    entries[0].refresh_from_db()
    assert entries[0].status == "waiting"


def test_a_slot_whose_start_comes_within_the_lead_expires(clinic_a, time_machine):
    entry = waiting(clinic_a, 1)
    free_the_visit(clinic_a)
    time_machine.move_to(VISIT - datetime.timedelta(minutes=60), tick=False)

    report = backfill_advance()

    assert report.slots_expired == 1
    slot = BackfillSlot.objects.get()
    assert (slot.status, slot.closed_at) == ("expired", VISIT - datetime.timedelta(minutes=60))
    assert offers_of(entry)[0].status == "expired"


def test_an_open_slot_without_candidates_is_offered_to_someone_who_joins_later(clinic_a):
    free_the_visit(clinic_a)
    assert BackfillSlot.objects.get().status == "open"
    newcomer = waiting(clinic_a, 1)

    backfill_advance()

    assert offers_of(newcomer)[0].status == "open"


def test_entries_past_their_latest_date_leave_the_list(clinic_a, time_machine):
    ends_soon = waiting(clinic_a, 1, latest_date=datetime.date(2026, 12, 1))
    open_ended = waiting(clinic_a, 2)
    time_machine.move_to(datetime.datetime(2026, 12, 3, 1, tzinfo=datetime.UTC), tick=False)

    assert backfill_advance().entries_expired == 1

    ends_soon.refresh_from_db()
    open_ended.refresh_from_db()
    assert (ends_soon.status, open_ended.status) == ("expired", "waiting")


def test_the_scheduler_enqueues_the_job_only_when_a_slot_needs_it(clinic_a, time_machine):
    waiting(clinic_a, 1)
    assert advance_backfill_when_due() is False
    free_the_visit(clinic_a)
    assert advance_backfill_when_due() is False  # the offer is held

    time_machine.move_to(NOW + HOLD, tick=False)

    assert advance_backfill_when_due() is True
    assert advance_backfill_when_due() is False  # one task already waits
    assert DBTaskResult.objects.count() == 1


def test_a_slot_nobody_can_take_is_checked_without_a_write_transaction(clinic_a):
    # On SQLite a write transaction locks the whole database: a sweep that took one for every
    # open slot would hold off bookings for as long as it runs.
    free_the_visit(clinic_a)

    with CaptureQueriesContext(connection) as captured:
        report = backfill_advance()

    assert (report.offers_made, report.slots_expired) == (0, 0)
    assert BackfillSlot.objects.get().status == "open"
    writes = [q["sql"] for q in captured if q["sql"].startswith(WRITING)]
    assert writes == []


def test_the_sweep_still_writes_for_a_slot_that_changes(clinic_a):
    free_the_visit(clinic_a)
    newcomer = waiting(clinic_a, 1)

    with CaptureQueriesContext(connection) as captured:
        backfill_advance()

    assert any(q["sql"].startswith(WRITING) for q in captured)
    assert offers_of(newcomer)[0].status == "open"
