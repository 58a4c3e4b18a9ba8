"""The availability engine: which start times are free for a visit type.

Working hours are weekly wall-clock rules in the location's zone; each day they become UTC
ranges, minus breaks, time off, closed days and public holidays, plus extra hours. A start
time is offered when the whole visit fits in that free time and the visit with its buffers
overlaps none of the practitioner's active appointments (at any location). Start times sit
on a wall-clock grid; times a DST change skips or repeats are never offered.
"""

from __future__ import annotations

import bisect
import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cache
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.db import DEFAULT_DB_ALIAS, connection, connections
from django.db.models import Q, QuerySet

from carebridge.accounts.models import Organization
from carebridge.core import clock
from carebridge.core.db import quoted_column
from carebridge.core.errors import DomainError, InvalidInput
from carebridge.core.selectors import RowLoader
from carebridge.core.timeranges import (
    UTC,
    Range,
    intersect,
    is_unambiguous_wall_time,
    local_day_bounds,
    merge,
    subtract,
    wall_to_utc,
    zone_of,
)
from carebridge.directory.models import Location, OpeningHours, Practitioner, PractitionerRole
from carebridge.patients.models import Patient
from carebridge.scheduling.constants import (
    ACTIVE_STATUSES,
    BOOKING_HORIZON,
    EARLIEST_VISIT_YEAR,
    AppointmentStatus,
    ExceptionKind,
    PatientKind,
    RuleKind,
)
from carebridge.scheduling.errors import SchedulingErrorCode as Code
from carebridge.scheduling.holidays import public_holiday
from carebridge.scheduling.models import (
    Appointment,
    AvailabilityException,
    AvailabilityRule,
    ClosedDay,
    VisitType,
)

MAX_SEARCH_DAYS = 366
GRID_MINUTES = 15
FIRST_WINDOW_DAYS = 1  # busy times load in windows of 1, 2, 4, ... days: most searches end early


@dataclass(frozen=True, order=True)
class FreeSlot:
    start: datetime.datetime
    practitioner_id: int
    location_id: int
    visit_type_id: int = field(compare=False)
    end: datetime.datetime = field(compare=False)


@dataclass
class _Pair:
    """One practitioner at one location, with the weekly rules that apply there and the
    location's opening hours."""

    practitioner_id: int
    location: Location
    rules: list  # rows of RULE_COLUMNS
    opening: list  # rows with weekday, opens and closes

    @property
    def zone(self) -> ZoneInfo:
        return zone_of(self.location.timezone)


@dataclass
class _Calendar:
    """Everything that shapes free time for a set of pairs over a date range."""

    exceptions: dict[int, list]  # rows of EXCEPTION_COLUMNS
    closed: set[tuple[int | None, datetime.date]]
    busy: dict[int, list[Range]] = field(default_factory=dict)
    # The visits of the patient being searched for, merged: no slot may overlap them.
    patient_busy: list[Range] = field(default_factory=list)

    def is_closed(self, location: Location, day: datetime.date) -> bool:
        closed = (None, day) in self.closed or (location.pk, day) in self.closed
        return closed or public_holiday(location, day) is not None

    def free_ranges(self, pair: _Pair, day: datetime.date) -> list[Range]:
        """The pair's bookable time on one local day, in UTC."""
        if self.is_closed(pair.location, day):
            return []
        working, breaks = [], []
        for rule in pair.rules:
            if rule.weekday != day.weekday() or not _in_effect(rule, day):
                continue
            span = (
                wall_to_utc(day, rule.start_time, pair.zone),
                wall_to_utc(day, rule.end_time, pair.zone),
            )
            (working if rule.kind == RuleKind.WORKING else breaks).append(span)
        day_start, day_end = local_day_bounds(day, pair.zone)
        time_off = []
        for exception in self.exceptions.get(pair.practitioner_id, []):
            if exception.kind == ExceptionKind.EXTRA_HOURS:
                if exception.location_id == pair.location.pk:
                    working.append((max(exception.start, day_start), min(exception.end, day_end)))
            elif exception.location_id in (None, pair.location.pk):
                time_off.append((exception.start, exception.end))
        working = merge([(start, end) for start, end in working if start < end])
        if pair.opening:
            working = intersect(
                working,
                [
                    (
                        wall_to_utc(day, hours.opens, pair.zone),
                        wall_to_utc(day, hours.closes, pair.zone),
                    )
                    for hours in pair.opening
                    if hours.weekday == day.weekday()
                ],
            )
        return subtract(working, breaks + time_off)

    def is_busy(self, practitioner_id: int, start: datetime.datetime, end: datetime.datetime):
        return _overlaps(self.busy.get(practitioner_id, []), start, end)

    def is_patient_busy(self, start: datetime.datetime, end: datetime.datetime) -> bool:
        return _overlaps(self.patient_busy, start, end)


