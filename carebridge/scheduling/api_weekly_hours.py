"""Weekly hours over the JSON API: what a rota system reads and keeps in step. Everyone who
books may read them; adding and ending them is for clinic admins, as on their page."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated
from zoneinfo import ZoneInfo

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from carebridge.accounts.api_auth import actor, organization, require
from carebridge.core import clock
from carebridge.core.api_errors import referenced
from carebridge.core.api_schemas import Input, LocalTime, PublicIdOut, problems
from carebridge.directory.api import LocationRef, PractitionerRef
from carebridge.directory.selectors import access_location, practitioner_reference
from carebridge.scheduling.constants import RuleKind
from carebridge.scheduling.selectors import (
    access_weekly_hours,
    visits_in_hours_after,
    weekly_hours,
)
from carebridge.scheduling.services.weekly_hours import (
    check_last_day,
    weekly_hours_add,
    weekly_hours_end,
)

router = Router(tags=["weekly hours"])

VIEW = "directory.view_practitioner"
CHANGE = "scheduling.add_availabilityrule"


class WeeklyHoursOut(PublicIdOut):
    practitioner: PractitionerRef
    location: LocationRef
    kind: RuleKind
    weekday: int = Field(description="0 = Monday … 6 = Sunday")
    start_time: datetime.time = Field(description="Wall-clock time at the location")
    end_time: datetime.time
    effective_from: datetime.date | None
    effective_until: datetime.date | None = Field(description="The last day; empty: open")


class WeeklyHoursIn(Input):
    location: uuid.UUID
    weekdays: list[Annotated[int, Field(ge=0, le=6)]] = Field(
        min_length=1, description="0 = Monday … 6 = Sunday"
    )
    start_time: LocalTime
    end_time: LocalTime
    kind: RuleKind = RuleKind.WORKING
    effective_from: datetime.date | None = None
    effective_until: datetime.date | None = None


class EndIn(Input):
    last_day: datetime.date


class EndOut(Schema):
    hours: WeeklyHoursOut | None = Field(description="None: the hours had not begun, removed")
    visits_after: list[uuid.UUID] = Field(
        description="Booked visits that lie in these hours after the last day: to move"
    )


def _practitioner(request: HttpRequest, practitioner_id: uuid.UUID):
    clinic = organization(request)
    return referenced(
        "practitioner",
        lambda: practitioner_reference(organization=clinic, public_id=practitioner_id),
    )


@router.get(
    "/practitioners/{practitioner_id}/hours", response={200: list[WeeklyHoursOut], **problems(404)}
)
def list_weekly_hours(request: HttpRequest, practitioner_id: uuid.UUID):
    """Hours and breaks still in effect today or later, by location, weekday and time."""
    require(request, VIEW)
    practitioner = _practitioner(request, practitioner_id)
    today = clock.now().astimezone(ZoneInfo(organization(request).timezone)).date()
    return weekly_hours(practitioner=practitioner, on_or_after=today)


@router.post(
    "/practitioners/{practitioner_id}/hours",
    response={201: list[WeeklyHoursOut], **problems(404)},
)
def add_weekly_hours(request: HttpRequest, practitioner_id: uuid.UUID, payload: WeeklyHoursIn):
    """Hours (or a break) on each weekday given; a location new to the practitioner makes
    them bookable there. Hours that overlap theirs at another location are refused."""
    require(request, CHANGE)
    practitioner = _practitioner(request, practitioner_id)
    clinic = organization(request)
    location = referenced(
        "location", lambda: access_location(organization=clinic, public_id=payload.location)
    )
    values = payload.dict(exclude={"location"})
    return Status(201, weekly_hours_add(practitioner=practitioner, location=location, **values))


@router.post("/weekly-hours/{hours_id}/end", response={200: EndOut, **problems(404)})
def end_weekly_hours(request: HttpRequest, hours_id: uuid.UUID, payload: EndIn):
    """The hours stop after the last day and stay on record (hours not begun by then are
    removed); the answer lists the visits booked in them after that day."""
    require(request, CHANGE)
    rule = access_weekly_hours(organization=organization(request), public_id=hours_id)
    # Before the visits after it are read: a mistyped year would read (and audit) them all.
    check_last_day(rule, payload.last_day)
    after = visits_in_hours_after(rule=rule, last_day=payload.last_day, actor=actor(request))
    kept = weekly_hours_end(rule=rule, last_day=payload.last_day)
    return {"hours": kept, "visits_after": [visit.public_id for visit in after]}
