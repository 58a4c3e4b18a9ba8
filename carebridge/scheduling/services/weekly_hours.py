"""A practitioner's weekly hours as a clinic admin keeps them: add hours on some weekdays at
a location, end hours from a day on (kept for the record), and see the visits booked in
hours that end."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import Q

from carebridge.core import clock
from carebridge.core.errors import InvalidInput
from carebridge.directory.models import Location, Practitioner
from carebridge.directory.selectors import practitioner_role_list
from carebridge.directory.services import practitioner_role_create
from carebridge.scheduling.constants import ACTIVE_STATUSES, RuleKind
from carebridge.scheduling.models import Appointment, AvailabilityRule
from carebridge.scheduling.services.setup import availability_rule_create

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _dates_overlap(rule: AvailabilityRule, first, last) -> bool:
    return (rule.effective_until is None or first is None or rule.effective_until >= first) and (
        rule.effective_from is None or last is None or rule.effective_from <= last
    )


def _elsewhere_then(
    practitioner: Practitioner,
    location: Location,
    weekday: int,
    times: tuple[datetime.time, datetime.time],
    dates: tuple[datetime.date | None, datetime.date | None],
) -> AvailabilityRule | None:
    """Working hours at another location that the new hours would overlap."""
    others = AvailabilityRule.objects.filter(
        practitioner=practitioner,
        weekday=weekday,
        kind=RuleKind.WORKING,
        start_time__lt=times[1],
        end_time__gt=times[0],
    ).exclude(location=location)
    return next(
        (rule for rule in others.select_related("location") if _dates_overlap(rule, *dates)),
        None,
    )


def _works_at(practitioner: Practitioner, location: Location) -> None:
    """Hours at a location make the practitioner bookable there: give them a role at it, in
    each of their specialties, when they have none yet."""
    if practitioner_role_list(
        organization=location.organization, practitioner=practitioner, location=location
    ):
        return
    for specialty in list(practitioner.specialties.all()) or [None]:
        practitioner_role_create(practitioner=practitioner, location=location, specialty=specialty)


@transaction.atomic
def weekly_hours_add(
    *,
    practitioner: Practitioner,
    location: Location,
    weekdays: Sequence[int],
    start_time: datetime.time,
    end_time: datetime.time,
    kind: str = RuleKind.WORKING,
    effective_from: datetime.date | None = None,
    effective_until: datetime.date | None = None,
) -> list[AvailabilityRule]:
    """Working hours (or a break) on each of the weekdays, in the location's wall clock.
    Working hours may not overlap the practitioner's hours at another location."""
    if not weekdays:
        raise InvalidInput("weekdays: choose at least one day", field="weekdays")
    if location.organization_id != practitioner.organization_id:
        raise InvalidInput("location: not found", field="location")
    if kind == RuleKind.WORKING:
        for weekday in weekdays:
            clash = _elsewhere_then(
                practitioner,
                location,
                weekday,
                (start_time, end_time),
                (effective_from, effective_until),
            )
            if clash is not None:
                raise InvalidInput(
                    f"start_time: {practitioner.display_name} works at {clash.location.name}"
                    f" on {WEEKDAY_NAMES[weekday]}s {clash.start_time:%H:%M}"
                    f"\u2013{clash.end_time:%H:%M}",
                    field="start_time",
                )
        _works_at(practitioner, location)
    return [
        availability_rule_create(
            practitioner=practitioner,
            location=location,
            weekday=weekday,
            start_time=start_time,
            end_time=end_time,
            kind=kind,
            effective_from=effective_from,
            effective_until=effective_until,
        )
        for weekday in sorted(set(weekdays))
    ]


def visits_in_hours_after(rule: AvailabilityRule, last_day: datetime.date) -> list[Appointment]:
    """Active visits still ahead at the rule's location, on its weekday and within its
    times, after `last_day`: those booked in working hours that end then."""
    zone = ZoneInfo(rule.location.timezone)
    after = datetime.datetime.combine(last_day + datetime.timedelta(days=1), datetime.time(0), zone)
    candidates = Appointment.objects.filter(
        Q(start__gte=max(after, clock.now())),
        organization_id=rule.organization_id,
        practitioner_id=rule.practitioner_id,
        location_id=rule.location_id,
        status__in=ACTIVE_STATUSES,
    ).select_related("patient", "location", "visit_type")
    if rule.effective_until is not None:
        end = rule.effective_until + datetime.timedelta(days=1)
        candidates = candidates.filter(
            start__lt=datetime.datetime.combine(end, datetime.time(0), zone)
        )
    return [
        visit
        for visit in candidates.order_by("start", "id")
        if (local := visit.start.astimezone(zone)).weekday() == rule.weekday
        and rule.start_time <= local.time() < rule.end_time
    ]


@transaction.atomic
def weekly_hours_end(*, rule: AvailabilityRule, last_day: datetime.date) -> AvailabilityRule | None:
    """The hours stop after `last_day` and stay on record; hours that would not have begun
    by then are removed. Returns the rule, or None when it was removed."""
    if rule.effective_until is not None and rule.effective_until <= last_day:
        raise InvalidInput(
            f"last_day: these hours already end on {rule.effective_until:%Y-%m-%d}",
            field="last_day",
        )
    if rule.effective_from is not None and last_day < rule.effective_from:
        rule.delete()
        return None
    rule.effective_until = last_day
    rule.save(update_fields=["effective_until", "updated_at"])
    return rule
