"""Time off and extra hours: the one-off changes to a practitioner's weekly hours that a
clinic records as they come (a sick day, a week away, an extra Saturday morning).

Recording time off books nothing away: the visits already booked in it stay, and the time
off page lists them for the desk to move, since each patient has to be asked."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.db import transaction

from carebridge.accounts.models import User
from carebridge.core import clock
from carebridge.core.errors import Conflict, InvalidInput, raise_all
from carebridge.core.timeranges import wall_to_utc
from carebridge.core.validation import check_years, clean_or_raise
from carebridge.directory.models import Location, Practitioner
from carebridge.directory.selectors import practitioner_role_list
from carebridge.notifications.constants import MessageKind
from carebridge.scheduling.constants import ACTIVE_STATUSES, ExceptionKind
from carebridge.scheduling.models import Appointment, AvailabilityException, RescheduleOffer
from carebridge.scheduling.selectors import time_off_read
from carebridge.scheduling.services.messages import (
    UPCOMING_STATUSES,
    Notice,
    appointment_messages_enqueue,
    policy_for,
)
from carebridge.scheduling.services.reminders import outside_quiet_hours
from carebridge.scheduling.services.replies import (
    open_offer,
    options_text,
    reschedule_offer_make,
)


def _span_problem(start: datetime.datetime, end: datetime.datetime) -> InvalidInput | None:
    if end <= start:
        return InvalidInput("end: must be after start", field="end")
    if end <= clock.now():
        return InvalidInput("end: This time is already over.", field="end")
    return None


def _location_problem(
    practitioner: Practitioner, kind: str, location: Location | None
) -> InvalidInput | None:
    if location is None:
        if kind == ExceptionKind.EXTRA_HOURS:
            return InvalidInput("location: extra hours need a location", field="location")
        return None
    if location.organization_id != practitioner.organization_id:
        return InvalidInput("location: not found", field="location")
    # Time off at a location they do not work at would take nothing off: a wrong location.
    if not practitioner_role_list(
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
    """Time off (anywhere, or at one location) or extra hours (at one location), not yet
    over; a location named must be one where the practitioner works."""
    # A mistyped year first: the other checks would judge a time nobody meant.
    check_years({"start": start, "end": end})
    problems = [
        problem
        for problem in (
            _span_problem(start, end),
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


@dataclass(frozen=True)
class TimesOffered:
    """What offering other times for the visits in a time off did."""

    offered: int  # patients sent other times to choose from
    already: int  # patients who still had times to choose from
    to_call: list[Appointment]  # no free time to offer, or no way to write to the patient


def _offer_other_times(visit: Appointment) -> bool:
    """Up to three other times for the visit, by the patient's usual channel and outside
    their quiet hours; False when none was free or the patient cannot be written to (then
    nothing stays open)."""
    policy = policy_for(visit)
    due = outside_quiet_hours(appointment=visit, policy=policy, moment=clock.now())
    offer = reschedule_offer_make(appointment=visit, reaches_patient_at=due)
    sent = offer.options.exists() and appointment_messages_enqueue(
        appointment=visit,
        notices=[Notice(MessageKind.RESCHEDULE_OPTIONS, (due,))],
        policy=policy,
        extra={"options": options_text(offer), "ack": "away"},
    )
    if not sent:
        RescheduleOffer.objects.filter(pk=offer.pk).update(closed_at=clock.now())
    return bool(sent)


@transaction.atomic
def time_off_offer_other_times(
    *, exception: AvailabilityException, actor: User | None
) -> TimesOffered:
    """Send each patient with a visit still ahead in the time off up to three other times
    (the same practitioner first): a text reply with the number, or the email's link, moves
    the visit. Patients who still have times to choose from are not written to twice; the
    visits no time could be offered for are returned, for the desk to call."""
    if exception.kind != ExceptionKind.UNAVAILABLE:
        raise InvalidInput("kind: only time off has visits to move", field="kind")
    now = clock.now()
    found = time_off_read(
        organization=exception.organization, actor=actor, public_id=exception.public_id
    )
    offered, already, to_call = 0, 0, []
    for visit in found.visits:
        if visit.status not in UPCOMING_STATUSES or visit.start <= now:
            continue
        waiting = open_offer(visit)
        # times offered before the time off was known may fall in it: offer afresh
        if waiting is not None and waiting.offered_at >= exception.created_at:
            already += 1
        elif _offer_other_times(visit):
            offered += 1
        else:
            to_call.append(visit)
    return TimesOffered(offered, already, to_call)
