"""Text replies to waitlist offers: YES takes the slot, NO declines it, anything else goes
to the inbox; a reply belongs to the offer only when the offer is the latest message that
asked for an answer, and only when the open offers and visits texts to that number asked
about are one patient's (a phone a family shares goes to a person)."""

import datetime
import itertools

import pytest

from carebridge.notifications.models import InboundMessage
from carebridge.notifications.services.inbound import inbound_record
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.replies import sms_reply_handle
from carebridge.scheduling.services.waitlist import (
    waitlist_add,
    waitlist_offer_accept,
    waitlist_remove,
)
from carebridge.scheduling.tests.messaging import (
    NOW,
    VISIT,
    book,
    deliver_due,
    messages_about,
    reachable_patient,
    use_file_gateways,
)
from carebridge.scheduling.tests.waitlisting import offer_messages, offers_of, waiting

PHONE = "+16175551001"  # waiting patient number 1
SIDS = itertools.count(1)


@pytest.fixture(autouse=True)
def setting(settings, tmp_path, time_machine):
    use_file_gateways(settings, tmp_path)
    time_machine.move_to(NOW, tick=False)


def free_the_visit(clinic, start=VISIT):
    visit = book(clinic, reachable_patient(clinic.organization, mrn=f"V-{start:%H}"), start)
    appointment_cancel(appointment=visit, actor=None, reason="away")
    deliver_due()


def reply(body: str) -> InboundMessage:
    inbound = inbound_record(
        channel="sms",
        from_address=PHONE,
        to_address="+16175550000",
        body=body,
        provider_message_id=f"SM{next(SIDS):032d}",
    )
    return sms_reply_handle(inbound=inbound)


@pytest.mark.parametrize("word", ["YES", "si", " Sí! "])
def test_yes_to_an_offer_books_the_slot(clinic_a, word):
    entry = waiting(clinic_a, 1)
    free_the_visit(clinic_a)
    offer = offers_of(entry)[0]

    inbound = reply(word)

    entry.refresh_from_db()
    assert entry.status == "booked"
    assert (entry.appointment.start, entry.appointment.booking_channel) == (VISIT, "portal")
    assert (inbound.handled_as, inbound.needs_attention) == ("confirm", False)
    assert (inbound.topic_type, inbound.topic_id) == ("waitlist_offer", str(offer.public_id))
    assert inbound.patient_id == entry.patient_id
    assert [m.kind for m in messages_about(entry.appointment, status="pending")][:1] == [
        "offer_won"
    ]


def test_no_declines_and_the_patient_keeps_waiting(clinic_a):
    entry = waiting(clinic_a, 1)
    free_the_visit(clinic_a)

    inbound = reply("no")

    entry.refresh_from_db()
    assert (entry.status, offers_of(entry)[0].status) == ("waiting", "declined")
    assert inbound.handled_as == "cancel"
    assert not Appointment.objects.filter(patient=entry.patient).exists()


def test_anything_else_goes_to_the_inbox_linked_to_the_patient(clinic_a):
    entry = waiting(clinic_a, 1)
    free_the_visit(clinic_a)

    inbound = reply("is there parking?")

    assert (inbound.handled_as, inbound.needs_attention) == ("unrecognized", True)
    assert (inbound.patient_id, inbound.organization_id) == (
        entry.patient_id,
        clinic_a.organization.pk,
    )
    assert offers_of(entry)[0].status == "open"


def test_a_visit_message_sent_after_the_offer_takes_the_reply(clinic_a, time_machine):
    entry = waiting(clinic_a, 1)
    free_the_visit(clinic_a)
    time_machine.move_to(NOW + datetime.timedelta(minutes=5), tick=False)
    own_visit = book(clinic_a, entry.patient, VISIT + datetime.timedelta(days=1))
    deliver_due()  # its confirmation asks for an answer, after the offer

    reply("yes")

    own_visit.refresh_from_db()
    assert own_visit.confirmed_via == "sms"
    assert offers_of(entry)[0].status == "open"


