"""Patients accepting offers of the same freed slot at the same instant, over real
connections, on either database: exactly one gets it."""

import datetime
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import connection

from carebridge.scheduling.models import Appointment, BackfillSlot, WaitlistOffer
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.waitlist import waitlist_offer_accept
from carebridge.scheduling.tests.messaging import NOW, VISIT, book, reachable_patient
from carebridge.scheduling.tests.waitlisting import mark_sent, offer_messages, waiting

# Freed starts on one Thursday (the practitioner breaks at noon).
STARTS = [VISIT + datetime.timedelta(hours=h) for h in (0, 1, 3, 4)]
pytestmark = [pytest.mark.race, pytest.mark.django_db(transaction=True)]


def _race(offers):
    """Each offer accepted on its own thread, all released together; who won."""
    barrier = threading.Barrier(len(offers))

    def accept(offer):
        try:
            barrier.wait()
            return waitlist_offer_accept(offer=offer, via="link").won
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=len(offers)) as pool:
        return list(pool.map(accept, offers))


def test_simultaneous_acceptances_of_one_slot_have_exactly_one_winner(clinic_a, time_machine):
    time_machine.move_to(NOW, tick=False)
    for n in range(1, 3 * len(STARTS) + 1):
        waiting(clinic_a, n)
    for round_number, start in enumerate(STARTS):
        visit = book(
            clinic_a, reachable_patient(clinic_a.organization, mrn=f"V-{round_number}"), start
        )
        appointment_cancel(appointment=visit, actor=None, reason="away")
        slot = BackfillSlot.objects.get(start=start)
        offers = list(slot.offers.select_related("entry__patient", "slot"))
        assert len(offers) == 3
        for offer in offers:
            mark_sent(*offer_messages(offer))

        outcomes = _race(offers)

        assert sorted(outcomes) == [False, False, True]
        booked = Appointment.objects.filter(start=start, status="booked")
        assert booked.count() == 1
        slot.refresh_from_db()
        assert (slot.status, slot.appointment) == ("filled", booked.get())
        statuses = sorted(WaitlistOffer.objects.filter(slot=slot).values_list("status", flat=True))
        assert statuses == ["accepted", "taken", "taken"]
        for offer, won in zip(offers, outcomes, strict=True):
            assert [m.kind for m in offer_messages(offer)] == ["offer"] + (
                [] if won else ["offer_taken"]
            )
