"""Scheduling figures for the metrics page: no-shows, late cancellations, confirmations,
lead time, utilization and reminder delivery, by week, practitioner, location or visit type.

Definitions (also shown on the page):
- no-show rate: no-shows / (no-shows + visits the patient came to: arrived, checked in,
  fulfilled);
- late-cancellation rate: cancellations by the patient less than 24 h before the start /
  visits scheduled (everything but entered-in-error);
- confirmation rate: visits the patient confirmed before the start / visits scheduled,
  leaving out those the clinic cancelled;
- lead time: median days from booking to the visit;
- utilization: minutes booked (visits that were not cancelled) / minutes the practitioners
  could be booked (working hours minus breaks, time off, closures and holidays);
- reminder delivery: reminders sent / reminders whose delivery ended (sent or failed);
- waitlist fill rate: freed slots the waitlist filled / freed slots decided (filled or
  expired), grouped by when the slot was freed; time to fill: from freed to filled.
"""

from __future__ import annotations

import datetime
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Count, Max, Q, QuerySet

from carebridge.accounts.models import Organization
from carebridge.core.errors import InvalidInput
from carebridge.core.timeranges import zone_of
from carebridge.directory.models import Location, Practitioner
from carebridge.notifications.constants import MessageKind, MessageStatus
from carebridge.notifications.models import OutboundMessage
from carebridge.scheduling.availability import bookable_minutes
from carebridge.scheduling.constants import AppointmentStatus, CancelledBy
from carebridge.scheduling.models import Appointment, VisitType
from carebridge.scheduling.waitlist_selectors import FillStats, backfill_slot_rows, fill_stats_of

LATE_CANCELLATION = datetime.timedelta(hours=24)
KEPT_STATUSES = frozenset(
    {AppointmentStatus.ARRIVED, AppointmentStatus.CHECKED_IN, AppointmentStatus.FULFILLED}
)
UNBOOKED_STATUSES = frozenset({AppointmentStatus.CANCELLED, AppointmentStatus.ENTERED_IN_ERROR})


class Grouping:
    WEEK = "week"
    PRACTITIONER = "practitioner"
    LOCATION = "location"
    VISIT_TYPE = "visit_type"
    ALL = (WEEK, PRACTITIONER, LOCATION, VISIT_TYPE)


@dataclass
class MetricsRow:
    """The figures of one group (a week, a practitioner, ...)."""

    label: str
    scheduled: int = 0
    kept: int = 0
    noshows: int = 0
    late_cancellations: int = 0
    confirmable: int = 0
    confirmed: int = 0
    lead_days: list[float] = field(default_factory=list)
    booked_minutes: float = 0.0
    bookable_minutes: float | None = None

    @property
    def noshow_rate(self) -> float | None:
        return _share(self.noshows, self.noshows + self.kept)

    @property
    def late_cancellation_rate(self) -> float | None:
        return _share(self.late_cancellations, self.scheduled)

    @property
    def confirmation_rate(self) -> float | None:
        return _share(self.confirmed, self.confirmable)

    @property
    def median_lead_days(self) -> float | None:
        return statistics.median(self.lead_days) if self.lead_days else None

    @property
    def utilization(self) -> float | None:
        if not self.bookable_minutes:
            return None
        return self.booked_minutes / self.bookable_minutes


@dataclass(frozen=True)
class DeliveryRow:
    channel: str
    sent: int
    failed: int
    withdrawn: int
    suppressed: int

    @property
    def success_rate(self) -> float | None:
        return _share(self.sent, self.sent + self.failed)


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def with_cancelled_at(appointments: QuerySet[Appointment]) -> QuerySet[Appointment]:
    """Annotate `cancelled_at`: when the cancellation was recorded in the history."""
    return appointments.annotate(
        cancelled_at=Max("history__changed_at", filter=Q(history__action="cancel"))
    )


def is_late_cancellation(
    *, status: str, cancelled_by: str, start: datetime.datetime, cancelled_at
) -> bool:
    """The patient called the visit off less than a day before it."""
    return (
        status == AppointmentStatus.CANCELLED
        and cancelled_by == CancelledBy.PATIENT
        and cancelled_at is not None
        and start - cancelled_at < LATE_CANCELLATION
    )


def period_bounds(
    organization: Organization, start_date: datetime.date, end_date: datetime.date
) -> tuple[datetime.datetime, datetime.datetime]:
    """The clinic's local days start_date..end_date (inclusive) as an aware range."""
    zone = zone_of(organization.timezone)
    start = datetime.datetime.combine(start_date, datetime.time(), zone)
    end = datetime.datetime.combine(end_date + datetime.timedelta(days=1), datetime.time(), zone)
    return start, end


def scheduling_metrics(
    *,
    organization: Organization,
    start_date: datetime.date,
    end_date: datetime.date,
    group_by: str = Grouping.WEEK,
    location: Location | None = None,
) -> list[MetricsRow]:
    """One row per group for visits starting in the period, plus a last row for all."""
    start, end = period_bounds(organization, start_date, end_date)
    appointments = Appointment.objects.filter(
        organization=organization, start__gte=start, start__lt=end
    ).exclude(status=AppointmentStatus.ENTERED_IN_ERROR)
    if location is not None:
        appointments = appointments.filter(location=location)
    rows = with_cancelled_at(appointments).values(
        "start",
        "end",
        "booked_at",
        "status",
        "cancelled_by",
        "cancelled_at",
        "confirmed_at",
        "practitioner_id",
        "location_id",
        "visit_type_id",
    )
    key_of, label_of = _grouping(organization, group_by)
    groups: dict[object, MetricsRow] = {}
    total = MetricsRow(label="All")
    for row in rows:
        key = key_of(row)
        if key not in groups:
            groups[key] = MetricsRow(label=label_of(key))
        for target in (groups[key], total):
            _count(target, row)
    if group_by != Grouping.VISIT_TYPE:
        bookable = bookable_minutes(
            organization=organization,
            start_date=start_date,
            end_date=end_date,
            location_id=location.pk if location else None,
        )
        _add_bookable(organization, bookable, groups, total, (key_of, label_of))
    return [*sorted(groups.values(), key=lambda group: group.label), total]


