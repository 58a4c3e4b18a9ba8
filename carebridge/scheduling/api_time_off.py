"""Time off and extra hours over the JSON API, at /api/time-off: what a rota or HR system
sends when a practitioner will be away or works extra. Each entry lists the visits ahead
that lie in it; for time off, those the desk has to move."""

from __future__ import annotations

import datetime
import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AwareDatetime

from carebridge.accounts.api_auth import actor, organization, require
from carebridge.core.api_errors import referenced
from carebridge.core.api_schemas import Criteria, Input, problems
from carebridge.directory.api import LocationRef, PractitionerRef
from carebridge.directory.selectors import access_location, practitioner_reference
from carebridge.scheduling.constants import ExceptionKind
from carebridge.scheduling.selectors import (
    TimeOff,
    access_time_off,
    time_off_ahead,
    time_off_read,
    time_off_zone,
)
from carebridge.scheduling.services.time_off import (
    availability_exception_create,
    availability_exception_remove,
)

router = Router(tags=["time off"])

VIEW = "scheduling.view_availabilityexception"
ADD = "scheduling.add_availabilityexception"
REMOVE = "scheduling.delete_availabilityexception"


class TimeOffOut(Schema):
    id: uuid.UUID
    kind: ExceptionKind = Field(description="unavailable: time off; extra: extra hours")
    practitioner: PractitionerRef
    location: LocationRef | None = Field(description="None: time off everywhere")
    start: datetime.datetime = Field(
        description="In the location's zone; for time off everywhere, the zone of the"
        " practitioner's locations when they share one, else the clinic's"
    )
    end: datetime.datetime
    reason: str
    visits: list[uuid.UUID] = Field(
        description="Active visits not yet over that lie in it, soonest first"
    )
    created_at: datetime.datetime

    @staticmethod
    def resolve_id(found: TimeOff) -> uuid.UUID:
        return found.entry.public_id

    @staticmethod
    def resolve_kind(found: TimeOff) -> str:
        return found.entry.kind

    @staticmethod
    def resolve_practitioner(found: TimeOff):
        return found.entry.practitioner

    @staticmethod
    def resolve_location(found: TimeOff):
        return found.entry.location

    @staticmethod
    def resolve_start(found: TimeOff) -> datetime.datetime:
        return found.entry.start.astimezone(time_off_zone(found.entry))

    @staticmethod
    def resolve_end(found: TimeOff) -> datetime.datetime:
        return found.entry.end.astimezone(time_off_zone(found.entry))

    @staticmethod
    def resolve_reason(found: TimeOff) -> str:
        return found.entry.reason

    @staticmethod
    def resolve_visits(found: TimeOff) -> list[uuid.UUID]:
        return [visit.public_id for visit in found.visits]

    @staticmethod
    def resolve_created_at(found: TimeOff) -> datetime.datetime:
        return found.entry.created_at


class TimeOffIn(Input):
    practitioner: uuid.UUID
    kind: ExceptionKind = ExceptionKind.UNAVAILABLE
    location: uuid.UUID | None = Field(None, description="Needed for extra hours")
    start: AwareDatetime
    end: AwareDatetime
    reason: str = Field("", max_length=200)


class TimeOffSearch(Criteria):
    practitioner: uuid.UUID | None = None


@router.get("", response={200: list[TimeOffOut], **problems(404)})
def list_time_off(request: HttpRequest, search: Query[TimeOffSearch]):
    """Time off and extra hours not yet over, soonest first (at most 100)."""
    require(request, VIEW)
    clinic = organization(request)
    practitioner = None
    if search.practitioner:
        practitioner = referenced(
            "practitioner",
            lambda: practitioner_reference(organization=clinic, public_id=search.practitioner),
        )
    return time_off_ahead(organization=clinic, actor=actor(request), practitioner=practitioner)


@router.get("/{time_off_id}", response={200: TimeOffOut, **problems(404)})
def read_time_off(request: HttpRequest, time_off_id: uuid.UUID):
    require(request, VIEW)
    return time_off_read(
        organization=organization(request), actor=actor(request), public_id=time_off_id
    )


@router.post("", response={201: TimeOffOut, **problems(404, 422)})
def create_time_off(request: HttpRequest, payload: TimeOffIn):
    """Record time off (its time is no longer bookable; visits already booked in it stay
    and are listed) or extra hours at a location where the practitioner works."""
    require(request, ADD)
    clinic, user = organization(request), actor(request)
    practitioner = referenced(
        "practitioner",
        lambda: practitioner_reference(organization=clinic, public_id=payload.practitioner),
    )
    location = None
    if payload.location:
        location = referenced(
            "location", lambda: access_location(organization=clinic, public_id=payload.location)
        )
    entry = availability_exception_create(
        practitioner=practitioner,
        kind=payload.kind,
        start=payload.start,
        end=payload.end,
        location=location,
        reason=payload.reason,
        actor=user,
    )
    return Status(201, time_off_read(organization=clinic, actor=user, public_id=entry.public_id))


@router.delete("/{time_off_id}", response={204: None, **problems(404, 409)})
def remove_time_off(request: HttpRequest, time_off_id: uuid.UUID):
    """Take time off back (its time is bookable again), or extra hours nobody is booked
    in (409 while visits are)."""
    require(request, REMOVE)
    entry = access_time_off(organization=organization(request), public_id=time_off_id)
    availability_exception_remove(exception=entry)
    return Status(204, None)
