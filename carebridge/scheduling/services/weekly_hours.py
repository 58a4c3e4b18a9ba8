"""A practitioner's weekly hours as a clinic admin keeps them: add hours on some weekdays at
a location, and end hours from a day on (kept for the record). The visits booked in hours
that end: `selectors.visits_in_hours_after`."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction

from carebridge.core import clock
from carebridge.core.errors import InvalidInput
from carebridge.core.timeranges import overlaps, wall_to_utc, zone_of
from carebridge.core.validation import check_years
from carebridge.directory.models import Location, Practitioner
from carebridge.directory.selectors import practitioner_role_list
from carebridge.directory.services import practitioner_role_create
from carebridge.scheduling.constants import RuleKind
from carebridge.scheduling.models import AvailabilityRule
from carebridge.scheduling.services.setup import availability_rule_create

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _dates_overlap(rule: AvailabilityRule, first, last) -> bool:
    return (rule.effective_until is None or first is None or rule.effective_until >= first) and (
        rule.effective_from is None or last is None or rule.effective_from <= last
    )


# Mondays of a week of northern winter and one of northern summer. Weekly hours are wall
# clock times, each in its location's zone, so they are compared as the instants they stand
# for in real weeks. The offset between two zones can change with the season (Phoenix and
# Chicago, Chicago and London), so hours are compared in both weeks and a clash in either
# counts: the practitioner would be in two places for half of every year. Zones whose
# offsets differ by the same all year (the US zones keeping summer time, which change
# clocks on the same dates) give the same answer in both weeks. Hours that overlap only in
# the few days when one zone has changed its clocks and the other not yet are not caught.
REFERENCE_MONDAYS = (datetime.date(2026, 1, 5), datetime.date(2026, 7, 6))
WEEK_SHIFTS = tuple(datetime.timedelta(weeks=weeks) for weeks in (-1, 0, 1))


def _week_span(
    location: Location,
    weekday: int,
    times: tuple[datetime.time, datetime.time],
    monday: datetime.date,
) -> tuple[datetime.datetime, datetime.datetime]:
    """The instants hours on the weekday stand for in the week from `monday`."""
    day, zone = monday + datetime.timedelta(days=weekday), zone_of(location.timezone)
    return wall_to_utc(day, times[0], zone), wall_to_utc(day, times[1], zone)


def _clash(
    rule: AvailabilityRule,
    location: Location,
    weekday: int,
    times: tuple[datetime.time, datetime.time],
) -> bool:
    """Whether the hours overlap the rule's in a reference week. The rule is also placed in
    the weeks either side: Sunday evening in one zone can be Monday in the next."""
    rule_times = (rule.start_time, rule.end_time)
    return any(
        overlaps(
            *_week_span(location, weekday, times, monday),
            *_week_span(rule.location, rule.weekday, rule_times, monday + shift),
        )
        for monday in REFERENCE_MONDAYS
        for shift in WEEK_SHIFTS
    )


def _elsewhere_then(
    practitioner: Practitioner,
    location: Location,
    weekday: int,
    times: tuple[datetime.time, datetime.time],
    dates: tuple[datetime.date | None, datetime.date | None],
) -> AvailabilityRule | None:
    """Working hours at another location that the new hours would overlap in real time.
    Every weekday is read: hours late in the evening in one zone can fall on the next day
    in another."""
    others = (
        AvailabilityRule.objects.filter(practitioner=practitioner, kind=RuleKind.WORKING)
        .exclude(location=location)
        .select_related("location")
    )
    return next(
        (
            rule
            for rule in others
            if _dates_overlap(rule, *dates) and _clash(rule, location, weekday, times)
        ),
        None,
    )


def _check_dates(
    location: Location, effective_from: datetime.date | None, effective_until: datetime.date | None
) -> None:
    """Days at the location, in its own calendar: a mistyped year, or hours that would be
    over before they are added (ending today still counts today)."""
    zone = zone_of(location.timezone)
    check_years({"effective_from": effective_from, "effective_until": effective_until}, zone=zone)
    if effective_until is not None and effective_until < clock.today(zone):
        raise InvalidInput(
            "effective_until: These hours are already over.", field="effective_until"
        )


def check_last_day(rule: AvailabilityRule, last_day: datetime.date) -> None:
    """A day the hours may end on, refused before anything reads it: a mistyped year, or a
    day already past (the days gone by keep the hours they had, as added hours can't end
    before today either; hours to stop today are time off)."""
    zone = zone_of(rule.location.timezone)
    check_years({"last_day": last_day}, zone=zone)
    today = clock.today(zone)
    if last_day < today:
        raise InvalidInput(
            f"last_day: {last_day:%Y-%m-%d} is past; hours can end today"
            f" ({today:%Y-%m-%d}) at the earliest",
            field="last_day",
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
    _check_dates(location, effective_from, effective_until)
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
                    f" on {WEEKDAY_NAMES[clash.weekday]}s {clash.start_time:%H:%M}"
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


@transaction.atomic
def weekly_hours_end(*, rule: AvailabilityRule, last_day: datetime.date) -> AvailabilityRule | None:
    """The hours stop after `last_day` and stay on record; hours that would not have begun
    by then are removed. Returns the rule, or None when it was removed."""
    check_last_day(rule, last_day)
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
