"""Time off and extra hours: the one-off changes to a practitioner's weekly hours that a
clinic records as they come (a sick day, a week away, an extra Saturday morning).

Recording time off books nothing away: the visits already booked in it stay, and the time
off page lists them for the desk to move, since each patient has to be asked."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction

from carebridge.accounts.models import User
from carebridge.core.errors import Conflict, InvalidInput, raise_all
from carebridge.core.timeranges import wall_to_utc
from carebridge.core.validation import clean_or_raise
from carebridge.directory.models import Location, Practitioner
from carebridge.directory.selectors import practitioner_role_list
from carebridge.scheduling.constants import ACTIVE_STATUSES, ExceptionKind
from carebridge.scheduling.models import Appointment, AvailabilityException


def _location_problem(
    practitioner: Practitioner, kind: str, location: Location | None
) -> InvalidInput | None:
    if location is None:
        if kind == ExceptionKind.EXTRA_HOURS:
            return InvalidInput("location: extra hours need a location", field="location")
        return None
    if location.organization_id != practitioner.organization_id:
        return InvalidInput("location: not found", field="location")
    if kind == ExceptionKind.EXTRA_HOURS and not practitioner_role_list(
        organization=location.organization, practitioner=practitioner, location=location
    ):
        return InvalidInput(
            f"location: {practitioner.display_name} does not work at {location.name}",
            field="location",
        )
    return None


def _open_during(location: Location, start: datetime.datetime, end: datetime.datetime) -> bool:
    """Whether the location's doors are open at some moment of [start, end); a location
    without opening hours is always open. Extra hours count only while they are."""
    hours = list(location.opening_hours.all())
    if not hours:
        return True
    zone = ZoneInfo(location.timezone)
    day, last = start.astimezone(zone).date(), end.astimezone(zone).date()
    while day <= last:
        for row in hours:
            if row.weekday == day.weekday() and (
                wall_to_utc(day, row.opens, zone) < end
                and wall_to_utc(day, row.closes, zone) > start
            ):
                return True
        day += datetime.timedelta(days=1)
    return False


@transaction.atomic
def availability_exception_create(
    *,
    practitioner: Practitioner,
    kind: str,
    start: datetime.datetime,
    end: datetime.datetime,
    location: Location | None = None,
    reason: str = "",
    actor: User | None = None,
) -> AvailabilityException:
    """Time off (anywhere, or at one location) or extra hours (at one location where the
    practitioner works)."""
    problems = [
        problem
        for problem in (
            InvalidInput("end: must be after start", field="end") if end <= start else None,
            _location_problem(practitioner, kind, location),
        )
        if problem
    ]
    raise_all(problems)
    if kind == ExceptionKind.EXTRA_HOURS and not _open_during(location, start, end):
        raise InvalidInput(
            f"start: {location.name} is closed then; extra hours count only within its"
            " opening hours",
            field="start",
        )
    exception = AvailabilityException(
        organization_id=practitioner.organization_id,
        practitioner=practitioner,
        location=location,
        kind=kind,
        start=start,
        end=end,
        reason=reason.strip(),
        created_by=actor,
    )
    clean_or_raise(exception, exclude=["organization", "practitioner", "location", "created_by"])
    exception.save()
    return exception


def visits_inside(exception: AvailabilityException) -> int:
    """Active visits of the practitioner that lie in extra hours, at their location: what
    the extra hours were opened for."""
    return Appointment.objects.filter(
        organization_id=exception.organization_id,
        practitioner_id=exception.practitioner_id,
        location_id=exception.location_id,
        status__in=ACTIVE_STATUSES,
        start__lt=exception.end,
        end__gt=exception.start,
    ).count()


@transaction.atomic
def availability_exception_remove(*, exception: AvailabilityException) -> None:
    """Take back time off (its time is bookable again) or extra hours nobody is booked in.

    Extra hours with visits booked in them stay: without them those visits would lie
    outside the practitioner's hours, with nobody told.
    """
    locked = AvailabilityException.objects.select_for_update().get(pk=exception.pk)
    if locked.kind == ExceptionKind.EXTRA_HOURS:
        booked = visits_inside(locked)
        if booked:
            raise Conflict(
                f"{booked} visit{'s are' if booked > 1 else ' is'} booked in these extra hours;"
                " move or cancel them first"
            )
    locked.delete()
