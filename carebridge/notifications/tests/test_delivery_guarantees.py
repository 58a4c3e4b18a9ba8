"""What the outbox promises around the changes that cause messages: a booking that rolls
back sends nothing, and a visit cancelled or moved after its message was queued does not
get that message."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import transaction

from carebridge.notifications.constants import MessageStatus
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.services.delivery import outbox_drain
from carebridge.notifications.services.outbox import Topic
from carebridge.notifications.tests.conftest import WORKER, enqueue
from carebridge.scheduling.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from carebridge.scheduling.services.messages import TOPIC_TYPE, visit_topic

pytestmark = pytest.mark.django_db
BOSTON = ZoneInfo("America/New_York")
TUESDAY_10 = datetime.datetime(2026, 3, 3, 10, tzinfo=BOSTON)


@pytest.fixture(autouse=True)
def monday_morning():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 8, tzinfo=BOSTON), tick=False):
        yield


def book(clinic, patient, start=TUESDAY_10):
    return appointment_book(
        organization=clinic.organization,
        actor=None,
        patient=patient,
        practitioner=clinic.practitioner,
        location=clinic.location,
        visit_type=clinic.visit_type,
        start=start,
    )


def book_and_announce(clinic, patient):
    """A booking and a message about it, in one transaction, as a booking service does."""
    with transaction.atomic():
        appointment = book(clinic, patient)
        message = enqueue(clinic.organization, patient=patient, topic=visit_topic(appointment))
    return appointment, message


def test_a_booking_that_commits_sends_its_message(clinic_a, consenting_patient, gateway):
    _, message = book_and_announce(clinic_a, consenting_patient)

    outbox_drain(worker=WORKER)

    assert message.idempotency_key in gateway.keys


def test_a_booking_that_rolls_back_sends_nothing(clinic_a, consenting_patient, gateway):
    with pytest.raises(RuntimeError), transaction.atomic():
        book_and_announce(clinic_a, consenting_patient)
        raise RuntimeError("something after the booking failed")

    assert not OutboundMessage.objects.exists()
    assert outbox_drain(worker=WORKER).claimed == 0
    assert gateway.sent == []


def test_a_visit_cancelled_after_its_reminder_was_queued_gets_no_reminder(
    clinic_a, consenting_patient, gateway
):
    appointment, reminder = book_and_announce(clinic_a, consenting_patient)
    appointment_cancel(appointment=appointment, actor=None, reason="practitioner away")

    outbox_drain(worker=WORKER)

    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.WITHDRAWN
    assert reminder.idempotency_key not in gateway.keys


def test_a_visit_moved_after_its_reminder_was_queued_gets_no_reminder_for_the_old_time(
    clinic_a, consenting_patient, gateway
):
    appointment, reminder = book_and_announce(clinic_a, consenting_patient)
    appointment_reschedule(
        appointment=appointment, actor=None, start=TUESDAY_10 + datetime.timedelta(hours=1)
    )

    outbox_drain(worker=WORKER)

    reminder.refresh_from_db()
    assert reminder.status == MessageStatus.WITHDRAWN
    assert reminder.idempotency_key not in gateway.keys


def test_the_visits_checker_withdraws_a_message_stamped_with_another_time(
    clinic_a, consenting_patient, gateway
):
    appointment = book(clinic_a, consenting_patient)
    current = enqueue(clinic_a.organization, topic=visit_topic(appointment))
    stale = enqueue(
        clinic_a.organization,
        topic=Topic(TOPIC_TYPE, str(appointment.public_id), "2026-03-03T14:00:00+00:00"),
    )

    report = outbox_drain(worker=WORKER)

    assert report.withdrawn >= 1
    stale.refresh_from_db()
    assert stale.status == MessageStatus.WITHDRAWN
    assert current.idempotency_key in gateway.keys
    assert stale.idempotency_key not in gateway.keys
