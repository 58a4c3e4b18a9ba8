"""What is queued about a patient's visits follows the patient's contact details: a new
number, another channel, another language, an opt-out, or details added after booking."""

import datetime

import pytest
from icalendar import Calendar

from carebridge.notifications.constants import READDRESSED_REASON, MessageStatus
from carebridge.notifications.models import OutboundMessage
from carebridge.patients.services import (
    patient_contact_opt_in,
    patient_contact_opt_out,
    patient_create,
    patient_update,
)
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.reminders import reminder_policy_set
from carebridge.scheduling.tests.messaging import (
    VISIT,
    book,
    messages_about,
    reachable_patient,
)

PENDING, WITHDRAWN = MessageStatus.PENDING, MessageStatus.WITHDRAWN


@pytest.fixture(autouse=True)
def day_before_the_visit(time_machine, org_a):
    """A day before the visit, with reminders 20, 18 and 2 hours before it: the booking
    queues all three (they are due within a day), so each test sees them follow."""
    time_machine.move_to(VISIT - datetime.timedelta(days=1), tick=False)
    reminder_policy_set(
        organization=org_a,
        actor=None,
        offsets=[datetime.timedelta(hours=hours) for hours in (20, 18, 2)],
    )


def pending(appointment):
    return messages_about(appointment, status=PENDING)


def update(patient, **fields):
    return patient_update(patient=patient, actor=None, fields=fields)


def test_a_new_mobile_number_takes_the_queued_reminders_with_it(clinic_a):
    patient = reachable_patient(clinic_a.organization)
    appointment = book(clinic_a, patient)
    before = pending(appointment)

    update(patient, phone_mobile="+1 617 555 0142")

    after = pending(appointment)
    assert [(m.kind, m.channel, m.to_address) for m in after] == [
        (m.kind, "sms", "+16175550142") for m in before
    ]
    assert [m.due_at for m in after] == [m.due_at for m in before]
    old = OutboundMessage.objects.filter(pk__in=[m.pk for m in before])
    assert {(m.status, m.last_error, m.to_address) for m in old} == {
        (WITHDRAWN, READDRESSED_REASON, "+16175550199")
    }


def test_messages_already_sent_or_being_sent_are_left_as_they_are(clinic_a):
    patient = reachable_patient(clinic_a.organization)
    appointment = book(clinic_a, patient)
    confirmation, first_reminder, *_ = messages_about(appointment)
    OutboundMessage.objects.filter(pk=confirmation.pk).update(status=MessageStatus.SENT)
    OutboundMessage.objects.filter(pk=first_reminder.pk).update(status=MessageStatus.SENDING)

    update(patient, phone_mobile="+1 617 555 0142")

    confirmation.refresh_from_db()
    first_reminder.refresh_from_db()
    assert (confirmation.status, confirmation.to_address) == ("sent", "+16175550199")
    assert (first_reminder.status, first_reminder.to_address) == ("sending", "+16175550199")
    assert [m.kind for m in pending(appointment)] == ["reminder", "reminder"]


def test_a_new_language_rewords_the_queued_reminders(clinic_a):
    patient = reachable_patient(clinic_a.organization)
    appointment = book(clinic_a, patient)
    assert "Reply C to confirm" in pending(appointment)[-1].body_text

    update(patient, preferred_language="es")

    spanish = pending(appointment)
    assert {m.language for m in spanish} == {"es"}
    assert "Responda SI para confirmar" in spanish[-1].body_text


def test_preferring_email_moves_them_to_email_with_the_calendar_invitation(clinic_a):
    patient = reachable_patient(clinic_a.organization)
    appointment = book(clinic_a, patient)

    update(patient, preferred_channel="email")

    messages = pending(appointment)
    assert {(m.channel, m.to_address) for m in messages} == {("email", "rosa@example.org")}
    calendar = Calendar.from_ical(messages[-1].calendar)
    assert calendar["METHOD"] == "REQUEST"
    assert str(calendar.walk("VEVENT")[0]["UID"]) == f"{appointment.public_id}@carebridge"


