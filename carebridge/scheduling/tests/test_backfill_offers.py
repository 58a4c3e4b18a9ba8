"""Freed time becomes a backfill slot offered to the best-matching waiting patients."""

import datetime

import pytest
from django.db import transaction

from carebridge.core import clock
from carebridge.directory.services import practitioner_create
from carebridge.scheduling.constants import AppointmentStatus
from carebridge.scheduling.models import BackfillSlot, WaitlistOffer, WaitlistPolicy
from carebridge.scheduling.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    appointment_transition,
)
from carebridge.scheduling.services.setup import visit_type_create
from carebridge.scheduling.services.waitlist import waitlist_policy_set
from carebridge.scheduling.tests.messaging import NEW_YORK, NOW, VISIT, book, reachable_patient
from carebridge.scheduling.tests.patient_kinds import new_and_established_visits
from carebridge.scheduling.tests.waitlisting import offer_messages, offers_of, waiting
from carebridge.tests.colleagues import colleague_add


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def visit(clinic_a):
    return book(clinic_a, reachable_patient(clinic_a.organization, mrn="V-1"))


def cancel(appointment):
    return appointment_cancel(appointment=appointment, actor=None, reason="patient is away")


def test_cancelling_offers_the_time_to_three_by_priority_then_time_waiting(
    clinic_a, visit, time_machine
):
    routine_first = waiting(clinic_a, 1)
    time_machine.move_to(NOW + datetime.timedelta(minutes=1), tick=False)
    routine_second = waiting(clinic_a, 2)
    routine_third = waiting(clinic_a, 3)
    urgent_last = waiting(clinic_a, 4, priority="urgent")

    cancel(visit)

    slot = BackfillSlot.objects.get()
    assert (slot.start, slot.freed_start, slot.freed_end) == (VISIT, VISIT, visit.end)
    assert (slot.status, slot.freed_by, slot.practitioner) == ("open", visit, clinic_a.practitioner)
    offered = {o.entry_id for o in WaitlistOffer.objects.all()}
    assert offered == {urgent_last.pk, routine_first.pk, routine_second.pk}
    assert offers_of(routine_third) == []
    offer = offers_of(urgent_last)[0]
    assert (offer.status, offer.batch) == ("open", 1)
    assert offer.expires_at == NOW + datetime.timedelta(minutes=1 + 30)
    urgent_last.refresh_from_db()
    routine_third.refresh_from_db()
    assert (urgent_last.status, routine_third.status) == ("offered", "waiting")


def test_the_offer_goes_by_text_with_a_link_and_the_hold_time(clinic_a, visit):
    entry = waiting(clinic_a, 1)

    cancel(visit)

    offer = offers_of(entry)[0]
    [message] = offer_messages(offer)
    assert (message.kind, message.channel, message.to_address) == ("offer", "sms", "+16175551001")
    assert "/p/o/" in message.body_text
    assert "30 minutes" in message.body_text
    assert "10 a.m." in message.body_text


def test_clinic_policy_sets_batch_size_and_hold(clinic_a, visit):
    WaitlistPolicy.objects.create(organization=clinic_a.organization, batch_size=1, hold_minutes=10)
    first, second = waiting(clinic_a, 1), waiting(clinic_a, 2)

    cancel(visit)

    [offer] = WaitlistOffer.objects.all()
    assert offer.entry == first
    assert offer.expires_at == NOW + datetime.timedelta(minutes=10)
    assert offers_of(second) == []


@pytest.mark.parametrize(
    ("preferences", "offered"),
    [
        ({}, True),
        ({"weekdays": [3]}, True),  # Thursday
        ({"weekdays": [0, 1]}, False),
        ({"time_from": datetime.time(9), "time_to": datetime.time(11)}, True),
        ({"time_from": datetime.time(13), "time_to": datetime.time(17)}, False),
        ({"earliest_date": datetime.date(2026, 12, 11)}, False),
        ({"latest_date": datetime.date(2026, 12, 9)}, False),
        ({"latest_date": datetime.date(2026, 12, 10)}, True),
    ],
)
def test_only_entries_whose_preferences_match_are_offered(clinic_a, visit, preferences, offered):
    entry = waiting(clinic_a, 1, **preferences)

    cancel(visit)

    assert bool(offers_of(entry)) is offered


def test_another_practitioners_entry_is_not_offered(clinic_a, visit):
    other = practitioner_create(
        organization=clinic_a.organization, given_name="Li", family_name="Wu"
    )
    wants_other = waiting(clinic_a, 1, practitioner=other)
    wants_this = waiting(
        clinic_a, 2, practitioner=clinic_a.practitioner, location=clinic_a.location
    )

    cancel(visit)

    assert offers_of(wants_other) == []
    assert len(offers_of(wants_this)) == 1


