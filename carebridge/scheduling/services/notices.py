"""What the patient hears after a visit changes. The appointment services call one of
these last, inside their transaction, so the messages commit or roll back with the change.

Visits in the past (imported history) and visits booked by an import get no confirmation;
a visit that is no longer ahead (arrived, fulfilled, no-show, ...) gets no more reminders.
"""

from __future__ import annotations

from carebridge.core import clock
from carebridge.notifications.calendar import CANCEL, REQUEST
from carebridge.notifications.constants import MessageKind
from carebridge.notifications.services.outbox import messages_withdraw
from carebridge.scheduling.constants import AppointmentStatus, BookingChannel
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.services.messages import (
    CANCELLED_STAMP,
    TOPIC_TYPE,
    UPCOMING_STATUSES,
    Notice,
    appointment_messages_enqueue,
    policy_for,
)
from carebridge.scheduling.services.reminders import reminder_notice


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
