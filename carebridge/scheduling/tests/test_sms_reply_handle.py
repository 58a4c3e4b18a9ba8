"""Text replies: matched to the visit of the latest message that asked for an answer."""

import datetime
import itertools

import pytest

from carebridge.directory.services import practitioner_create, practitioner_role_create
from carebridge.notifications.constants import MessageStatus
from carebridge.notifications.models import InboundMessage, OutboundMessage
from carebridge.notifications.services.inbound import inbound_record
from carebridge.scheduling.availability import slot_is_free
from carebridge.scheduling.models import RescheduleOffer
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.replies import sms_reply_handle
from carebridge.scheduling.services.setup import availability_rule_create
from carebridge.scheduling.tests.messaging import (
    NEW_YORK,
    NOW,
    VISIT,
    book,
    deliver_due,
    messages_about,
    reachable_patient,
    use_file_gateways,
)

PHONE = "+16175550199"
SIDS = itertools.count(1)


@pytest.fixture(autouse=True)
def setting(settings, tmp_path, time_machine):
    use_file_gateways(settings, tmp_path)
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def patient(org_a):
    return reachable_patient(org_a)


@pytest.fixture
def appointment(clinic_a, patient):
    booked = book(clinic_a, patient)
    deliver_due()  # the confirmation goes out and asks for an answer
    return booked


def reply(body: str, from_address: str = PHONE) -> InboundMessage:
    inbound = inbound_record(
        channel="sms",
        from_address=from_address,
        to_address="+16175550000",
        body=body,
        provider_message_id=f"SM{next(SIDS):032d}",
    )
    return sms_reply_handle(inbound=inbound)


def pending_sms(patient) -> list[OutboundMessage]:
    return list(
        OutboundMessage.objects.filter(
            patient=patient, status=MessageStatus.PENDING, due_at__lte=NOW
        ).order_by("pk")
    )


@pytest.mark.parametrize("word", ["C", "yes", " Sí! ", "confirmar"])
def test_confirm_words_confirm_the_visit(appointment, patient, word):
    inbound = reply(word)

    appointment.refresh_from_db()
    assert (appointment.confirmed_via, appointment.confirmed_at) == ("sms", NOW)
    assert (inbound.handled_as, inbound.needs_attention) == ("confirm", False)
    assert (inbound.patient_id, inbound.topic_id) == (patient.pk, str(appointment.public_id))
    (answer,) = pending_sms(patient)
    assert (answer.kind, answer.channel) == ("reply_ack", "sms")
    assert "is confirmed" in answer.body_text


@pytest.mark.parametrize("word", ["X", "no", "Cancelar."])
def test_cancel_words_cancel_and_free_the_time(appointment, patient, clinic_a, word):
    reply(word)

    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancelled_by) == ("cancelled", "patient")
    assert slot_is_free(
        organization=clinic_a.organization,
        visit_type=clinic_a.visit_type,
        practitioner=clinic_a.practitioner,
        location=clinic_a.location,
        start=appointment.start,
    )
    assert [m.kind for m in pending_sms(patient)] == ["cancellation"]


def test_anything_else_goes_to_the_inbox_linked_to_the_patient(appointment, patient):
    inbound = reply("No puedo el martes, ¿me pueden llamar?")

    appointment.refresh_from_db()
    assert appointment.status == "booked"
    assert (inbound.handled_as, inbound.needs_attention) == ("unrecognized", True)
    assert (inbound.organization_id, inbound.patient_id) == (patient.organization_id, patient.pk)
    assert pending_sms(patient) == []


def test_a_shared_phone_with_two_open_visits_leaves_both_to_a_person(
    clinic_a, patient, time_machine
):
    sibling = reachable_patient(clinic_a.organization, mrn="M-2", given_name="Luz")
    mine = book(clinic_a, patient)
    deliver_due()
    time_machine.shift(datetime.timedelta(minutes=5))
    theirs = book(clinic_a, sibling, start=VISIT + datetime.timedelta(hours=3))
    deliver_due()

    inbound = reply("X")

    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert (mine.status, theirs.status) == ("booked", "booked")
    assert (inbound.handled_as, inbound.needs_attention) == ("unrecognized", True)
    assert (inbound.organization_id, inbound.patient_id) == (patient.organization_id, None)
    assert pending_sms(patient) == pending_sms(sibling) == []


def test_one_patients_reply_acts_on_the_visit_of_the_latest_asking_message(
    clinic_a, patient, time_machine
):
    first = book(clinic_a, patient)
    deliver_due()
    time_machine.shift(datetime.timedelta(minutes=5))
    second = book(clinic_a, patient, start=VISIT + datetime.timedelta(days=1))
    deliver_due()

    reply("C")

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.confirmed_at, second.confirmed_via) == (None, "sms")


def test_a_shared_phone_with_one_open_visit_acts_on_it(clinic_a, patient, time_machine):
    sibling = reachable_patient(clinic_a.organization, mrn="M-2", given_name="Luz")
    mine = book(clinic_a, patient)
    deliver_due()
    time_machine.shift(datetime.timedelta(minutes=5))
    theirs = book(clinic_a, sibling, start=VISIT + datetime.timedelta(hours=3))
    deliver_due()
    reply("X")  # needs a person: both visits are open
    appointment_cancel(appointment=mine, actor=None, reason="called the clinic")

    inbound = reply("C")

    theirs.refresh_from_db()
    assert theirs.confirmed_via == "sms"
    assert (inbound.handled_as, inbound.patient_id) == ("confirm", sibling.pk)