def _overlaps(ranges: list[Range], start: datetime.datetime, end: datetime.datetime) -> bool:
    """Whether [start, end) overlaps one of `ranges` (merged and sorted)."""
    index = bisect.bisect_left(ranges, (end,)) - 1
    return index >= 0 and ranges[index][1] > start


def _in_effect(rule: AvailabilityRule, day: datetime.date) -> bool:
    return (rule.effective_from is None or rule.effective_from <= day) and (
        rule.effective_until is None or day <= rule.effective_until
    )


RULE_COLUMNS = (
    "practitioner_id",
    "location_id",
    "kind",
    "weekday",
    "start_time",
    "end_time",
    "effective_from",
    "effective_until",
)


def _rule_rows(rules):
    """Rules as light rows with the model's attribute names: a search reads hundreds."""
    return rules.values_list(*RULE_COLUMNS, named=True)


def _pairs(
    organization: Organization,
    visit_type: VisitType | None,
    *,
    practitioner_ids,
    specialty_id,
    location_id,
    language,
) -> list[_Pair]:
    roles = PractitionerRole.objects.filter(
        organization=organization, active=True, practitioner__active=True, location__active=True
    )
    if practitioner_ids is not None:
        roles = roles.filter(practitioner_id__in=practitioner_ids)
    if location_id:
        roles = roles.filter(location_id=location_id)
    if specialty_id:
        roles = roles.filter(practitioner__specialties__id=specialty_id)
    if language:
        roles = roles.filter(practitioner__languages__code__iexact=language)
    allowed = visit_type and list(visit_type.allowed_specialties.values_list("id", flat=True))
    if allowed:
        roles = roles.filter(practitioner__specialties__id__in=allowed)
    keys = sorted(set(roles.values_list("practitioner_id", "location_id")))
    if not keys:
        return []
    locations = Location.objects.prefetch_related("opening_hours").in_bulk(
        {location_id for _, location_id in keys}
    )
    rules = defaultdict(list)
    practitioner_filter = Q(practitioner_id__in={practitioner_id for practitioner_id, _ in keys})
    for rule in _rule_rows(
        AvailabilityRule.objects.filter(practitioner_filter, organization=organization)
    ):
        rules[(rule.practitioner_id, rule.location_id)].append(rule)
    return [
        _Pair(p, locations[loc], rules[(p, loc)], list(locations[loc].opening_hours.all()))
        for p, loc in keys
        if rules[(p, loc)]
    ]


EXCEPTION_COLUMNS = ("practitioner_id", "kind", "location_id", "start", "end")


def _closed_dates(span: Range) -> tuple[datetime.date, datetime.date]:
    """The UTC dates that closed days may fall on for local days within the span."""
    return span[0].date() - datetime.timedelta(days=1), span[1].date() + datetime.timedelta(days=1)


def _calendar(organization_id: int, practitioner_ids: set[int], span: Range) -> _Calendar:
    exceptions = defaultdict(list)
    for exception in AvailabilityException.objects.filter(
        organization_id=organization_id,
        practitioner_id__in=practitioner_ids,
        start__lt=span[1],
        end__gt=span[0],
    ).values_list(*EXCEPTION_COLUMNS, named=True):
        exceptions[exception.practitioner_id].append(exception)
    closed = set(
        ClosedDay.objects.filter(
            organization_id=organization_id, date__range=_closed_dates(span)
        ).values_list("location_id", "date")
    )
    return _Calendar(exceptions, closed)


def _load_busy(
    calendar: _Calendar, organization, practitioner_ids: set[int], span: Range, rules: _SlotRules
):
    """The practitioners' booked time that a visit starting in `span` could touch: what
    overlaps the span widened by the visit's own reach (its buffer before, its length and
    buffer after); stored appointments' buffers are already in their blocked times."""
    reach = (span[0] - rules.before, span[1] + rules.after)
    busy = defaultdict(list)
    for practitioner_id, start, end in (
        Appointment.objects.filter(
            organization=organization,
            practitioner_id__in=practitioner_ids,
            status__in=ACTIVE_STATUSES,
            blocked_start__lt=reach[1],
            blocked_end__gt=reach[0],
        )
        .order_by()
        .values_list("practitioner_id", "blocked_start", "blocked_end")
    ):
        busy[practitioner_id].append((start, end))
    calendar.busy = {key: merge(ranges) for key, ranges in busy.items()}


