"""What the patient receives when a visit is booked, moved, cancelled or progressed."""

import datetime

import pytest
from django.core import mail
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from icalendar import Calendar

from carebridge.notifications.constants import MessageStatus
from carebridge.notifications.models import OutboundMessage
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.services.appointments import (
    appointment_cancel,
    appointment_reschedule,
    appointment_transition,
)
from carebridge.scheduling.services.messages import appointment_messages_wanted, start_stamp
from carebridge.scheduling.services.reminders import reminder_policy_set
from carebridge.scheduling.tests.messaging import (
    NEW_YORK,
    NOW,
    VISIT,
    book,
    deliver_due,
    messages_about,
    reachable_patient,
    sweep,
    use_file_gateways,
)

UTC = datetime.UTC
# Monday 30 November 2026, 15:00 in Boston: the day of NOW.
TODAY_AT_3 = datetime.datetime(2026, 11, 30, 15, 0, tzinfo=NEW_YORK)


def hours(count: int) -> datetime.timedelta:
    return datetime.timedelta(hours=count)


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


def kinds(messages):
    return [(m.kind, m.channel, m.status) for m in messages]


def calendar_event(message: OutboundMessage):
    calendar = Calendar.from_ical(message.calendar)
    return calendar["METHOD"], calendar.walk("VEVENT")[0]


def test_booking_sends_a_confirmation_now_and_each_reminder_is_queued_a_day_ahead(clinic_a):
    appointment = book(clinic_a, reachable_patient(clinic_a.organization))

    [confirmation] = messages_about(appointment)
    assert (confirmation.kind, confirmation.channel, confirmation.due_at) == (
        "confirmation",
        "sms",
        NOW,
    )
    assert confirmation.to_address == "+16175550199"
    assert "Reply C to confirm" in confirmation.body_text
    for offset in (datetime.timedelta(days=7), datetime.timedelta(days=2), hours(2)):
        assert sweep(VISIT - offset - datetime.timedelta(days=1, minutes=1)) == 0
        assert sweep(VISIT - offset - datetime.timedelta(days=1)) == 1
    messages = messages_about(appointment)
    assert [(m.kind, m.channel) for m in messages] == [("confirmation", "sms")] + [
        ("reminder", "sms")
    ] * 3
    assert [m.due_at.astimezone(NEW_YORK) for m in messages[1:]] == [
        VISIT - datetime.timedelta(days=7),
        VISIT - datetime.timedelta(days=2),
        VISIT - hours(2),
    ]
    assert {m.topic_stamp for m in messages} == {start_stamp(appointment)}


def test_a_visit_within_a_day_gets_its_reminders_with_the_booking(clinic_a):
    # Monday 30 November, 07:00: the visit at 15:00 is reminded of at 13:00
    appointment = book(clinic_a, reachable_patient(clinic_a.organization), start=TODAY_AT_3)

    assert [(m.kind, m.due_at) for m in messages_about(appointment)] == [
        ("confirmation", NOW),
        ("reminder", TODAY_AT_3 - hours(2)),
    ]
    assert sweep(NOW) == 0


def test_booking_writes_its_confirmation_and_reminders_in_one_insert(clinic_a):
    patient = reachable_patient(clinic_a.organization)

    with CaptureQueriesContext(connection) as queries:
        appointment = book(clinic_a, patient, start=TODAY_AT_3)

    table = OutboundMessage._meta.db_table
    inserts = [q for q in queries if q["sql"].startswith(f'INSERT INTO "{table}"')]
    assert len(inserts) == 1
    assert len(messages_about(appointment)) == 2


def test_email_messages_carry_the_calendar_event(clinic_a):
    patient = reachable_patient(clinic_a.organization, preferred_channel="email")

    appointment = book(clinic_a, patient)

    confirmation = messages_about(appointment, kind="confirmation")[0]
    assert (confirmation.channel, confirmation.to_address) == ("email", "rosa@example.org")
    method, event = calendar_event(confirmation)
    assert (method, event["SEQUENCE"]) == ("REQUEST", 1)
    assert str(event["UID"]) == f"{appointment.public_id}@carebridge"
    assert event.decoded("DTSTART") == VISIT.astimezone(UTC)
    assert "/p/e/" in confirmation.body_text  # the email opt-out link
    assert "/p/e/" in confirmation.unsubscribe_url  # and the List-Unsubscribe header
    sweep(VISIT - datetime.timedelta(days=8))
    reminder = messages_about(appointment, kind="reminder")[0]
    assert calendar_event(reminder)[0] == "REQUEST"