def test_yes_after_someone_else_took_the_slot_is_told_it_is_taken(clinic_a):
    first, second = waiting(clinic_a, 2), waiting(clinic_a, 1)
    free_the_visit(clinic_a)
    waitlist_offer_accept(offer=offers_of(first)[0], via="link")
    deliver_due()

    reply("YES")

    assert [m.kind for m in offer_messages(offers_of(second)[0])] == ["offer", "offer_taken"]
    assert not Appointment.objects.filter(patient=second.patient).exists()


# A phone a family shares


def sibling(clinic):
    """Another patient whose texts go to PHONE."""
    return reachable_patient(
        clinic.organization, mrn="W-S", given_name="Luz", phone_mobile=PHONE, email=""
    )


def sibling_waiting(clinic):
    return waitlist_add(
        organization=clinic.organization,
        actor=None,
        patient=sibling(clinic),
        visit_type=clinic.visit_type,
    )


def left_to_a_person(inbound: InboundMessage, clinic) -> bool:
    return (
        inbound.handled_as,
        inbound.needs_attention,
        inbound.organization_id,
        inbound.patient_id,
        inbound.topic_id,
    ) == ("unrecognized", True, clinic.organization.pk, None, "")


def test_a_shared_phone_with_two_open_offers_takes_neither(clinic_a):
    entries = [waiting(clinic_a, 1), sibling_waiting(clinic_a)]
    free_the_visit(clinic_a)
    offers = [offers_of(entry)[0] for entry in entries]
    assert all(offer_messages(offer, status="sent") for offer in offers)

    inbound = reply("YES")

    assert [offers_of(entry)[0].status for entry in entries] == ["open", "open"]
    assert not Appointment.objects.filter(patient__in=[e.patient for e in entries]).exists()
    assert left_to_a_person(inbound, clinic_a)


@pytest.mark.parametrize("texted_last", ["offer", "visit"])
def test_a_shared_phone_with_an_offer_and_anothers_open_visit_acts_on_neither(
    clinic_a, time_machine, texted_last
):
    entry = waiting(clinic_a, 1)
    if texted_last == "visit":
        free_the_visit(clinic_a)
        time_machine.shift(datetime.timedelta(minutes=5))
    theirs = book(clinic_a, sibling(clinic_a), VISIT + datetime.timedelta(days=1))
    deliver_due()  # its confirmation asks for an answer
    if texted_last == "offer":
        time_machine.shift(datetime.timedelta(minutes=5))
        free_the_visit(clinic_a)

    inbound = reply("yes")

    theirs.refresh_from_db()
    assert (offers_of(entry)[0].status, theirs.confirmed_at) == ("open", None)
    assert left_to_a_person(inbound, clinic_a)


def test_a_yes_after_ones_offer_ended_leaves_anothers_open_visit_to_a_person(
    clinic_a, time_machine
):
    theirs = book(clinic_a, sibling(clinic_a), VISIT + datetime.timedelta(days=1))
    deliver_due()
    time_machine.shift(datetime.timedelta(minutes=5))
    entry = waiting(clinic_a, 1)
    free_the_visit(clinic_a)
    waitlist_remove(entry=entry, actor=None, reason="found a visit elsewhere")

    inbound = reply("yes")

    theirs.refresh_from_db()
    assert theirs.confirmed_at is None
    assert left_to_a_person(inbound, clinic_a)


def test_a_shared_phone_whose_only_open_question_is_an_offer_takes_it(clinic_a, time_machine):
    closed = book(clinic_a, sibling(clinic_a), VISIT + datetime.timedelta(days=1))
    deliver_due()
    appointment_cancel(appointment=closed, actor=None, reason="called the clinic")
    time_machine.shift(datetime.timedelta(minutes=5))
    entry = waiting(clinic_a, 1)
    free_the_visit(clinic_a)

    inbound = reply("YES")

    entry.refresh_from_db()
    assert entry.status == "booked"
    assert (inbound.handled_as, inbound.patient_id) == ("confirm", entry.patient_id)