def patient_visits_during(
    patient_id: int, start: datetime.datetime, end: datetime.datetime
) -> QuerySet[Appointment]:
    """The patient's active visits overlapping [start, end): times they cannot be booked
    at (visit times only: buffers keep practitioners apart, not patients)."""
    return Appointment.objects.filter(
        patient_id=patient_id, status__in=ACTIVE_STATUSES, start__lt=end, end__gt=start
    )


SEEN_STATUSES = (
    AppointmentStatus.ARRIVED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.FULFILLED,
)


def check_patient_bookable(patient: Patient) -> None:
    """A record merged into another keeps its history only (visits go to the record kept),
    and an inactive one is out of use until someone reactivates it."""
    if patient.merged_into_id is not None:
        raise InvalidInput(
            "patient: this record was merged into another; book for the record kept",
            field="patient",
        )
    if not patient.active:
        raise InvalidInput(
            f"patient: {patient.display_name} ({patient.mrn}) is inactive; reactivate the"
            " record first",
            field="patient",
        )


def patient_kind_refusal(
    patient: Patient, visit_type: VisitType, start: datetime.datetime
) -> DomainError | None:
    """Why the patient cannot have this visit type at `start`, or None: new-patient visits
    are for people the clinic has not seen by then, established ones the reverse."""
    if visit_type.patient_kind == PatientKind.ANY:
        return None
    seen = Appointment.objects.filter(
        patient=patient, status__in=SEEN_STATUSES, start__lt=start
    ).exists()
    if seen != (visit_type.patient_kind == PatientKind.NEW):
        return None
    who = "has been seen here before" if seen else "has not been seen here yet"
    return DomainError(
        f"visit_type: {visit_type} is for {visit_type.get_patient_kind_display().lower()};"
        f" {patient.display_name} {who}",
        code=Code.PATIENT_KIND,
        field="visit_type",
    )


def _patient_visits(
    patient_id: int, span: Range, rules: _SlotRules, except_id: int | None
) -> list[Range]:
    """The patient's visits a slot starting in `span` could overlap, except the one being
    moved."""
    visits = patient_visits_during(patient_id, span[0], span[1] + rules.duration)
    if except_id is not None:
        visits = visits.exclude(pk=except_id)
    return merge(visits.order_by().values_list("start", "end"))


def _utc_span(pairs: list[_Pair], first: datetime.date, last: datetime.date) -> Range:
    zones = {pair.location.timezone for pair in pairs}
    starts = [local_day_bounds(first, zone_of(z))[0] for z in zones]
    ends = [local_day_bounds(last, zone_of(z))[1] for z in zones]
    return min(starts), max(ends)


