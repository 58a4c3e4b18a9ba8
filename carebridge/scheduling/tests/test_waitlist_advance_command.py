"""`carebridge advance_waitlist`: the waitlist job, once, for one clinic or all."""

import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from carebridge.scheduling.models import WaitlistPolicy
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.tests.messaging import NOW, book, reachable_patient
from carebridge.scheduling.tests.waitlisting import offers_of, waiting


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_expired_offers_cascade_for_the_named_clinic(clinic_a, clinic_b, time_machine):
    WaitlistPolicy.objects.create(organization=clinic_a.organization, batch_size=1)
    first, second = waiting(clinic_a, 1), waiting(clinic_a, 2)
    visit = book(clinic_a, reachable_patient(clinic_a.organization, mrn="V-1"))
    appointment_cancel(appointment=visit, actor=None, reason="away")
    time_machine.move_to(NOW + datetime.timedelta(minutes=30), tick=False)
    out = io.StringIO()

    call_command("advance_waitlist", "--org", "clinic-a", stdout=out)

    assert out.getvalue().strip() == (
        "offers expired=1 offers made=1 slots expired=0 entries expired=0"
    )
    assert offers_of(first)[0].status == "expired" and offers_of(second)[0].status == "open"


def test_an_unknown_clinic_is_a_one_line_error(db):
    with pytest.raises(CommandError, match="no clinic with slug"):
        call_command("advance_waitlist", "--org", "nowhere")
