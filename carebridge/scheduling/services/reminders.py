"""Reminders: outbox rows due at the policy's offsets before a visit, outside quiet hours.

A reminder is queued a day before it is due (REMINDER_HORIZON): by the booking or move
itself when the visit is that close, else by the sweep (`reminders_queue_due`) the
scheduler runs. Until then it is only the policy's offset, so a policy, template or
contact change made meanwhile applies to it, and a booking writes no rows for reminders
days away. Once queued it is an ordinary outbox message with a future due time, so
cancelling or moving the visit withdraws it, and the delivery worker drops any that no
longer match the visit (see services.messages).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import Max, QuerySet

from carebridge.accounts.models import Organization, User
from carebridge.accounts.services import messaging_revision_reload
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import AuditTarget, audit_record
from carebridge.core import clock
from carebridge.core.db import LockSpace, advisory_locks
from carebridge.core.errors import InvalidInput
from carebridge.core.timeranges import zone_of
from carebridge.notifications.calendar import REQUEST
from carebridge.notifications.constants import MessageKind
from carebridge.notifications.models import OutboundMessage
from carebridge.scheduling.constants import AppointmentStatus
from carebridge.scheduling.models import Appointment, ReminderOffset, ReminderPolicy, VisitType
from carebridge.scheduling.services.messages import (
    DEFAULT_OFFSETS,
    TOPIC_TYPE,
    Notice,
    Policy,
    appointment_messages_enqueue,
    policy_for,
    start_stamp,
)

# A reminder that quiet hours push back past the visit goes out this long before they begin.
BEFORE_QUIET = datetime.timedelta(minutes=15)
# How long before it is due a reminder is queued. A scheduler down for less than this
# still has every reminder queued in time for the worker to send it.
REMINDER_HORIZON = datetime.timedelta(days=1)
# Quiet hours move a due time by less than a day, earlier or later.
_QUIET_SHIFT = datetime.timedelta(days=1)
# Visits whose reminders the sweep writes in one transaction.
SWEEP_BATCH = 100
# The longest offset a policy may hold. No clinic reminds a patient more than a year
# ahead, and the bound keeps "visit start minus offset" (and the sweep's reach) well
# inside the calendar: an unbounded offset made every booking fail.
OFFSET_MAX = datetime.timedelta(days=365)


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


def reminder_notice(
    *,
    appointment: Appointment,
    policy: Policy,
    horizon: datetime.timedelta | None = REMINDER_HORIZON,
) -> Notice:
    """The visit's reminders as a notice: due at the policy's offsets, outside quiet hours,
    and within `horizon` from now (None: all of them)."""
    now = clock.now()
    due_times = reminder_due_times(
        visit_start=appointment.start,
        now=now,
        offsets=policy.offsets,
        quiet_start=policy.quiet_start,
        quiet_end=policy.quiet_end,
        zone=_patient_zone(appointment),
    )
    if horizon is not None:
        due_times = [due for due in due_times if due <= now + horizon]
    return Notice(MessageKind.REMINDER, due_times)


def reminders_plan(
    *,
    appointment: Appointment,
    policy: Policy | None = None,
    horizon: datetime.timedelta | None = REMINDER_HORIZON,
) -> list[OutboundMessage]:
    """Queue the visit's reminders due within `horizon` (None: all; call inside the
    transaction that booked or moved it). The sweep queues the later ones when they come
    close; one queued here is not queued again by it.

    Nothing is queued for a patient who cannot be written to.
    """
    policy = policy or policy_for(appointment)
    return appointment_messages_enqueue(
        appointment=appointment,
        notices=[reminder_notice(appointment=appointment, policy=policy, horizon=horizon)],
        policy=policy,
        calendar_method=REQUEST,
    )


# The sweep


def reminders_queue_due_all() -> int:
    """The periodic job: queue the reminders that come due within the horizon in every
    organization with booked visits ahead; return how many were queued."""
    organizations = Organization.objects.filter(
        pk__in=_booked_ahead(clock.now()).values("organization_id")
    )
    return sum(reminders_queue_due(organization=organization) for organization in organizations)


def reminders_queue_due(*, organization: Organization) -> int:
    """Queue each reminder of the organization's booked visits ahead that comes due within
    the horizon and was never queued (whatever became of it since: sent, withdrawn, queued
    again after a contact change); return how many were queued.

    Idempotent, so it may run as often as wanted. The visits are read first, then written
    SWEEP_BATCH at a time, each batch in a short transaction that looks again at what was
    queued, one sweep of the organization at a time: a booking never waits long behind a
    sweep, even one that queues a whole day's reminders. A reminder whose time passed
    unqueued is not sent, as at booking. Side effects: those of
    appointment_messages_enqueue (audit entries).
    """
    wanted = []
    for visit in _visits_near(organization):
        policy = policy_for(visit)
        notice = reminder_notice(appointment=visit, policy=policy)
        if notice.due_times:
            wanted.append((visit, policy, notice))
    return sum(
        _queue_batch(organization, wanted[first : first + SWEEP_BATCH])
        for first in range(0, len(wanted), SWEEP_BATCH)
    )


@transaction.atomic
def _queue_batch(
    organization: Organization, wanted: list[tuple[Appointment, Policy, Notice]]
) -> int:
    _sweep_lock(organization)
    queued = _reminders_ever_queued(organization, [visit for visit, _, _ in wanted])
    count = 0
    for visit, policy, notice in wanted:
        key = (str(visit.public_id), start_stamp(visit))
        due_times = [due for due in notice.due_times if (*key, due) not in queued]
        count += len(
            appointment_messages_enqueue(
                appointment=visit,
                notices=[Notice(MessageKind.REMINDER, due_times)],
                policy=policy,
                calendar_method=REQUEST,
            )
        )
    return count


def _sweep_lock(organization: Organization) -> None:
    """Queue behind another sweep of the organization until it commits (PostgreSQL; on
    SQLite the IMMEDIATE transaction already holds the only write lock)."""
    if connection.vendor != "postgresql":
        return
    calls, parameters = advisory_locks((LockSpace.REMINDER_SWEEP, organization.pk))
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {calls}", parameters)


def _booked_ahead(now: datetime.datetime) -> QuerySet[Appointment]:
    return Appointment.objects.filter(status=AppointmentStatus.BOOKED, start__gt=now)


def _visits_near(organization: Organization) -> list[Appointment]:
    """Booked visits whose reminders may come due within the horizon: those starting
    within the horizon plus the longest offset of any policy (and the quiet hours' shift)."""
    now = clock.now()
    longest = ReminderOffset.objects.filter(policy__organization=organization).aggregate(
        minutes=Max("minutes_before")
    )["minutes"]
    reach = max([*DEFAULT_OFFSETS, datetime.timedelta(minutes=longest or 0)])
    return list(
        _booked_ahead(now)
        .filter(organization=organization, start__lte=now + REMINDER_HORIZON + reach + _QUIET_SHIFT)
        .select_related("organization", "patient", "practitioner", "location", "visit_type")
        .order_by("start", "pk")
    )


def _reminders_ever_queued(
    organization: Organization, visits: list[Appointment]
) -> set[tuple[str, str, datetime.datetime]]:
    """(visit public id, stamp, due time) of every reminder ever queued about the visits."""
    rows = OutboundMessage.objects.filter(
        organization=organization,
        topic_type=TOPIC_TYPE,
        topic_id__in=[str(visit.public_id) for visit in visits],
        kind=MessageKind.REMINDER,
    ).values_list("topic_id", "topic_stamp", "due_at")
    return set(rows)


def _offset_minutes(offsets: Iterable[datetime.timedelta]) -> list[int]:
    """The distinct offsets in whole minutes, longest first; InvalidInput on "offsets" for
    one under a minute or over OFFSET_MAX."""
    minutes = sorted({int(offset.total_seconds() // 60) for offset in offsets}, reverse=True)
    if any(value <= 0 for value in minutes):
        raise InvalidInput("offsets: each must be at least one minute", field="offsets")
    if minutes and minutes[0] > OFFSET_MAX // datetime.timedelta(minutes=1):
        raise InvalidInput(
            f"offsets: each at most {OFFSET_MAX.days} days before the visit", field="offsets"
        )
    return minutes


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

    Invariants: offsets are whole minutes from one minute to OFFSET_MAX, each at most
    once; the visit type belongs to the organization. Reminders already queued (due within
    the horizon) keep their times; the policy applies to every later one. Side effect:
    audit entry.
    """
    if visit_type is not None and visit_type.organization_id != organization.pk:
        raise InvalidInput("visit_type: not found", field="visit_type")
    minutes = _offset_minutes(offsets)
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
    Reminders already queued keep their times. Side effect: audit entry when one was removed.
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