def _grid_start(moment: datetime.datetime, zone: ZoneInfo, step: int) -> datetime.datetime:
    """The first wall-clock grid time at or after `moment`, as a naive local time."""
    local = moment.astimezone(zone).replace(tzinfo=None)
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    minutes = -(-(local - midnight) // datetime.timedelta(minutes=step))
    return midnight + datetime.timedelta(minutes=minutes * step)


class _SlotRules:
    """What a start time must satisfy, with the visit's lengths worked out once."""

    def __init__(self, visit_type: VisitType, not_before: datetime.datetime, time_of_day):
        self.visit_type = visit_type
        self.not_before = not_before
        self.time_of_day = time_of_day
        self.duration = datetime.timedelta(minutes=visit_type.duration_minutes)
        self.before = datetime.timedelta(minutes=visit_type.buffer_before_minutes)
        self.after = self.duration + datetime.timedelta(minutes=visit_type.buffer_after_minutes)

    def blocked(self, start: datetime.datetime) -> Range:
        return start - self.before, start + self.after


def _day_slots(pair: _Pair, day: datetime.date, calendar: _Calendar, rules: _SlotRules):
    step = min(GRID_MINUTES, rules.visit_type.duration_minutes)
    zone = pair.zone
    for free_start, free_end in calendar.free_ranges(pair, day):
        local = _grid_start(max(free_start, rules.not_before), zone, step)
        while True:
            start = local.replace(tzinfo=zone).astimezone(UTC)
            if start + rules.duration > free_end:
                break
            if (
                is_unambiguous_wall_time(local, zone)
                and _wanted(local, rules)
                and not (calendar.is_busy(pair.practitioner_id, *rules.blocked(start)))
                and not calendar.is_patient_busy(start, start + rules.duration)
            ):
                yield FreeSlot(
                    start,
                    pair.practitioner_id,
                    pair.location.pk,
                    rules.visit_type.pk,
                    start + rules.duration,
                )
            local += datetime.timedelta(minutes=step)


def _wanted(local: datetime.datetime, rules: _SlotRules) -> bool:
    if rules.time_of_day is None:
        return True
    earliest, latest = rules.time_of_day
    return earliest <= local.time() < latest


def slot_search(
    *,
    organization: Organization,
    visit_type: VisitType,
    start_date: datetime.date,
    end_date: datetime.date,
    practitioner_ids: list[int] | None = None,
    specialty_id: int | None = None,
    location_id: int | None = None,
    language: str = "",
    time_of_day: tuple[datetime.time, datetime.time] | None = None,
    limit: int = 100,
    patient_id: int | None = None,
    except_appointment_id: int | None = None,
    not_before: datetime.datetime | None = None,
) -> list[FreeSlot]:
    """Free slots for `visit_type`, earliest first (ties by practitioner, then location).

    Dates are local dates of each location, `end_date` inclusive; never a slot in the past,
    nor one starting before `not_before`.
    With `patient_id`, only times that patient is free too: none overlapping their active
    visits, except `except_appointment_id` (the visit being moved).
    Searches a week at a time and stops as soon as later weeks cannot beat what it has.
    """
    _check_range(start_date, end_date, limit)
    pairs = _pairs(
        organization,
        visit_type,
        practitioner_ids=practitioner_ids,
        specialty_id=specialty_id,
        location_id=location_id,
        language=language,
    )
    if not pairs:
        return []
    practitioner_ids_found = {pair.practitioner_id for pair in pairs}
    span = _utc_span(pairs, start_date, end_date)
    calendar = _calendar(organization.pk, practitioner_ids_found, span)
    now = clock.now()
    rules = _SlotRules(visit_type, max(now, not_before or now), time_of_day)
    if patient_id is not None:
        calendar.patient_busy = _patient_visits(patient_id, span, rules, except_appointment_id)
    found: list[FreeSlot] = []
    window_start, window_days = start_date, FIRST_WINDOW_DAYS
    while window_start <= end_date:
        window_end = min(window_start + datetime.timedelta(days=window_days - 1), end_date)
        _load_busy(
            calendar,
            organization,
            practitioner_ids_found,
            _utc_span(pairs, window_start, window_end),
            rules,
        )
        day = window_start
        while day <= window_end:
            # No pair can place more than `limit` slots of one day among the best `limit`.
            for pair in pairs:
                found.extend(itertools.islice(_day_slots(pair, day, calendar, rules), limit))
            found.sort()
            del found[limit:]
            day += datetime.timedelta(days=1)
            # Every later slot starts at or after the earliest local midnight of `day`.
            if len(found) == limit and found[-1].start < _utc_span(pairs, day, day)[0]:
                return found
        window_start, window_days = window_end + datetime.timedelta(days=1), window_days * 2
    return found


def bookable_minutes(
    *,
    organization: Organization,
    start_date: datetime.date,
    end_date: datetime.date,
    location_id: int | None = None,
) -> dict[tuple[int, int, datetime.date], float]:
    """Minutes each practitioner could see patients at each location on each local day
    (`end_date` inclusive): working and extra hours within opening hours, minus breaks,
    time off, closed days and holidays, before any appointment. What utilization divides by.
    """
    pairs = _pairs(
        organization,
        None,
        practitioner_ids=None,
        specialty_id=None,
        location_id=location_id,
        language="",
    )
    if not pairs:
        return {}
    calendar = _calendar(
        organization.pk,
        {pair.practitioner_id for pair in pairs},
        _utc_span(pairs, start_date, end_date),
    )
    minutes = {}
    for pair in pairs:
        day = start_date
        while day <= end_date:
            free = calendar.free_ranges(pair, day)
            if free:
                seconds = sum((end - start).total_seconds() for start, end in free)
                minutes[(pair.practitioner_id, pair.location.pk, day)] = seconds / 60
            day += datetime.timedelta(days=1)
    return minutes


def last_searchable_day() -> datetime.date:
    """The last day a search may look at: the booking horizon from today."""
    return clock.now().date() + BOOKING_HORIZON


def check_search_day(day: datetime.date, field: str) -> None:
    """A day a search may name: from the first visit year to the booking horizon."""
    latest = last_searchable_day()
    if day.year < EARLIEST_VISIT_YEAR or day > latest:
        raise InvalidInput(
            f"{field}: must be from {EARLIEST_VISIT_YEAR}-01-01 to {latest}; check the year",
            field=field,
        )


def _check_range(start_date: datetime.date, end_date: datetime.date, limit: int) -> None:
    check_search_day(start_date, "start_date")
    check_search_day(end_date, "end_date")
    if end_date < start_date:
        raise InvalidInput("end_date: must not be before start_date", field="end_date")
    if (end_date - start_date).days >= MAX_SEARCH_DAYS:
        raise InvalidInput(
            f"end_date: at most {MAX_SEARCH_DAYS} days after start_date", field="end_date"
        )
    if not 1 <= limit <= 1000:
        raise InvalidInput("limit: must be between 1 and 1000", field="limit")


class _Hours(NamedTuple):
    weekday: int
    opens: datetime.time
    closes: datetime.time


class _Placement(NamedTuple):
    """One row of `_placement_sql`: its source, then the PLACEMENT_TYPES columns that source
    has (None for the others; a closed day's date comes as `effective_from`)."""

    source: str
    kind: str | None
    weekday: int | None
    start_time: datetime.time | None
    end_time: datetime.time | None
    effective_from: datetime.date | None
    effective_until: datetime.date | None
    location_id: int | None
    start: datetime.datetime | None
    end: datetime.datetime | None


# Each column of `_Placement` after its source, with the field that gives its type.
PLACEMENT_TYPES = {
    "kind": (AvailabilityRule, "kind"),
    "weekday": (AvailabilityRule, "weekday"),
    "start_time": (AvailabilityRule, "start_time"),
    "end_time": (AvailabilityRule, "end_time"),
    "effective_from": (AvailabilityRule, "effective_from"),
    "effective_until": (AvailabilityRule, "effective_until"),
    "location_id": (AvailabilityException, "location"),
    "start": (AvailabilityException, "start"),
    "end": (AvailabilityException, "end"),
}
RULE_PLACEMENT = {name: name for name in list(PLACEMENT_TYPES)[:6]}
# Sources of `_placement_sql` rows beside the calendar's: an active role at the location,
# and a visit type whose allowed specialties the practitioner has none of.
WORKS_HERE, UNFIT = "works here", "unfit"


@cache
def _placement_sql() -> tuple[str, RowLoader]:
    """Everything that decides whether a practitioner may see a visit type at a location
    over a span, in one statement, written out because every booking and move runs it: an
    active role at the location, a specialty the visit type allows, the weekly rules, the
    location's opening hours, the clinic's closed days and the practitioner's exceptions.
    Parameters: practitioner and location (role); visit type, visit type and practitioner
    (specialty); practitioner and location (rules); location (hours); organization, first
    and last date (closed days); organization, practitioner, span end and span start
    (exceptions). Also the loader of its rows."""
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for model, name in PLACEMENT_TYPES.values()]

    def selected(meta, columns: dict[str, str]) -> str:
        """The named `_Placement` columns from the model's fields, typed NULL for the rest
        (so that every branch of the union agrees on each column's type)."""
        return ", ".join(
            quoted_column(meta, columns[name])
            if name in columns
            else f"CAST(NULL AS {field.db_type(connection)})"
            for name, field in zip(PLACEMENT_TYPES, fields, strict=True)
        )

    def branch(model, source: str, columns: dict[str, str], conditions: str) -> str:
        """SELECT the model's fields as the named `_Placement` columns, NULL as the rest."""
        meta = model._meta
        tests = " AND ".join(
            f"{quoted_column(meta, name)} {test}"
            for name, test in (condition.split(" ", 1) for condition in conditions.split(", "))
        )
        columns_sql = selected(meta, columns)
        return f"SELECT '{source}', {columns_sql} FROM {quote(meta.db_table)} WHERE {tests}"  # noqa: S608

    allowed = VisitType.allowed_specialties.through._meta
    held = Practitioner.specialties.through._meta
    allowed_for = f"a.{quoted_column(allowed, 'visittype')}"
    unfit = (
        f"SELECT '{UNFIT}', {selected(allowed, {})} WHERE EXISTS (SELECT 1"  # noqa: S608
        f" FROM {quote(allowed.db_table)} a WHERE {allowed_for} = %s) AND NOT EXISTS (SELECT 1"
        f" FROM {quote(allowed.db_table)} a JOIN {quote(held.db_table)} h"
        f" ON h.{quoted_column(held, 'specialty')} = a.{quoted_column(allowed, 'specialty')}"
        f" WHERE {allowed_for} = %s AND h.{quoted_column(held, 'practitioner')} = %s)"
    )
    sql = " UNION ALL ".join(
        [
            branch(
                PractitionerRole,
                WORKS_HERE,
                {},
                "practitioner = %s, location = %s, active = true",
            ),
            unfit,
            branch(AvailabilityRule, "rule", RULE_PLACEMENT, "practitioner = %s, location = %s"),
            branch(
                OpeningHours,
                "hours",
                {"weekday": "weekday", "start_time": "opens", "end_time": "closes"},
                "location = %s",
            ),
            branch(
                ClosedDay,
                "closed",
                {"effective_from": "date", "location_id": "location"},
                "organization = %s, date >= %s, date <= %s",
            ),
            branch(
                AvailabilityException,
                "exception",
                {"kind": "kind", "location_id": "location", "start": "start", "end": "end"},
                "organization = %s, practitioner = %s, start < %s, end > %s",
            ),
        ]
    )
    return sql, RowLoader(fields)


