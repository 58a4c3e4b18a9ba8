"""Time off and extra hours in the demo clinic, recorded after its visits were booked, as a
clinic learns of them: a week of leave and a sick day with visits still to move, and an
extra morning on someone's usual day off."""

from __future__ import annotations

import datetime
import random
from zoneinfo import ZoneInfo

from carebridge.accounts.models import User
from carebridge.core import clock
from carebridge.demo.clinic import WEEKDAYS, Clinic, Clinician
from carebridge.scheduling.constants import ExceptionKind
from carebridge.scheduling.services.time_off import availability_exception_create

EXTRA_MORNING = (datetime.time(9), datetime.time(12))


def _midnight(day: datetime.date, zone: ZoneInfo) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(0), zone)


def _next_weekday(day: datetime.date) -> datetime.date:
    day += datetime.timedelta(days=1)
    while day.weekday() not in WEEKDAYS:
        day += datetime.timedelta(days=1)
    return day


def _away(clinician: Clinician, first: datetime.date, days: int, reason: str, actor: User):
    zone = ZoneInfo(clinician.workdays[0].location.timezone)
    availability_exception_create(
        practitioner=clinician.practitioner,
        kind=ExceptionKind.UNAVAILABLE,
        start=_midnight(first, zone),
        end=_midnight(first + datetime.timedelta(days=days), zone),
        reason=reason,
        actor=actor,
    )


def _extra_morning(clinician: Clinician, week_start: datetime.date, actor: User) -> None:
    """Three hours on the first weekday the clinician does not usually work, at their
    first usual location."""
    usual = {workday.weekday for workday in clinician.workdays}
    weekday = next(day for day in WEEKDAYS if day not in usual)
    location = clinician.workdays[0].location
    day, zone = week_start + datetime.timedelta(days=weekday), ZoneInfo(location.timezone)
    availability_exception_create(
        practitioner=clinician.practitioner,
        kind=ExceptionKind.EXTRA_HOURS,
        start=datetime.datetime.combine(day, EXTRA_MORNING[0], zone),
        end=datetime.datetime.combine(day, EXTRA_MORNING[1], zone),
        location=location,
        reason="Covering a colleague's clinic",
        actor=actor,
    )


def time_off_seed(*, clinic: Clinic, actor: User, rng: random.Random) -> None:
    today = clock.now().astimezone(ZoneInfo(clinic.organization.timezone)).date()
    next_monday = today + datetime.timedelta(days=7 - today.weekday())
    on_leave, sick, *others = rng.sample(clinic.clinicians, len(clinic.clinicians))
    _away(on_leave, next_monday, 5, "Annual leave", actor)
    _away(sick, _next_weekday(today), 1, "Sick", actor)
    part_time = next(
        (c for c in others if len(c.workdays) < len(WEEKDAYS)),
        None,
    )
    if part_time is not None:
        _extra_morning(part_time, next_monday + datetime.timedelta(weeks=1), actor)
