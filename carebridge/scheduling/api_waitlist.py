"""The waitlist over the JSON API, at /api/waitlist: patients waiting for a visit type with
their preferences. Freed slots are offered to them automatically; an entry a patient took a
slot from shows the visit booked."""

from __future__ import annotations

import datetime
import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from carebridge.accounts.api_auth import actor, organization, require
from carebridge.accounts.models import Organization, User
from carebridge.core.api_errors import referenced
from carebridge.core.api_schemas import (
    Criteria,
    Input,
    LocalTime,
    Page,
    Paging,
    PublicIdOut,
    page_of,
    problems,
)
from carebridge.directory.api import LocationRef, PractitionerRef, SpecialtyOut
from carebridge.directory.selectors import (
    access_location,
    access_specialty,
    practitioner_reference,
)
from carebridge.patients.api import PatientRef
from carebridge.patients.selectors import patient_reference
from carebridge.scheduling.api import VisitTypeRef
from carebridge.scheduling.models import WaitlistEntry
from carebridge.scheduling.selectors import access_visit_type
from carebridge.scheduling.services.waitlist import (
    NOTE_MAX,
    waitlist_add,
    waitlist_remove,
    waitlist_update,
)
from carebridge.scheduling.waitlist_constants import WaitlistPriority, WaitlistStatus
from carebridge.scheduling.waitlist_selectors import (
    WaitlistQuery,
    access_waitlist_entry,
    waitlist_entry_list,
)

router = Router(tags=["waitlist"])

VIEW = "scheduling.view_appointment"
# Managing the waitlist is booking work: the roles that book may do it.
MANAGE = "scheduling.add_appointment"


class WaitlistEntryOut(Schema, PublicIdOut):
    patient: PatientRef
    visit_type: VisitTypeRef
    practitioner: PractitionerRef | None
    specialty: SpecialtyOut | None
    location: LocationRef | None
    weekdays: list[int] = Field(description="0 = Monday … 6 = Sunday; empty means any day")
    time_from: datetime.time | None = Field(description="Local time of day at the location")
    time_to: datetime.time | None
    earliest_date: datetime.date | None
    latest_date: datetime.date | None
    priority: WaitlistPriority
    note: str
    status: WaitlistStatus
    appointment: uuid.UUID | None = Field(description="The visit booked from the waitlist")
    joined_at: datetime.datetime = Field(description="Time waiting counts from here")
    created_at: datetime.datetime = Field(description="When the entry was recorded")
    updated_at: datetime.datetime

    @staticmethod
    def resolve_appointment(entry: WaitlistEntry) -> uuid.UUID | None:
        return entry.appointment.public_id if entry.appointment else None


class Preferences(Input):
    practitioner: uuid.UUID | None = None
    specialty: uuid.UUID | None = None
    location: uuid.UUID | None = None
    weekdays: list[int] = Field(
        default_factory=list, description="0 = Monday … 6 = Sunday; empty means any day"
    )
    time_from: LocalTime | None = Field(None, description="With time_to; local time")
    time_to: LocalTime | None = None
    earliest_date: datetime.date | None = None
    latest_date: datetime.date | None = None
    priority: WaitlistPriority = WaitlistPriority.ROUTINE
    note: str = Field("", max_length=NOTE_MAX)


class WaitlistEntryCreateIn(Preferences):
    patient: uuid.UUID
    visit_type: uuid.UUID


class WaitlistEntryUpdateIn(Preferences):
    """Only the fields sent change; send null to clear a preference."""


class WaitlistSearch(Paging):
    status: list[WaitlistStatus] = Field(
        default_factory=list, description="Any of these statuses (repeat the parameter)"
    )
    visit_type: uuid.UUID | None = None
    patient: uuid.UUID | None = None


class RemoveQuery(Criteria):
    reason: str = Field("", max_length=200)


def _references(clinic: Organization, user: User, values: dict) -> dict:
    """Public ids of the payload replaced by the organization's objects (404 naming the
    field when one is missing or another organization's)."""
    finders = {
        "patient": lambda v: patient_reference(organization=clinic, actor=user, public_id=v),
        "visit_type": lambda v: access_visit_type(organization=clinic, public_id=v),
        "practitioner": lambda v: practitioner_reference(organization=clinic, public_id=v),
        "specialty": lambda v: access_specialty(organization=clinic, public_id=v),
        "location": lambda v: access_location(organization=clinic, public_id=v),
    }
    resolved = dict(values)
    for name, find in finders.items():
        if resolved.get(name) is not None:
            resolved[name] = referenced(name, lambda find=find, v=resolved[name]: find(v))
    return resolved


def _entry(request: HttpRequest, entry_id: uuid.UUID) -> WaitlistEntry:
    return access_waitlist_entry(
        organization=organization(request), actor=actor(request), public_id=entry_id
    )


@router.get("", response={200: Page[WaitlistEntryOut], **problems(404)})
def list_waitlist(request: HttpRequest, search: Query[WaitlistSearch]):
    """Entries in the order freed slots are offered: priority, then time waiting."""
    require(request, VIEW)
    clinic, user = organization(request), actor(request)
    ids = _references(clinic, user, {"visit_type": search.visit_type, "patient": search.patient})
    query = WaitlistQuery(
        statuses=tuple(search.status),
        visit_type_id=ids["visit_type"].pk if ids["visit_type"] else None,
        patient_id=ids["patient"].pk if ids["patient"] else None,
    )
    entries, total = waitlist_entry_list(
        organization=clinic, actor=user, query=query, limit=search.limit, offset=search.offset
    )
    return page_of(entries, total, search)


@router.get("/{entry_id}", response={200: WaitlistEntryOut, **problems(404)})
def read_waitlist_entry(request: HttpRequest, entry_id: uuid.UUID):
    require(request, VIEW)
    return _entry(request, entry_id)


@router.post("", response={201: WaitlistEntryOut, **problems(404, 409, 422)})
def create_waitlist_entry(request: HttpRequest, payload: WaitlistEntryCreateIn):
    """Put a patient on the waitlist; a patient already waiting for that visit type is a
    409."""
    require(request, MANAGE)
    clinic, user = organization(request), actor(request)
    values = _references(clinic, user, payload.dict())
    entry = waitlist_add(organization=clinic, actor=user, **values)
    return Status(201, entry)


@router.patch("/{entry_id}", response={200: WaitlistEntryOut, **problems(404, 422)})
def update_waitlist_entry(
    request: HttpRequest, entry_id: uuid.UUID, payload: WaitlistEntryUpdateIn
):
    """Change preferences, priority or note of an entry still on the list."""
    require(request, MANAGE)
    clinic, user = organization(request), actor(request)
    entry = _entry(request, entry_id)
    changes = _references(clinic, user, payload.dict(exclude_unset=True))
    return waitlist_update(entry=entry, actor=user, changes=changes)


@router.delete("/{entry_id}", response={204: None, **problems(404, 422)})
def remove_waitlist_entry(request: HttpRequest, entry_id: uuid.UUID, query: Query[RemoveQuery]):
    """Take an entry off the list (it stays readable with status "removed"); an offer it
    holds ends."""
    require(request, MANAGE)
    waitlist_remove(entry=_entry(request, entry_id), actor=actor(request), reason=query.reason)
    return Status(204, None)