@dataclass(frozen=True)
class PlacementCheck:
    """Whether a practitioner may see a visit type at a location over a span: an active
    role there (`works_here`), a specialty the visit type allows, or a visit type that
    allows any (`specialty_fits`), and the span in free time: working or extra hours minus
    breaks, time off, closed days and holidays (`free`)."""

    works_here: bool
    specialty_fits: bool
    free: bool


def placement_check(
    *,
    practitioner: Practitioner,
    location: Location,
    visit_type: VisitType,
    start: datetime.datetime,
    end: datetime.datetime,
) -> PlacementCheck:
    """Everything about [start, end) that does not depend on other appointments, read in
    one statement (`_placement_sql`)."""
    sql, load = _placement_sql()
    first, last = _closed_dates((start, end))
    database = connections[DEFAULT_DB_ALIAS]
    day, moment = database.ops.adapt_datefield_value, database.ops.adapt_datetimefield_value
    organization_id = practitioner.organization_id
    with database.cursor() as cursor:
        cursor.execute(
            sql,
            [
                *(practitioner.pk, location.pk, visit_type.pk, visit_type.pk, practitioner.pk),
                *(practitioner.pk, location.pk, location.pk),
                *(organization_id, day(first), day(last)),
                *(organization_id, practitioner.pk, moment(end), moment(start)),
            ],
        )
        rows = [
            _Placement(source, *load(values, database)) for source, *values in cursor.fetchall()
        ]
    rules = [row for row in rows if row.source == "rule"]
    hours = [_Hours(r.weekday, r.start_time, r.end_time) for r in rows if r.source == "hours"]
    closed = {(row.location_id, row.effective_from) for row in rows if row.source == "closed"}
    exceptions = [row for row in rows if row.source == "exception"]
    pair = _Pair(practitioner.pk, location, rules, hours)
    calendar = _Calendar({practitioner.pk: exceptions}, closed)
    sources = {row.source for row in rows}
    return PlacementCheck(
        works_here=WORKS_HERE in sources,
        specialty_fits=UNFIT not in sources,
        free=any(
            free_start <= start and end <= free_end
            for free_start, free_end in calendar.free_ranges(
                pair, start.astimezone(pair.zone).date()
            )
        ),
    )


def slot_is_free(
    *,
    organization: Organization,
    visit_type: VisitType,
    practitioner: Practitioner,
    location: Location,
    start: datetime.datetime,
) -> bool:
    """Whether `slot_search` would offer exactly this start right now."""
    if practitioner.organization_id != organization.pk:
        return False
    local_day = start.astimezone(zone_of(location.timezone)).date()
    slots = slot_search(
        organization=organization,
        visit_type=visit_type,
        start_date=local_day,
        end_date=local_day,
        practitioner_ids=[practitioner.pk],
        location_id=location.pk,
        limit=1000,
    )
    return any(slot.start == start for slot in slots)
