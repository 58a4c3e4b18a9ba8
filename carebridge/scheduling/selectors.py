"""Reads of appointments and visit types, scoped to one organization; PHI reads audited."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db.models import Max, Prefetch, Q, QuerySet

from carebridge.accounts.models import Organization, User
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import (
    AuditTarget,
    audit_record,
    audit_record_many,
    get_or_audit_denied,
)
from carebridge.core import clock
from carebridge.core.selectors import get_in_organization, one_of_each
from carebridge.directory.models import Location, Practitioner
from carebridge.directory.selectors import practitioner_zone
from carebridge.patients.models import Patient
from carebridge.scheduling.constants import ACTIVE_STATUSES, ExceptionKind
from carebridge.scheduling.holidays import public_holiday
from carebridge.scheduling.models import (
    Appointment,
    AppointmentFieldChange,
    AppointmentHistory,
    AvailabilityException,
    AvailabilityRule,
    ClosedDay,
    VisitType,
)


def visit_type_list(*, organization: Organization, active_only: bool = True) -> QuerySet[VisitType]:
    visit_types = VisitType.objects.filter(organization=organization).prefetch_related(
        "allowed_specialties"
    )
    return visit_types.filter(active=True) if active_only else visit_types


def access_visit_type(*, organization: Organization, public_id: uuid.UUID | str) -> VisitType:
    return get_in_organization(VisitType.objects.all(), organization, public_id)


def closed_day_reason(*, location: Location, day: datetime.date) -> str | None:
    """Why the location is closed on `day` (a clinic closure or a public holiday), or None."""
    closed = (
        ClosedDay.objects.filter(organization_id=location.organization_id, date=day)
        .filter(Q(location=location) | Q(location=None))
        .order_by("id")
        .first()
    )
    return closed.reason if closed else public_holiday(location, day)


def _appointments() -> QuerySet[Appointment]:
    return Appointment.objects.select_related(
        "patient", "practitioner", "location", "visit_type", "organization"
    )


def _target(appointment: Appointment) -> AuditTarget:
    return AuditTarget(
        "Appointment", str(appointment.public_id), str(appointment.patient.public_id)
    )


def access_appointment(
    *, organization: Organization, actor: User | None, public_id: uuid.UUID | str
) -> Appointment:
    """One appointment, or NotFound (also for another organization's). Audited as a read."""
    appointment = get_or_audit_denied(
        _appointments(),
        organization=organization,
        actor=actor,
        public_id=public_id,
        object_type="Appointment",
    )
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.READ,
        target=_target(appointment),
    )
    return appointment


@dataclass(frozen=True)
class AppointmentQuery:
    """Criteria that must all match; times compare against the appointment's start.
    In `one_of_each`, one query of every group must match as well."""

    patient_id: int | None = None
    practitioner_id: int | None = None
    location_id: int | None = None
    start_from: datetime.datetime | None = None
    start_before: datetime.datetime | None = None
    statuses: tuple[str, ...] = ()
    public_ids: tuple[uuid.UUID, ...] = ()
    one_of_each: tuple[tuple[AppointmentQuery, ...], ...] = ()


def _condition(query: AppointmentQuery) -> Q:
    condition = Q()
    for name, lookup in [
        ("patient_id", "patient_id"),
        ("practitioner_id", "practitioner_id"),
        ("location_id", "location_id"),
        ("start_from", "start__gte"),
        ("start_before", "start__lt"),
    ]:
        value = getattr(query, name)
        if value is not None:
            condition &= Q(**{lookup: value})
    if query.statuses:
        condition &= Q(status__in=query.statuses)
    if query.public_ids:
        condition &= Q(public_id__in=query.public_ids)
    return condition & one_of_each(map(_condition, group) for group in query.one_of_each)


