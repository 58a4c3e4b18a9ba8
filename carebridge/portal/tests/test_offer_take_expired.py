"""Taking a waitlist offer from a page opened before the offer ran out."""

import datetime
import re

import pytest

from carebridge.scheduling.models import Appointment
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.backfill import backfill_advance, offer_url
from carebridge.scheduling.tests.messaging import NOW, VISIT, book, reachable_patient
from carebridge.scheduling.tests.waitlisting import offers_of, waiting

HOLD = datetime.timedelta(minutes=30)


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def offer(clinic_a):
    entry = waiting(clinic_a, 1)
    visit = book(clinic_a, reachable_patient(clinic_a.organization, mrn="V-1"))
    appointment_cancel(appointment=visit, actor=None, reason="away")
    return offers_of(entry)[0]


def path(offer) -> str:
    return re.sub(r"^https?://[^/]+", "", offer_url(offer))


def test_an_expired_offer_says_it_has_ended(client, offer, time_machine):
    time_machine.move_to(NOW + HOLD, tick=False)
    backfill_advance()

    response = client.post(path(offer) + "take/")

    html = response.content.decode()
    assert response.status_code == 409
    assert "This offer has ended" in html and "just taken" not in html
    assert not Appointment.objects.filter(start=VISIT, status="booked").exists()
    offer.refresh_from_db()
    assert offer.status == "expired"