def test_a_text_opt_out_falls_back_to_email(clinic_a):
    patient = reachable_patient(clinic_a.organization)
    appointment = book(clinic_a, patient)

    patient_contact_opt_out(patient=patient, channel="sms")

    assert {m.channel for m in pending(appointment)} == {"email"}
    assert len(pending(appointment)) == 4


def test_opting_in_again_brings_them_back_to_texts(clinic_a):
    patient = reachable_patient(clinic_a.organization)
    appointment = book(clinic_a, patient)
    patient_contact_opt_out(patient=patient, channel="sms")

    patient_contact_opt_in(patient=patient, channel="sms")

    assert {m.channel for m in pending(appointment)} == {"sms"}
    assert len(pending(appointment)) == 4


def test_a_patient_who_may_not_be_contacted_gets_nothing_more(clinic_a):
    patient = reachable_patient(clinic_a.organization)
    appointment = book(clinic_a, patient)

    update(patient, preferred_channel="none")

    assert pending(appointment) == []
    assert {m.status for m in messages_about(appointment)} == {WITHDRAWN}


def test_other_changes_leave_the_queue_alone(clinic_a):
    patient = reachable_patient(clinic_a.organization)
    appointment = book(clinic_a, patient)
    before = [m.pk for m in pending(appointment)]

    update(patient, address_line="12 Elm Street", consent_email=False)

    assert [m.pk for m in pending(appointment)] == before


def test_a_visit_booked_before_the_patient_could_be_reached_gets_its_messages(clinic_a):
    patient = patient_create(
        organization=clinic_a.organization,
        actor=None,
        fields={
            "given_name": "Ana",
            "family_name": "Ruiz",
            "birth_date": datetime.date(1980, 1, 2),
            "mrn": "M-9",
        },
    )
    appointment = book(clinic_a, patient)
    assert messages_about(appointment) == []

    update(patient, phone_mobile="+1 617 555 0123", consent_sms=True)

    assert [(m.kind, m.to_address) for m in pending(appointment)] == [
        ("confirmation", "+16175550123"),
        ("reminder", "+16175550123"),
        ("reminder", "+16175550123"),
        ("reminder", "+16175550123"),
    ]


def test_reachable_again_plans_the_reminders_still_ahead_without_a_new_confirmation(
    clinic_a, time_machine
):
    patient = reachable_patient(clinic_a.organization)
    appointment = book(clinic_a, patient)
    OutboundMessage.objects.filter(kind="confirmation").update(status=MessageStatus.SENT)
    update(patient, preferred_channel="none")
    # Nineteen hours before the visit: the twenty-hour reminder's time has passed.
    time_machine.move_to(VISIT - datetime.timedelta(hours=19), tick=False)

    update(patient, preferred_channel="sms")

    assert [m.kind for m in pending(appointment)] == ["reminder", "reminder"]


def test_a_queued_cancellation_notice_follows_too(clinic_a):
    patient = reachable_patient(clinic_a.organization)
    appointment = book(clinic_a, patient)
    appointment_cancel(appointment=appointment, actor=None, reason="patient asked")

    update(patient, preferred_channel="email")

    [notice] = pending(appointment)
    assert (notice.kind, notice.channel) == ("cancellation", "email")
    assert Calendar.from_ical(notice.calendar)["METHOD"] == "CANCEL"


def test_other_patients_messages_are_untouched(clinic_a):
    patient = reachable_patient(clinic_a.organization)
    other = reachable_patient(clinic_a.organization, mrn="M-2", phone_mobile="+1 617 555 0177")
    theirs = book(clinic_a, other, start=VISIT + datetime.timedelta(hours=1))
    book(clinic_a, patient)

    update(patient, phone_mobile="+1 617 555 0142")

    assert {m.to_address for m in pending(theirs)} == {"+16175550177"}