def test_a_visit_type_that_does_not_fit_the_freed_time_is_not_offered(clinic_a, visit):
    # 90 minutes from 10:00 runs into the 11:00 visit booked after it.
    book(
        clinic_a,
        reachable_patient(clinic_a.organization, mrn="V-2"),
        VISIT + datetime.timedelta(hours=1),
    )
    long_visit = visit_type_create(
        organization=clinic_a.organization, name="Long", code="long", duration_minutes=90
    )
    too_long = waiting(clinic_a, 1, visit_type=long_visit)
    fits = waiting(clinic_a, 2)

    cancel(visit)

    assert offers_of(too_long) == []
    assert len(offers_of(fits)) == 1


def test_a_patient_busy_at_that_time_or_without_any_channel_is_skipped(clinic_a, visit):
    busy = waiting(
        clinic_a,
        1,
        visit_type=visit_type_create(
            organization=clinic_a.organization, name="Other", code="other", duration_minutes=30
        ),
    )
    colleague = colleague_add(clinic_a, weekday=3, given_name="Li", family_name="Wu")
    appointment_book(
        organization=clinic_a.organization,
        actor=None,
        patient=busy.patient,
        practitioner=colleague,
        location=clinic_a.location,
        visit_type=clinic_a.visit_type,
        start=VISIT,
    )
    silent = waiting(clinic_a, 2)
    silent.patient.preferred_channel = "none"
    silent.patient.save()
    free = waiting(clinic_a, 3)

    cancel(visit)

    assert offers_of(busy) == [] and offers_of(silent) == []
    assert len(offers_of(free)) == 1


def test_a_visit_starting_within_the_minimum_lead_frees_nothing(clinic_a, time_machine):
    soon = NOW.astimezone(NEW_YORK).replace(hour=9, minute=30) + datetime.timedelta(days=1)
    appointment = book(clinic_a, reachable_patient(clinic_a.organization, mrn="V-1"), soon)
    waiting(clinic_a, 1)
    time_machine.move_to(soon - datetime.timedelta(minutes=20), tick=False)

    cancel(appointment)

    assert not BackfillSlot.objects.exists()


def test_a_cancellation_that_rolls_back_offers_nothing(clinic_a, visit):
    waiting(clinic_a, 1)

    with pytest.raises(RuntimeError), transaction.atomic():
        cancel(visit)
        raise RuntimeError("the request failed after the cancellation")

    assert not BackfillSlot.objects.exists()
    assert not WaitlistOffer.objects.exists()


def test_moving_a_visit_frees_its_old_time(clinic_a, visit):
    entry = waiting(clinic_a, 1)

    appointment_reschedule(appointment=visit, actor=None, start=VISIT + datetime.timedelta(days=1))

    slot = BackfillSlot.objects.get()
    assert slot.start == VISIT
    assert offers_of(entry)[0].slot == slot


def test_moving_a_visit_by_a_quarter_hour_frees_nothing(clinic_a, visit):
    waiting(clinic_a, 1)

    appointment_reschedule(
        appointment=visit, actor=None, start=VISIT + datetime.timedelta(minutes=15)
    )

    assert not BackfillSlot.objects.exists()


def test_an_overbooked_visit_cancelled_frees_nothing(clinic_a, visit):
    overbooked = book(
        clinic_a,
        reachable_patient(clinic_a.organization, mrn="V-2"),
        VISIT,
        overbook_reason="urgent",
    )
    waiting(clinic_a, 1)

    cancel(overbooked)

    assert not BackfillSlot.objects.exists()


def test_a_noshow_frees_the_rest_of_a_long_visit(clinic_a, time_machine):
    long_visit = visit_type_create(
        organization=clinic_a.organization, name="Long", code="long", duration_minutes=180
    )
    start = datetime.datetime(2026, 12, 10, 9, 0, tzinfo=NEW_YORK)
    appointment = appointment_book(
        organization=clinic_a.organization,
        actor=None,
        patient=reachable_patient(clinic_a.organization, mrn="V-1"),
        practitioner=clinic_a.practitioner,
        location=clinic_a.location,
        visit_type=long_visit,
        start=start,
    )
    entry = waiting(clinic_a, 1)
    time_machine.move_to(start + datetime.timedelta(minutes=10), tick=False)

    appointment_transition(appointment=appointment, actor=None, status=AppointmentStatus.NOSHOW)

    slot = BackfillSlot.objects.get()
    # an hour's lead from 09:10, on the quarter-hour grid
    assert slot.start == datetime.datetime(2026, 12, 10, 10, 15, tzinfo=NEW_YORK)
    assert slot.freed_end == appointment.end
    assert len(offers_of(entry)) == 1


