"""Reminders: outbox rows due at the policy's offsets before a visit, outside quiet hours.

Planning happens when a visit is booked or moved; each reminder is an ordinary outbox
message with a future due time, so cancelling or moving the visit withdraws it, and the
delivery worker drops any that no longer match the visit (see services.messages).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import transaction

from carebridge.accounts.models import Organization, User
from carebridge.accounts.services import messaging_revision_reload
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import AuditTarget, audit_record
from carebridge.core import clock
from carebridge.core.errors import InvalidInput
from carebridge.notifications.calendar import REQUEST
from carebridge.notifications.constants import MessageKind
from carebridge.notifications.models import OutboundMessage
from carebridge.scheduling.availability import zone_of
from carebridge.scheduling.models import Appointment, ReminderOffset, ReminderPolicy, VisitType
from carebridge.scheduling.services.messages import (
    Notice,
    Policy,
    appointment_messages_enqueue,
    policy_for,
)

# A reminder that quiet hours push back past the visit goes out this long before they begin.
BEFORE_QUIET = datetime.timedelta(minutes=15)


def _in_quiet(moment: datetime.time, start: datetime.time, end: datetime.time) -> bool:
    if start == end:
        return False
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end  # quiet hours span midnight


def _quiet_bounds(
    local: datetime.datetime, start: datetime.time, end: datetime.time
) -> tuple[datetime.datetime, datetime.datetime]:
    """The quiet period containing `local` (which must be in one), as local datetimes."""
    day, zone = local.date(), local.tzinfo
    one_day = datetime.timedelta(days=1)
    begins = datetime.datetime.combine(day, start, tzinfo=zone)
    ends = datetime.datetime.combine(day, end, tzinfo=zone)
    if start > end:  # spans midnight: the evening part ends tomorrow, the morning began yesterday
        if local.time() >= start:
            ends += one_day
        else:
            begins -= one_day
    return begins, ends


def reminder_due_times(
    *,
    visit_start: datetime.datetime,
    now: datetime.datetime,
    offsets: Iterable[datetime.timedelta],
    quiet_start: datetime.time,
    quiet_end: datetime.time,
    zone: datetime.tzinfo,
) -> list[datetime.datetime]:
    """When to send each reminder, earliest first, in UTC.

    A reminder due in quiet hours (wall clock in `zone`) moves to the end of the quiet
    period, or, when that is after the visit, to shortly before the period began. Reminders
    whose time has passed are skipped; two that land on the same time become one.
    """
    due_times = set()
    for offset in offsets:
        due = visit_start - offset
        local = due.astimezone(zone)
        if _in_quiet(local.time(), quiet_start, quiet_end):
            begins, ends = _quiet_bounds(local, quiet_start, quiet_end)
            due = ends if ends < visit_start else begins - BEFORE_QUIET
        if now < due < visit_start:
            due_times.add(due.astimezone(datetime.UTC))
    return sorted(due_times)


def _patient_zone(appointment: Appointment) -> datetime.tzinfo:
    return zone_of(appointment.patient.timezone or appointment.location.timezone)


def outside_quiet_hours(
    *, appointment: Appointment, policy: Policy, moment: datetime.datetime
) -> datetime.datetime:
    """`moment`, or the end of the patient's quiet hours when it falls in them: when a
    message the clinic starts (not an answer to the patient) may go out."""
    local = moment.astimezone(_patient_zone(appointment))
    if not _in_quiet(local.time(), policy.quiet_start, policy.quiet_end):
        return moment
    return _quiet_bounds(local, policy.quiet_start, policy.quiet_end)[1].astimezone(datetime.UTC)


def reminder_notice(*, appointment: Appointment, policy: Policy) -> Notice:
    """The visit's reminders as a notice: due at the policy's offsets, outside quiet hours."""
    due_times = reminder_due_times(
        visit_start=appointment.start,
        now=clock.now(),
        offsets=policy.offsets,
        quiet_start=policy.quiet_start,
        quiet_end=policy.quiet_end,
        zone=_patient_zone(appointment),
    )
    return Notice(MessageKind.REMINDER, due_times)


def reminders_plan(
    *, appointment: Appointment, policy: Policy | None = None
) -> list[OutboundMessage]:
    """Queue the visit's reminders (call inside the transaction that booked or moved it).

    Nothing is queued for a patient who cannot be written to.
    """
    policy = policy or policy_for(appointment)
    return appointment_messages_enqueue(
        appointment=appointment,
        notices=[reminder_notice(appointment=appointment, policy=policy)],
        policy=policy,
        calendar_method=REQUEST,
    )


@transaction.atomic
def reminder_policy_set(
    *,
    organization: Organization,
    actor: User | None,
    offsets: Iterable[datetime.timedelta],
    visit_type: VisitType | None = None,
    confirm_on_booking: bool = True,
    quiet_start: datetime.time = datetime.time(21),
    quiet_end: datetime.time = datetime.time(8),
    sms_shows_visit_type: bool = False,
) -> ReminderPolicy:
    """Create or replace the organization's policy, or a visit type's override of it.

    Invariants: offsets are positive whole minutes, each at most once; the visit type
    belongs to the organization. Already queued reminders keep their times; the policy
    applies to visits booked or moved from now on. Side effect: audit entry.
    """
    if visit_type is not None and visit_type.organization_id != organization.pk:
        raise InvalidInput("visit_type: not found", field="visit_type")
    minutes = sorted({int(offset.total_seconds() // 60) for offset in offsets}, reverse=True)
    if any(value <= 0 for value in minutes):
        raise InvalidInput("offsets: each must be at least one minute", field="offsets")
    policy, _ = ReminderPolicy.objects.update_or_create(
        organization=organization,
        visit_type=visit_type,
        defaults={
            "confirm_on_booking": confirm_on_booking,
            "quiet_start": quiet_start,
            "quiet_end": quiet_end,
            "sms_shows_visit_type": sms_shows_visit_type,
        },
    )
    policy.offsets.all().delete()
    ReminderOffset.objects.bulk_create(
        ReminderOffset(policy=policy, minutes_before=value) for value in minutes
    )
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.UPDATE,
        target=AuditTarget("ReminderPolicy", str(policy.public_id)),
        detail=f"offsets (minutes): {', '.join(map(str, minutes)) or 'none'}",
    )
    messaging_revision_reload(organization)
    return policy


@transaction.atomic
def reminder_policy_override_delete(
    *, organization: Organization, actor: User | None, visit_type: VisitType
) -> bool:
    """Drop a visit type's own policy, so the organization's applies to it again; False if
    it had none.

    Invariant: the organization's own policy is never removed here (it has no visit type).
    Already queued reminders keep their times. Side effect: audit entry when one was removed.
    """
    policy = ReminderPolicy.objects.filter(organization=organization, visit_type=visit_type).first()
    if policy is None:
        return False
    policy.delete()
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.DELETE,
        target=AuditTarget("ReminderPolicy", str(policy.public_id)),
        detail=f"override for visit type {visit_type.code} removed",
    )
    messaging_revision_reload(organization)
    return True
