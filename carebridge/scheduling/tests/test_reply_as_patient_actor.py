"""Who a text reply's changes are recorded as: the staff member who typed it as the
patient, or nobody (the system) when it came from the patient's phone."""

import itertools

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.notifications.services.inbound import inbound_record
from carebridge.scheduling.models import AppointmentHistory, RescheduleOffer
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.replies import sms_reply_handle, sms_text_received
from carebridge.scheduling.tests.messaging import (
    NOW,
    VISIT,
    book,
    deliver_due,
    messages_about,
    reachable_patient,
    use_file_gateways,
)
from carebridge.scheduling.tests.waitlisting import offers_of, waiting

PHONE = "+16175550199"
SIDS = itertools.count(1)


@pytest.fixture(autouse=True)
def monday(settings, tmp_path, time_machine):
    use_file_gateways(settings, tmp_path)
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def appointment(clinic_a):
    booked = book(clinic_a, reachable_patient(clinic_a.organization))
    deliver_due()  # the confirmation goes out and asks for an answer
    return booked


def typed_by(actor, body: str, from_address: str = PHONE):
    return sms_text_received(
        from_address=from_address,
        to_address="+16175550000",
        body=body,
        provider_message_id=f"file-{next(SIDS)}",
        actor=actor,
    )


def history(appointment, action: str) -> AppointmentHistory:
    return AppointmentHistory.objects.get(appointment=appointment, action=action)


def audit_labels(object_ref: str, **filters) -> set[str]:
    entries = AuditEntry.objects.filter(object_ref=object_ref, action="update", **filters)
    return set(entries.values_list("actor_label", flat=True))


def test_a_cancellation_typed_by_staff_is_recorded_as_theirs(appointment, coordinator_a):
    typed_by(coordinator_a, "X")

    appointment.refresh_from_db()
    assert (appointment.status, appointment.cancelled_by) == ("cancelled", "patient")
    assert history(appointment, "cancel").changed_by == coordinator_a
    assert audit_labels(str(appointment.public_id)) == {"coord-a"}


def test_a_confirmation_typed_by_staff_is_recorded_as_theirs(appointment, coordinator_a):
    typed_by(coordinator_a, "C")

    assert history(appointment, "confirm").changed_by == coordinator_a
    assert audit_labels(str(appointment.public_id)) == {"coord-a"}


def test_a_move_typed_by_staff_is_recorded_as_theirs(appointment, coordinator_a):
    typed_by(coordinator_a, "R")
    deliver_due()  # the options go out and ask for a number

    typed_by(coordinator_a, "1")

    assert RescheduleOffer.objects.get(appointment=appointment).chosen_number == 1
    assert history(appointment, "reschedule").changed_by == coordinator_a
    assert audit_labels(str(appointment.public_id)) == {"coord-a"}


def test_a_waitlist_offer_taken_by_staff_is_booked_as_theirs(clinic_a, coordinator_a):
    entry = waiting(clinic_a, 1)
    freed = book(clinic_a, reachable_patient(clinic_a.organization, mrn="V-1"), VISIT)
    appointment_cancel(appointment=freed, actor=None, reason="away")
    deliver_due()  # the slot is offered by text
    offered = AuditEntry.objects.filter(object_ref=str(entry.public_id)).latest("sequence")

    typed_by(coordinator_a, "YES", from_address="+16175551001")

    entry.refresh_from_db()
    assert offers_of(entry)[0].status == "accepted"
    assert entry.appointment.created_by == coordinator_a
    assert history(entry.appointment, "book").changed_by == coordinator_a
    # The offer itself was the system's, made when the visit was cancelled.
    after_the_offer = {"sequence__gt": offered.sequence}
    assert audit_labels(str(entry.public_id), **after_the_offer) == {"coord-a"}


def test_a_reply_from_the_phone_is_the_systems(appointment):
    inbound = inbound_record(
        channel="sms",
        from_address=PHONE,
        to_address="+16175550000",
        body="X",
        provider_message_id="SM1",
    )

    sms_reply_handle(inbound=inbound)

    assert history(appointment, "cancel").changed_by is None
    assert audit_labels(str(appointment.public_id)) == {"system"}


def test_the_answer_form_records_who_typed_the_reply(client, coordinator_a, appointment):
    [confirmation] = messages_about(appointment, kind="confirmation", channel="sms")
    client.force_login(coordinator_a)

    client.post(f"/inbox/reply-as-patient/{confirmation.public_id}/", {"body": "X"})

    assert history(appointment, "cancel").changed_by == coordinator_a
