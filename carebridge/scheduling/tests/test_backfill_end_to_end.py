"""A cancellation is refilled from the waitlist without anyone touching it: the patient
cancels by text, the waiting patients get offers, one answers YES, the others hear it is
taken; when nobody answers, the job offers the slot to the next ones."""

import datetime
import itertools

import pytest

from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.services.inbound import inbound_record
from carebridge.scheduling.models import Appointment, BackfillSlot, WaitlistPolicy
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.backfill import backfill_advance
from carebridge.scheduling.services.replies import sms_reply_handle
from carebridge.scheduling.tests.messaging import (
    NOW,
    VISIT,
    book,
    deliver_due,
    reachable_patient,
    use_file_gateways,
)
from carebridge.scheduling.tests.waitlisting import offers_of, waiting

SIDS = itertools.count(1)


@pytest.fixture(autouse=True)
def setting(settings, tmp_path, time_machine):
    use_file_gateways(settings, tmp_path)
    time_machine.move_to(NOW, tick=False)


def text(from_address: str, body: str) -> None:
    inbound = inbound_record(
        channel="sms",
        from_address=from_address,
        to_address="+16175550000",
        body=body,
        provider_message_id=f"SM{next(SIDS):032d}",
    )
    sms_reply_handle(inbound=inbound)


def sent_to(phone: str) -> list[str]:
    return list(
        OutboundMessage.objects.filter(to_address=phone, status="sent")
        .order_by("sent_at", "pk")
        .values_list("kind", flat=True)
    )


def test_a_cancelled_visit_is_refilled_by_text(clinic_a):
    canceller = reachable_patient(clinic_a.organization, mrn="C-1", phone_mobile="+16175550150")
    visit = book(clinic_a, canceller)
    waiting(clinic_a, 1)
    second = waiting(clinic_a, 2)
    deliver_due()

    text("+16175550150", "cancel")
    deliver_due()
    text("+16175551002", "yes")
    deliver_due()

    visit.refresh_from_db()
    second.refresh_from_db()
    assert visit.status == "cancelled"
    assert (second.status, second.appointment.start) == ("booked", VISIT)
    assert sent_to("+16175551002")[-1] == "offer_won"
    assert sent_to("+16175551001")[-2:] == ["offer", "offer_taken"]
    assert BackfillSlot.objects.get().status == "filled"


def test_offers_nobody_answers_cascade_to_the_next_patient(clinic_a, time_machine):
    WaitlistPolicy.objects.create(organization=clinic_a.organization, batch_size=1)
    entries = [waiting(clinic_a, n) for n in (1, 2)]
    visit = book(clinic_a, reachable_patient(clinic_a.organization, mrn="C-1"))
    appointment_cancel(appointment=visit, actor=None, reason="away")
    deliver_due()
    time_machine.move_to(NOW + datetime.timedelta(minutes=30), tick=False)

    backfill_advance()
    deliver_due()
    text("+16175551001", "yes")  # too late: the hold ran out
    text("+16175551002", "si")

    assert [o.status for e in entries for o in offers_of(e)] == ["expired", "accepted"]
    assert Appointment.objects.get(start=VISIT, status="booked").patient == entries[1].patient
    assert OutboundMessage.objects.filter(to_address="+16175551001", kind="offer_taken").exists()
