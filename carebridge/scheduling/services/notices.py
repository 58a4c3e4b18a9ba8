"""What the patient hears after a visit changes. The appointment services call one of
these last, inside their transaction, so the messages commit or roll back with the change.

Visits in the past (imported history) and visits booked by an import get no confirmation;
a visit that is no longer ahead (arrived, fulfilled, no-show, ...) gets no more reminders.
"""

from __future__ import annotations

from collections import defaultdict

from carebridge.core import clock
from carebridge.notifications.calendar import CANCEL, REQUEST
from carebridge.notifications.constants import MessageKind, MessageStatus
from carebridge.notifications.locks import Destination, outbox_take_back_pending
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.selectors import topic_message_statuses
from carebridge.notifications.services.outbox import messages_withdraw
from carebridge.patients.models import Patient
from carebridge.scheduling.constants import AppointmentStatus, BookingChannel
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.selectors import patient_visits_ahead
from carebridge.scheduling.services.messages import (
    CANCELLED_STAMP,
    TOPIC_TYPE,
    UPCOMING_STATUSES,
    Notice,
    appointment_messages_enqueue,
    patient_address,
    patient_channels,
    patient_language,
    policy_for,
)
from carebridge.scheduling.services.reminders import reminder_notice, reminders_plan

# Messages that say only what the visit is now: queued again, they read the same.
RESENDABLE_KINDS = (
    MessageKind.CONFIRMATION,
    MessageKind.UPDATE,
    MessageKind.OFFER_WON,
    MessageKind.REMINDER,
    MessageKind.CANCELLATION,
)


def _ahead(appointment: Appointment) -> bool:
    return appointment.start > clock.now()


def _withdraw_all(appointment: Appointment) -> None:
    messages_withdraw(topic_type=TOPIC_TYPE, topic_id=str(appointment.public_id))


def notice_after_book(*, appointment: Appointment) -> None:
    """A booked visit ahead: confirmation (with the calendar invitation by email) unless the
    policy turns it off or an import made it, then its reminders."""
    if appointment.status != AppointmentStatus.BOOKED or not _ahead(appointment):
        return
    policy = policy_for(appointment)
    notices = [reminder_notice(appointment=appointment, policy=policy)]
    if policy.confirm_on_booking and appointment.booking_channel != BookingChannel.IMPORT:
        notices.insert(0, Notice(MessageKind.CONFIRMATION))
    appointment_messages_enqueue(
        appointment=appointment, notices=notices, policy=policy, calendar_method=REQUEST
    )


def notice_after_reschedule(*, appointment: Appointment) -> None:
    """The visit moved: what was queued for the old time goes, an update (the calendar event
    replaced through its higher SEQUENCE) and the new time's reminders come."""
    _withdraw_all(appointment)
    if appointment.status != AppointmentStatus.BOOKED or not _ahead(appointment):
        return
    policy = policy_for(appointment)
    appointment_messages_enqueue(
        appointment=appointment,
        notices=[
            Notice(MessageKind.UPDATE),
            reminder_notice(appointment=appointment, policy=policy),
        ],
        policy=policy,
        calendar_method=REQUEST,
    )


def notice_after_cancel(*, appointment: Appointment) -> None:
    """Nothing queued about the visit goes out any more; a cancellation notice (removing the
    calendar event) does, if the visit was still ahead."""
    _withdraw_all(appointment)
    if not _ahead(appointment):
        return
    appointment_messages_enqueue(
        appointment=appointment,
        notices=[Notice(MessageKind.CANCELLATION)],
        policy=policy_for(appointment),
        calendar_method=CANCEL,
        stamp=CANCELLED_STAMP,
    )


def notice_after_transition(*, appointment: Appointment, previous_status: str) -> None:
    """A pending visit that becomes booked is confirmed like a new booking; one that is no
    longer ahead (arrived, no-show, entered in error, ...) gets nothing more that is queued.
    (Cancelling has its own service and notice.)"""
    if appointment.status not in UPCOMING_STATUSES:
        _withdraw_all(appointment)
    elif appointment.status == AppointmentStatus.BOOKED != previous_status:
        notice_after_book(appointment=appointment)


def notice_after_contact_change(*, patient: Patient) -> None:
    """The patient's number, email address, language, preferred channel or consent changed.

    What is queued about their visits and has not gone out is queued again as they can be
    reached now (the new number, the other channel, their language), due when it was; when
    they cannot be reached at all, it is only withdrawn. A booked visit ahead with nothing
    queued (booked while the patient could not be reached) gets its reminders due within a
    day (the sweep queues the later ones), and its confirmation too when nothing about it
    was ever queued.
    """
    destination = _destination(patient)
    taken = outbox_take_back_pending(
        patient_id=patient.pk, topic_type=TOPIC_TYPE, kinds=RESENDABLE_KINDS, keep=destination
    )
    if destination is None:
        return
    by_visit: dict[str, list[OutboundMessage]] = defaultdict(list)
    for message in taken:
        by_visit[message.topic_id].append(message)
    statuses = topic_message_statuses(
        patient_id=patient.pk, topic_type=TOPIC_TYPE, kinds=RESENDABLE_KINDS
    )
    visits = patient_visits_ahead(
        patient=patient, statuses=[AppointmentStatus.BOOKED], also=list(by_visit)
    )
    for appointment in visits:
        visit_id = str(appointment.public_id)
        if visit_id in by_visit:
            _queue_again(appointment, by_visit[visit_id])
        elif visit_id not in statuses:
            notice_after_book(appointment=appointment)
        elif MessageStatus.PENDING not in statuses[visit_id]:
            reminders_plan(appointment=appointment)


def _destination(patient: Patient) -> Destination | None:
    """Where the patient's automatic messages go now; None when nowhere."""
    channels = patient_channels(patient)
    if not channels:
        return None
    channel = channels[0]
    return Destination(channel, patient_address(patient, channel), patient_language(patient))


def _queue_again(appointment: Appointment, messages: list[OutboundMessage]) -> None:
    """Queue these messages about the visit again, each kind rendered afresh, due as before."""
    due_times: dict[str, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for message in messages:
        due_times[message.topic_stamp][message.kind].append(message.due_at)
    policy = policy_for(appointment)
    for stamp, kinds in due_times.items():
        appointment_messages_enqueue(
            appointment=appointment,
            notices=[Notice(kind, tuple(times)) for kind, times in kinds.items()],
            policy=policy,
            calendar_method=CANCEL if stamp == CANCELLED_STAMP else REQUEST,
            stamp=stamp,
        )
