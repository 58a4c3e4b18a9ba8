"""Accepting a waitlist offer: the first acceptance books the slot, the others hear it is
taken, and the slot is never booked twice."""

import datetime

import pytest

from carebridge.notifications.models import OutboundMessage
from carebridge.scheduling.models import Appointment, BackfillSlot, WaitlistOffer
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.waitlist import waitlist_offer_accept, waitlist_offer_decline
from carebridge.scheduling.tests.messaging import (
    NOW,
    VISIT,
    book,
    messages_about,
    reachable_patient,
)
from carebridge.scheduling.tests.waitlisting import mark_sent, offer_messages, offers_of, waiting


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def three_offers(clinic_a):
    """Three waiting patients, each holding an offer (already delivered) of the freed 10:00."""
    entries = [waiting(clinic_a, n) for n in (1, 2, 3)]
    visit = book(clinic_a, reachable_patient(clinic_a.organization, mrn="V-1"))
    appointment_cancel(appointment=visit, actor=None, reason="away")
    offers = [offers_of(entry)[0] for entry in entries]
    for offer in offers:
        mark_sent(*offer_messages(offer))
    return offers


def kinds_sent_about(offer):
    return [m.kind for m in offer_messages(offer)]


def test_the_first_acceptance_books_the_slot_for_that_patient(clinic_a, three_offers):
    first, second, third = three_offers

    answer = waitlist_offer_accept(offer=first, via="link")

    assert answer.won
    visit = answer.appointment
    assert (visit.patient, visit.start, visit.booking_channel) == (
        first.entry.patient,
        VISIT,
        "portal",
    )
    assert (visit.practitioner, visit.visit_type) == (clinic_a.practitioner, clinic_a.visit_type)
    slot = BackfillSlot.objects.get()
    assert (slot.status, slot.filled_at, slot.appointment) == ("filled", NOW, visit)
    first.entry.refresh_from_db()
    assert (first.entry.status, first.entry.appointment) == ("booked", visit)
    assert [o.status for o in WaitlistOffer.objects.order_by("pk")] == [
        "accepted",
        "taken",
        "taken",
    ]
    for other in (second, third):
        other.entry.refresh_from_db()
        assert other.entry.status == "waiting"
        assert kinds_sent_about(other) == ["offer", "offer_taken"]


def test_the_winner_gets_offer_won_with_the_invitation_instead_of_a_confirmation(three_offers):
    visit = waitlist_offer_accept(offer=three_offers[0], via="sms").appointment

    upcoming = [(m.kind, m.status) for m in messages_about(visit) if m.kind != "reminder"]

    assert upcoming == [("confirmation", "withdrawn"), ("offer_won", "pending")]


def test_a_later_acceptance_loses_and_is_told_once(three_offers):
    first, second, _ = three_offers
    waitlist_offer_accept(offer=first, via="link")

    answer = waitlist_offer_accept(offer=second, via="link")

    assert not answer.won and answer.appointment is None
    assert kinds_sent_about(second) == ["offer", "offer_taken"]
    assert Appointment.objects.filter(start=VISIT, status="booked").count() == 1


def test_accepting_twice_answers_like_the_first_time(three_offers):
    first = three_offers[0]
    won = waitlist_offer_accept(offer=first, via="link")

    again = waitlist_offer_accept(offer=first, via="sms")

    assert again == won
    assert Appointment.objects.filter(start=VISIT, status="booked").count() == 1


def test_a_slot_the_desk_booked_meanwhile_goes_to_nobody_and_everyone_is_told(
    clinic_a, three_offers
):
    book(clinic_a, reachable_patient(clinic_a.organization, mrn="DESK"))

    answer = waitlist_offer_accept(offer=three_offers[0], via="link")

    assert not answer.won
    assert BackfillSlot.objects.get().status == "expired"
    assert [o.status for o in WaitlistOffer.objects.order_by("pk")] == ["taken"] * 3
    assert all(kinds_sent_about(o) == ["offer", "offer_taken"] for o in three_offers)


def test_an_acceptance_after_the_hold_loses_and_the_slot_stays_open(three_offers, time_machine):
    time_machine.move_to(NOW + datetime.timedelta(minutes=31), tick=False)

    answer = waitlist_offer_accept(offer=three_offers[0], via="link")

    assert not answer.won
    assert BackfillSlot.objects.get().status == "open"
    assert kinds_sent_about(three_offers[0]) == ["offer", "offer_taken"]
    assert not Appointment.objects.filter(start=VISIT, status="booked").exists()


def test_declining_keeps_the_patient_waiting_and_the_last_decline_offers_the_next(clinic_a):
    entries = [waiting(clinic_a, n) for n in (1, 2, 3, 4)]
    visit = book(clinic_a, reachable_patient(clinic_a.organization, mrn="V-1"))
    appointment_cancel(appointment=visit, actor=None, reason="away")
    offers = [offers_of(entry)[0] for entry in entries[:3]]

    for offer in offers[:2]:
        waitlist_offer_decline(offer=offer, via="sms")
    assert offers_of(entries[3]) == []
    waitlist_offer_decline(offer=offers[2], via="sms")

    [next_offer] = offers_of(entries[3])
    assert (next_offer.batch, next_offer.status) == (2, "open")
    entries[0].refresh_from_db()
    assert entries[0].status == "waiting"
    assert OutboundMessage.objects.filter(kind="offer_taken").count() == 0