def _count(target: MetricsRow, row: dict) -> None:
    status = row["status"]
    target.scheduled += 1
    target.kept += status in KEPT_STATUSES
    target.noshows += status == AppointmentStatus.NOSHOW
    target.late_cancellations += is_late_cancellation(
        status=status,
        cancelled_by=row["cancelled_by"],
        start=row["start"],
        cancelled_at=row["cancelled_at"],
    )
    clinic_cancelled = (
        status == AppointmentStatus.CANCELLED and row["cancelled_by"] != CancelledBy.PATIENT
    )
    if not clinic_cancelled:
        target.confirmable += 1
        confirmed_at = row["confirmed_at"]
        target.confirmed += confirmed_at is not None and confirmed_at <= row["start"]
    target.lead_days.append((row["start"] - row["booked_at"]).total_seconds() / 86400)
    if status not in UNBOOKED_STATUSES:
        target.booked_minutes += (row["end"] - row["start"]).total_seconds() / 60


def _grouping(
    organization: Organization, group_by: str
) -> tuple[Callable[[dict], object], Callable[[object], str]]:
    """How a visit row maps to its group, and how a group is named."""
    if group_by == Grouping.WEEK:
        zone = zone_of(organization.timezone)

        def week_of(row: dict) -> datetime.date:
            day = row["start"].astimezone(zone).date()
            return day - datetime.timedelta(days=day.weekday())

        return week_of, lambda monday: f"Week of {monday:%Y-%m-%d}"
    models = {
        Grouping.PRACTITIONER: ("practitioner_id", Practitioner, "display_name"),
        Grouping.LOCATION: ("location_id", Location, "name"),
        Grouping.VISIT_TYPE: ("visit_type_id", VisitType, "name"),
    }
    if group_by not in models:
        raise InvalidInput(f"group_by: one of {', '.join(Grouping.ALL)}", field="group_by")
    column, model, attribute = models[group_by]
    names = {
        obj.pk: getattr(obj, attribute) for obj in model.objects.filter(organization=organization)
    }
    return (lambda row: row[column]), (lambda pk: names.get(pk, "?"))


def _add_bookable(
    organization: Organization,
    bookable: dict[tuple[int, int, datetime.date], float],
    groups: dict[object, MetricsRow],
    total: MetricsRow,
    grouping: tuple[Callable[[dict], object], Callable[[object], str]],
) -> None:
    """Bookable minutes per group: each (practitioner, location, day) of working time lands
    in the group a visit there would, so idle practitioners show up at 0 %."""
    key_of, label_of = grouping
    zone = zone_of(organization.timezone)
    for (practitioner_id, location_id, day), minutes in bookable.items():
        probe = {
            "start": datetime.datetime.combine(day, datetime.time(12), zone),
            "practitioner_id": practitioner_id,
            "location_id": location_id,
        }
        key = key_of(probe)
        if key not in groups:
            groups[key] = MetricsRow(label=label_of(key))
        groups[key].bookable_minutes = (groups[key].bookable_minutes or 0) + minutes
        total.bookable_minutes = (total.bookable_minutes or 0) + minutes


def reminder_delivery(
    *, organization: Organization, start_date: datetime.date, end_date: datetime.date
) -> list[DeliveryRow]:
    """Per channel, what became of the reminders due in the period."""
    start, end = period_bounds(organization, start_date, end_date)
    counts = (
        OutboundMessage.objects.filter(
            organization=organization,
            kind=MessageKind.REMINDER,
            due_at__gte=start,
            due_at__lt=end,
        )
        .values("channel")
        .annotate(
            sent=Count("id", filter=Q(status=MessageStatus.SENT)),
            failed=Count("id", filter=Q(status=MessageStatus.FAILED)),
            withdrawn=Count("id", filter=Q(status=MessageStatus.WITHDRAWN)),
            suppressed=Count("id", filter=Q(status=MessageStatus.SUPPRESSED)),
        )
        .order_by("channel")
    )
    return [DeliveryRow(**row) for row in counts]


def waitlist_metrics(
    *,
    organization: Organization,
    start_date: datetime.date,
    end_date: datetime.date,
    group_by: str = Grouping.WEEK,
    location: Location | None = None,
) -> list[tuple[str, FillStats]]:
    """Fill rate and time to fill per group of the slots freed in the period, then all."""
    start, end = period_bounds(organization, start_date, end_date)
    rows = backfill_slot_rows(
        organization=organization,
        start=start,
        end=end,
        location_id=location.pk if location else None,
    )
    key_of, label_of = _grouping(organization, group_by)
    groups: dict[object, list[dict]] = {}
    for row in rows:
        # A freed slot belongs to the week it was freed in, like the period filter.
        groups.setdefault(key_of(row | {"start": row["freed_at"]}), []).append(row)
    named = sorted(
        ((label_of(key), fill_stats_of(members)) for key, members in groups.items()),
        key=lambda pair: pair[0],
    )
    return [*named, ("All", fill_stats_of(rows))]