def appointment_list(
    *,
    organization: Organization,
    actor: User | None,
    query: AppointmentQuery,
    limit: int = 100,
    offset: int = 0,
    with_total: bool = False,
) -> tuple[list[Appointment], int | None]:
    """Matching appointments by start time; each one shown is audited as a query result."""
    queryset = _appointments().filter(_condition(query), organization=organization)
    appointments = list(queryset.order_by("start", "id")[offset : offset + limit])
    total = queryset.count() if with_total else None
    audit_record_many(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.QUERY,
        targets=[_target(appointment) for appointment in appointments],
    )
    return appointments, total


def appointment_history(*, appointment: Appointment) -> list[AppointmentHistory]:
    """The appointment's changes, oldest first, with who made them and each field changed."""
    return list(
        AppointmentHistory.objects.filter(appointment=appointment)
        .select_related("changed_by")
        .prefetch_related(
            Prefetch("changes", queryset=AppointmentFieldChange.objects.order_by("id"))
        )
        .order_by("version", "id")
    )


def patient_visits_ahead(
    *, patient: Patient, statuses: Collection[str], also: Collection[str] = ()
) -> list[Appointment]:
    """The patient's visits in these statuses that have not begun, and the visits whose
    public ids are in `also`, soonest first, with what messages about them read."""
    ahead = Q(status__in=statuses, start__gt=clock.now())
    return list(
        _appointments()
        .filter(Q(patient=patient) & (ahead | Q(public_id__in=also)))
        .order_by("start", "pk")
    )


@dataclass
class TimeOff:
    """Time off or extra hours, with the visits still ahead that lie in it: for time off,
    those the desk has to move; for extra hours, those booked into them. Each visit carries
    `times_offered_at`: when the patient was last sent other times still open, or None."""

    entry: AvailabilityException
    visits: list[Appointment]


def _lies_in(appointment: Appointment, entry: AvailabilityException) -> bool:
    return (
        appointment.practitioner_id == entry.practitioner_id
        and appointment.start < entry.end
        and appointment.end > entry.start
        and entry.location_id in (None, appointment.location_id)
    )


def _with_visits(
    organization: Organization, actor: User | None, entries: list[AvailabilityException]
) -> list[TimeOff]:
    """Each entry with the active visits not yet over that lie in it; the visits are audited
    as query results."""
    if not entries:
        return []
    inside = Q()
    for entry in entries:
        overlap = Q(practitioner_id=entry.practitioner_id, start__lt=entry.end, end__gt=entry.start)
        if entry.location_id:
            overlap &= Q(location_id=entry.location_id)
        inside |= overlap
    visits = list(
        _appointments()
        .filter(inside, organization=organization, status__in=ACTIVE_STATUSES, end__gt=clock.now())
        .annotate(
            times_offered_at=Max(
                "reschedule_offers__offered_at", filter=Q(reschedule_offers__closed_at=None)
            )
        )
        .order_by("start", "id")
    )
    audit_record_many(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.QUERY,
        targets=[_target(visit) for visit in visits],
    )
    return [
        TimeOff(entry, [visit for visit in visits if _lies_in(visit, entry)]) for entry in entries
    ]


def _time_off() -> QuerySet[AvailabilityException]:
    return AvailabilityException.objects.select_related(
        "organization", "practitioner", "location", "created_by"
    ).prefetch_related("practitioner__roles__location")


def time_off_zone(entry: AvailabilityException) -> ZoneInfo:
    """The wall clock an entry was typed in and is shown in: its location's; for time off
    everywhere, the practitioner's (see `practitioner_zone`)."""
    if entry.location is not None:
        return ZoneInfo(entry.location.timezone)
    return ZoneInfo(practitioner_zone(entry.practitioner, entry.organization.timezone))


def time_off_ahead(
    *,
    organization: Organization,
    actor: User | None,
    practitioner: Practitioner | None = None,
    limit: int = 100,
) -> list[TimeOff]:
    """Time off and extra hours not yet over, soonest first, each with its visits ahead."""
    entries = _time_off().filter(organization=organization, end__gt=clock.now())
    if practitioner is not None:
        entries = entries.filter(practitioner=practitioner)
    return _with_visits(organization, actor, list(entries.order_by("start", "id")[:limit]))