def test_spanish_patient_gets_spanish_local_time(clinic_a):
    patient = reachable_patient(clinic_a.organization, preferred_language="es-MX")

    appointment = book(clinic_a, patient)

    body = messages_about(appointment, kind="confirmation")[0].body_text
    assert "jueves 10 de diciembre de 2026 a las 10:00" in body.lower()


def test_policy_can_turn_off_the_confirmation(clinic_a):
    reminder_policy_set(
        organization=clinic_a.organization,
        actor=None,
        offsets=[datetime.timedelta(days=1)],
        confirm_on_booking=False,
    )

    appointment = book(clinic_a, reachable_patient(clinic_a.organization))
    sweep(VISIT - datetime.timedelta(days=2))

    assert [(m.kind, m.due_at) for m in messages_about(appointment)] == [
        ("reminder", VISIT - datetime.timedelta(days=1))
    ]


def test_visit_type_policy_replaces_the_organizations(clinic_a):
    organization = clinic_a.organization
    reminder_policy_set(organization=organization, actor=None, offsets=[datetime.timedelta(3)])
    reminder_policy_set(
        organization=organization,
        actor=None,
        visit_type=clinic_a.visit_type,
        offsets=[datetime.timedelta(hours=20)],
    )

    appointment = book(clinic_a, reachable_patient(organization))
    sweep(VISIT - datetime.timedelta(days=4))
    sweep(VISIT - datetime.timedelta(days=1))

    assert [m.due_at for m in messages_about(appointment, kind="reminder")] == [
        VISIT - datetime.timedelta(hours=20)
    ]


def test_patient_without_consent_gets_nothing(clinic_a):
    patient = reachable_patient(clinic_a.organization, consent_sms=False, consent_email=False)

    appointment = book(clinic_a, patient)

    assert messages_about(appointment) == []


def test_without_sms_consent_messages_fall_back_to_email(clinic_a):
    patient = reachable_patient(clinic_a.organization, consent_sms=False)

    appointment = book(clinic_a, patient)

    assert {m.channel for m in messages_about(appointment)} == {"email"}


def test_do_not_contact_means_no_messages(clinic_a):
    patient = reachable_patient(clinic_a.organization, preferred_channel="none")

    assert messages_about(book(clinic_a, patient)) == []


def test_a_booking_that_rolls_back_leaves_no_message(clinic_a):
    patient = reachable_patient(clinic_a.organization)

    with pytest.raises(RuntimeError), transaction.atomic():
        book(clinic_a, patient)
        raise RuntimeError("the caller fails after booking")

    assert Appointment.objects.count() == 0
    assert OutboundMessage.objects.filter(topic_type="appointment").count() == 0


def test_reschedule_withdraws_the_old_messages_and_sends_an_update(clinic_a):
    appointment = book(
        clinic_a, reachable_patient(clinic_a.organization, preferred_channel="email")
    )
    sweep(VISIT - datetime.timedelta(days=8))
    old = messages_about(appointment)
    assert [m.kind for m in old] == ["confirmation", "reminder"]

    appointment_reschedule(appointment=appointment, actor=None, start=TODAY_AT_3)

    assert {m.status for m in OutboundMessage.objects.filter(pk__in=[m.pk for m in old])} == {
        MessageStatus.WITHDRAWN
    }
    fresh = messages_about(appointment, status=MessageStatus.PENDING)
    assert [(m.kind, m.due_at) for m in fresh] == [
        ("update", NOW),
        ("reminder", TODAY_AT_3 - hours(2)),
    ]
    assert {m.topic_stamp for m in fresh} == {start_stamp(appointment)}
    method, event = calendar_event(fresh[0])
    assert (method, event["SEQUENCE"]) == ("REQUEST", 2)
    assert str(event["UID"]) == f"{appointment.public_id}@carebridge"


