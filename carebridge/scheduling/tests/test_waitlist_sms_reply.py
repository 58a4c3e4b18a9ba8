"""Text replies to waitlist offers: YES takes the slot, NO declines it, anything else goes
to the inbox; a reply belongs to the offer only when the offer is the latest message that
asked for an answer."""

import datetime
import itertools

import pytest

from carebridge.notifications.models import InboundMessage
from carebridge.notifications.services.inbound import inbound_record
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.replies import sms_reply_handle
from carebridge.scheduling.services.waitlist import waitlist_offer_accept
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
