"""Other times offered to a patient stop counting once the visit changes at the desk."""

import datetime

import pytest

from carebridge.core.errors import Conflict
from carebridge.notifications.services.inbound import inbound_record
from carebridge.scheduling.models import RescheduleOffer
from carebridge.scheduling.services.appointments import appointment_cancel, appointment_reschedule
from carebridge.scheduling.services.replies import (
    reschedule_offer_choose,
    reschedule_offer_make,
    sms_reply_handle,
)
from carebridge.scheduling.tests.messaging import (
    NOW,
    VISIT,
    book,
    deliver_due,
    reachable_patient,
    use_file_gateways,
)


@pytest.fixture(autouse=True)
def monday(settings, tmp_path, time_machine):
    use_file_gateways(settings, tmp_path)
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def appointment(clinic_a):
    return book(clinic_a, reachable_patient(clinic_a.organization))


@pytest.fixture
def offer(appointment):
    return reschedule_offer_make(appointment=appointment)


def test_a_desk_move_closes_the_open_offer(appointment, offer, coordinator_a):
    desk_start = offer.options.get(number=2).start

    appointment_reschedule(appointment=appointment, actor=coordinator_a, start=desk_start)

    offer.refresh_from_db()
    assert offer.closed_at == NOW and offer.chosen_number is None
    with pytest.raises(Conflict):
        reschedule_offer_choose(offer=offer, number=1)
    appointment.refresh_from_db()
    assert appointment.start == desk_start


def test_a_cancellation_closes_the_open_offer(appointment, offer, coordinator_a):
    appointment_cancel(appointment=appointment, actor=coordinator_a, reason="clinic closed")

    offer.refresh_from_db()
    assert offer.closed_at == NOW


def test_the_patients_own_choice_is_recorded_on_the_offer(appointment, offer):
    chosen = offer.options.get(number=1)

    moved = reschedule_offer_choose(offer=offer, number=1)

    offer.refresh_from_db()
    assert moved.start == chosen.start
    assert (offer.closed_at, offer.chosen_number) == (NOW, 1)


def test_a_desk_move_leaves_other_visits_offers_open(clinic_a, appointment, offer, coordinator_a):
    patient = reachable_patient(clinic_a.organization, mrn="M-2")
    other = book(clinic_a, patient, start=VISIT + datetime.timedelta(hours=1))
    other_offer = reschedule_offer_make(appointment=other)

    appointment_reschedule(
        appointment=appointment, actor=coordinator_a, start=offer.options.get(number=2).start
    )

    assert RescheduleOffer.objects.get(pk=other_offer.pk).closed_at is None


def test_a_texted_number_after_a_desk_move_is_left_to_the_desk(appointment, coordinator_a):
    deliver_due()  # the confirmation goes out and asks for an answer
    text = {"channel": "sms", "from_address": "+16175550199", "to_address": "+16175550000"}
    sms_reply_handle(inbound=inbound_record(**text, body="R", provider_message_id="SM1"))
    deliver_due()
    desk_start = RescheduleOffer.objects.get().options.get(number=2).start
    appointment_reschedule(appointment=appointment, actor=coordinator_a, start=desk_start)

    inbound = inbound_record(**text, body="1", provider_message_id="SM2")
    inbound = sms_reply_handle(inbound=inbound)

    appointment.refresh_from_db()
    assert appointment.start == desk_start
    assert (inbound.handled_as, inbound.needs_attention) == ("unrecognized", True)