def test_cancel_withdraws_reminders_and_sends_a_notice_that_goes_out(clinic_a, settings, tmp_path):
    use_file_gateways(settings, tmp_path)
    appointment = book(
        clinic_a, reachable_patient(clinic_a.organization, preferred_channel="email")
    )
    sweep(VISIT - datetime.timedelta(days=8))

    appointment_cancel(appointment=appointment, actor=None, reason="practitioner away")
    deliver_due()

    assert kinds(messages_about(appointment)) == [
        ("confirmation", "email", "withdrawn"),
        ("cancellation", "email", "sent"),
        ("reminder", "email", "withdrawn"),
    ]
    method, event = calendar_event(messages_about(appointment, kind="cancellation")[0])
    assert (method, str(event["STATUS"]), event["SEQUENCE"]) == ("CANCEL", "CANCELLED", 2)
    assert [m.subject for m in mail.outbox] == [
        "Your visit at Clinic A on Thursday Dec. 10, 2026 is cancelled"
    ]


def test_entered_in_error_withdraws_everything_queued(clinic_a):
    appointment = book(clinic_a, reachable_patient(clinic_a.organization))

    appointment_transition(appointment=appointment, actor=None, status="entered-in-error")

    assert {m.status for m in messages_about(appointment)} == {MessageStatus.WITHDRAWN}


def test_no_show_withdraws_the_reminders_not_yet_sent(clinic_a, time_machine):
    appointment = book(clinic_a, reachable_patient(clinic_a.organization))
    sweep(VISIT - datetime.timedelta(days=1))
    time_machine.move_to(VISIT + datetime.timedelta(minutes=20), tick=False)

    appointment_transition(appointment=appointment, actor=None, status="noshow")

    assert {m.status for m in messages_about(appointment, kind="reminder")} == {
        MessageStatus.WITHDRAWN
    }


def test_pending_visit_is_confirmed_when_it_becomes_booked(clinic_a):
    appointment = book(clinic_a, reachable_patient(clinic_a.organization), status="pending")
    assert messages_about(appointment) == []

    appointment_transition(appointment=appointment, actor=None, status="booked")

    assert [m.kind for m in messages_about(appointment)] == ["confirmation"]


def test_imported_and_past_visits_get_no_confirmation(clinic_a):
    patient = reachable_patient(clinic_a.organization)
    imported = book(clinic_a, patient, channel="import")
    friday = datetime.datetime(2026, 11, 27, 10, 0, tzinfo=NEW_YORK)
    past = book(clinic_a, patient, start=friday, allow_past=True)

    assert messages_about(imported) == messages_about(past) == []
    sweep(VISIT - datetime.timedelta(days=3))
    assert [m.kind for m in messages_about(imported)] == ["reminder"]
    assert messages_about(past) == []


def test_relevance_drops_messages_for_a_moved_or_cancelled_visit(clinic_a):
    appointment = book(clinic_a, reachable_patient(clinic_a.organization))
    topic_id, stamp = str(appointment.public_id), start_stamp(appointment)
    pairs = [(topic_id, stamp), (topic_id, "2026-12-09T15:00:00+00:00"), (topic_id, "cancelled")]

    assert appointment_messages_wanted(pairs) == {(topic_id, stamp)}
    appointment_cancel(appointment=appointment, actor=None, reason="flu")
    assert appointment_messages_wanted(pairs) == {(topic_id, "cancelled")}
    assert appointment_messages_wanted([("unknown", stamp)]) == set()


def test_reminder_queued_for_an_old_time_is_withdrawn_at_delivery(
    clinic_a, settings, tmp_path, time_machine
):
    use_file_gateways(settings, tmp_path)
    appointment = book(clinic_a, reachable_patient(clinic_a.organization))
    sweep(VISIT - datetime.timedelta(days=8))
    # the visit moves without the service (as a bulk fix would), leaving stale reminders
    hour = datetime.timedelta(hours=1)
    Appointment.objects.filter(pk=appointment.pk).update(start=VISIT + hour, end=VISIT + 2 * hour)
    time_machine.move_to(VISIT - datetime.timedelta(days=7), tick=False)

    deliver_due()

    statuses = [m.status for m in messages_about(appointment)]
    assert statuses[:2] == [MessageStatus.WITHDRAWN, MessageStatus.WITHDRAWN]