def test_reschedule_offers_three_numbered_times_and_a_number_books_one(appointment, patient):
    inbound = reply("R")

    assert inbound.handled_as == "reschedule_request"
    offer = RescheduleOffer.objects.get(appointment=appointment)
    options = list(offer.options.all())
    assert [o.number for o in options] == [1, 2, 3]
    (message,) = pending_sms(patient)
    assert message.kind == "reschedule_options"
    assert "2) Monday Nov. 30, 2026 9:15 a.m., Dr. Ana Okafor, Clinic A Main" in message.body_text
    deliver_due()

    chosen = reply("2")

    appointment.refresh_from_db()
    assert chosen.handled_as == "option_choice"
    assert appointment.start == options[1].start
    assert appointment.start.astimezone(NEW_YORK).time() == datetime.time(9, 15)
    assert [m.kind for m in pending_sms(patient)] == ["update"]


def test_a_time_taken_meanwhile_gets_fresh_options(appointment, patient, clinic_a):
    reply("R")
    deliver_due()
    taken = RescheduleOffer.objects.get().options.get(number=1)
    book(clinic_a, reachable_patient(clinic_a.organization, mrn="M-3"), start=taken.start)

    reply("1")

    appointment.refresh_from_db()
    assert appointment.start == VISIT
    fresh = messages_about(appointment, kind="reschedule_options", status="pending")
    assert len(fresh) == 1 and "that time was just taken" in fresh[0].body_text
    assert RescheduleOffer.objects.filter(closed_at__isnull=True).count() == 1


def test_spanish_reschedule_gets_spanish_options(clinic_a, org_a):
    patient = reachable_patient(org_a, preferred_language="es", mrn="M-4")
    book(clinic_a, patient)
    deliver_due()

    reply("cambiar")

    (message,) = pending_sms(patient)
    assert "responda con el número" in message.body_text
    assert "1) lunes 30 de noviembre de 2026 09:00" in message.body_text


def test_a_language_without_wording_gets_english_dates_too(clinic_a, org_a):
    patient = reachable_patient(org_a, preferred_language="ar", mrn="M-4")
    appointment = book(clinic_a, patient)
    [confirmation] = messages_about(appointment, kind="confirmation")
    deliver_due()

    reply("R")

    assert "booked for Thursday Dec. 10, 2026 at 10 a.m. with" in confirmation.body_text
    (message,) = pending_sms(patient)
    assert "1) Monday Nov. 30, 2026 9 a.m., Dr. Ana Okafor" in message.body_text


@pytest.mark.parametrize("number", ["7", "99999999999999999999999"])
def test_a_number_the_options_do_not_have_gets_them_again(appointment, patient, number):
    reply("R")
    deliver_due()

    chosen = reply(number)

    appointment.refresh_from_db()
    assert chosen.handled_as == "option_choice"
    assert appointment.start == VISIT
    assert [m.kind for m in pending_sms(patient)] == ["reschedule_options"]


def test_a_number_without_open_options_goes_to_the_inbox(appointment):
    assert reply("2").needs_attention


def test_a_reply_about_a_cancelled_visit_is_answered_and_kept_for_a_person(appointment, patient):
    reply("X")
    deliver_due()

    inbound = reply("C")

    assert inbound.needs_attention
    assert "can no longer be changed" in pending_sms(patient)[-1].body_text


def test_an_unknown_number_is_kept_without_a_clinic(db):
    inbound = reply("C", from_address="+15005550006")

    assert (inbound.organization_id, inbound.needs_attention) == (None, True)


def test_a_webhook_retry_is_handled_once(appointment, patient):
    inbound = inbound_record(
        channel="sms", from_address=PHONE, to_address="", body="C", provider_message_id="SMdup"
    )
    sms_reply_handle(inbound=inbound)
    again = inbound_record(
        channel="sms", from_address=PHONE, to_address="", body="C", provider_message_id="SMdup"
    )

    sms_reply_handle(inbound=again)

    assert len(pending_sms(patient)) == 1


def test_stop_is_left_to_the_outbox(appointment, patient):
    inbound = reply("STOP")

    patient.refresh_from_db()
    assert inbound.handled_as == "opt_out" and not inbound.needs_attention
    assert patient.sms_opted_out_at is not None


def test_options_skip_times_the_patient_has_another_visit(appointment, patient, clinic_a):
    other_practitioner = practitioner_create(
        organization=clinic_a.organization, given_name="Li", family_name="Wei"
    )
    practitioner_role_create(practitioner=other_practitioner, location=clinic_a.location)
    for weekday in range(5):
        availability_rule_create(
            practitioner=other_practitioner,
            location=clinic_a.location,
            weekday=weekday,
            start_time=datetime.time(9),
            end_time=datetime.time(17),
        )
    monday_nine = datetime.datetime(2026, 11, 30, 9, 0, tzinfo=NEW_YORK)
    book(clinic_a, patient, start=monday_nine, practitioner=other_practitioner)

    reply("R")

    starts = [o.start for o in RescheduleOffer.objects.get(appointment=appointment).options.all()]
    assert [s.astimezone(NEW_YORK).time() for s in starts] == [
        datetime.time(9, 30),
        datetime.time(9, 45),
        datetime.time(10, 0),
    ]