def time_off_read(
    *, organization: Organization, actor: User | None, public_id: uuid.UUID | str
) -> TimeOff:
    """One entry with its visits ahead, or NotFound (also for another organization's)."""
    entry = access_time_off(organization=organization, public_id=public_id)
    return _with_visits(organization, actor, [entry])[0]


def access_time_off(
    *, organization: Organization, public_id: uuid.UUID | str
) -> AvailabilityException:
    return get_in_organization(_time_off(), organization, public_id)


def _time_off_at(location_id: int, start: datetime.datetime, end: datetime.datetime):
    """Time off that overlaps [start, end) at the location (there, or everywhere)."""
    return AvailabilityException.objects.filter(
        Q(location_id=location_id) | Q(location=None),
        kind=ExceptionKind.UNAVAILABLE,
        start__lt=end,
        end__gt=start,
    ).order_by("start", "id")


def time_off_during(
    *, location: Location, start: datetime.datetime, end: datetime.datetime
) -> dict[int, list[AvailabilityException]]:
    """By practitioner id, the time off that takes them out of [start, end) at the location
    (theirs there, or everywhere), soonest first."""
    found: dict[int, list[AvailabilityException]] = {}
    entries = _time_off_at(location.pk, start, end).filter(organization_id=location.organization_id)
    for entry in entries.select_related("practitioner"):
        found.setdefault(entry.practitioner_id, []).append(entry)
    return found


def time_off_over(
    *, practitioner_id: int, location_id: int, start: datetime.datetime, end: datetime.datetime
) -> list[AvailabilityException]:
    """The practitioner's time off over [start, end) at the location: why a visit then has
    to move, and why time freed then is nobody's to take."""
    return list(_time_off_at(location_id, start, end).filter(practitioner_id=practitioner_id))


def time_off_over_visit(appointment: Appointment) -> list[AvailabilityException]:
    return time_off_over(
        practitioner_id=appointment.practitioner_id,
        location_id=appointment.location_id,
        start=appointment.start,
        end=appointment.end,
    )


def weekly_hours(
    *, practitioner: Practitioner, on_or_after: datetime.date
) -> list[AvailabilityRule]:
    """The practitioner's weekly hours and breaks still in effect on or after the day, by
    location, weekday and time."""
    return list(
        AvailabilityRule.objects.filter(practitioner=practitioner)
        .filter(Q(effective_until=None) | Q(effective_until__gte=on_or_after))
        .select_related("location")
        .order_by("location__name", "weekday", "start_time", "id")
    )


def access_weekly_hours(
    *, organization: Organization, public_id: uuid.UUID | str
) -> AvailabilityRule:
    return get_in_organization(
        AvailabilityRule.objects.select_related("location", "practitioner"), organization, public_id
    )


def visits_in_hours_after(
    *, rule: AvailabilityRule, last_day: datetime.date, actor: User | None
) -> list[Appointment]:
    """Active visits still ahead at the rule's location, on its weekday and within its
    times, after `last_day`: those booked in working hours that end then. Audited as query
    results."""
    zone = ZoneInfo(rule.location.timezone)
    after = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time(0), zone)
    candidates = _appointments().filter(
        Q(start__gte=max(after, clock.now())),
        organization_id=rule.organization_id,
        practitioner_id=rule.practitioner_id,
        location_id=rule.location_id,
        status__in=ACTIVE_STATUSES,
    )
    if rule.effective_until is not None:
        end = rule.effective_until + datetime.timedelta(days=1)
        candidates = candidates.filter(
            start__lt=datetime.datetime.combine(end, datetime.time(0), zone)
        )
    visits = [
        visit
        for visit in candidates.order_by("start", "id")
        if (local := visit.start.astimezone(zone)).weekday() == rule.weekday
        and rule.start_time <= local.time() < rule.end_time
    ]
    audit_record_many(
        organization_id=rule.organization_id,
        actor=actor,
        action=AuditAction.QUERY,
        targets=[_target(visit) for visit in visits],
    )
    return visits