def test_the_patient_who_gave_the_time_back_is_not_offered_it(clinic_a):
    entry = waiting(clinic_a, 1)
    own_visit = book(clinic_a, entry.patient)
    other = waiting(clinic_a, 2)

    appointment_reschedule(
        appointment=own_visit, actor=None, start=VISIT - datetime.timedelta(days=1)
    )

    assert offers_of(entry) == []
    assert len(offers_of(other)) == 1


def test_an_overbooked_visits_time_frees_once_both_visits_are_gone(clinic_a, visit):
    overbooked = book(
        clinic_a,
        reachable_patient(clinic_a.organization, mrn="V-2"),
        VISIT,
        overbook_reason="urgent",
    )
    waiting(clinic_a, 1)
    cancel(visit)

    cancel(overbooked)

    assert BackfillSlot.objects.get().freed_by == overbooked


def test_inactive_patients_and_visit_types_are_skipped(clinic_a, visit):
    inactive_patient = waiting(clinic_a, 1)
    inactive_patient.patient.active = False
    inactive_patient.patient.save()
    retired = visit_type_create(
        organization=clinic_a.organization, name="Old", code="old", duration_minutes=30
    )
    retired_type = waiting(clinic_a, 2, visit_type=retired)
    retired.active = False
    retired.save()

    cancel(visit)

    assert offers_of(inactive_patient) == [] and offers_of(retired_type) == []


def test_a_patient_who_prefers_email_gets_the_offer_by_email(clinic_a, visit):
    entry = waiting(clinic_a, 1, patient_fields={"preferred_channel": "email"})

    cancel(visit)

    [message] = offer_messages(offers_of(entry)[0])
    assert (message.channel, message.to_address) == ("email", "wait1@example.org")
    assert message.subject.startswith("An earlier visit at Clinic A is free")
    assert "/p/o/" in message.body_text and "/p/e/" in message.body_text
    assert "Hello Wait1" in message.body_text


def test_a_slot_that_could_be_held_only_minutes_expires_unoffered(clinic_a, visit, time_machine):
    entry = waiting(clinic_a, 1)
    time_machine.move_to(VISIT - datetime.timedelta(minutes=64), tick=False)

    cancel(visit)

    assert BackfillSlot.objects.get().status == "expired"
    assert offers_of(entry) == []


def test_an_offer_is_held_no_later_than_the_lead_before_the_start(clinic_a, visit, time_machine):
    entry = waiting(clinic_a, 1)
    time_machine.move_to(VISIT - datetime.timedelta(minutes=80), tick=False)

    cancel(visit)

    assert offers_of(entry)[0].expires_at == VISIT - datetime.timedelta(minutes=60)
    assert "20 minutes" in offer_messages(offers_of(entry)[0])[0].body_text


def test_a_patient_seen_since_joining_is_not_offered_a_new_patient_visit(
    clinic_a, visit, time_machine
):
    new_patient_visit, established_visit = new_and_established_visits(clinic_a)
    seen_since = waiting(clinic_a, 1, visit_type=new_patient_visit)
    not_seen_yet = waiting(clinic_a, 2, visit_type=established_visit)
    newcomer = waiting(clinic_a, 3, visit_type=new_patient_visit)
    # The first patient is seen on Tuesday, after joining the list; the slot frees then.
    tuesday = VISIT - datetime.timedelta(days=2)
    seen = appointment_book(
        organization=clinic_a.organization,
        actor=None,
        patient=seen_since.patient,
        practitioner=clinic_a.practitioner,
        location=clinic_a.location,
        visit_type=new_patient_visit,
        start=tuesday,
    )
    time_machine.move_to(tuesday + datetime.timedelta(hours=1), tick=False)
    appointment_transition(appointment=seen, actor=None, status=AppointmentStatus.FULFILLED)

    cancel(visit)

    assert offers_of(seen_since) == [] and offers_of(not_seen_yet) == []
    assert len(offers_of(newcomer)) == 1


def test_time_waiting_counts_from_when_the_patient_joined(clinic_a, visit):
    # Both recorded now; one said they began waiting two weeks ago (history, pinned).
    recent = waiting(clinic_a, 1)
    with clock.pinned(NOW - datetime.timedelta(days=14)):
        longer = waiting(clinic_a, 2)
    waitlist_policy_set(
        organization=clinic_a.organization,
        actor=None,
        batch_size=1,
        hold_minutes=30,
        min_lead_minutes=60,
    )

    cancel(visit)

    assert [o.entry_id for o in WaitlistOffer.objects.all()] == [longer.pk]
    assert offers_of(recent) == []


def test_a_slot_freed_in_the_past_is_not_offered_to_who_joined_later(clinic_a, visit):
    with clock.pinned(NOW - datetime.timedelta(days=2)):
        early = waiting(clinic_a, 1)
    waiting(clinic_a, 2)

    with clock.pinned(NOW - datetime.timedelta(days=1)):
        cancel(visit)

    assert [o.entry_id for o in WaitlistOffer.objects.all()] == [early.pk]
