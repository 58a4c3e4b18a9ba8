"""The clinic directory over the JSON API: locations, specialties and practitioners."""

from __future__ import annotations

import datetime
import uuid

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from carebridge.accounts.api_auth import organization, require
from carebridge.accounts.models import Organization
from carebridge.core.api_errors import referenced
from carebridge.core.api_schemas import Page, Paging, PublicIdOut, page_of, problems
from carebridge.directory.models import Location, Practitioner, Specialty
from carebridge.directory.selectors import (
    PractitionerQuery,
    access_location,
    access_practitioner,
    access_specialty,
    location_list,
    practitioner_list,
    specialty_list,
)

router = Router(tags=["directory"])


class SpecialtyOut(PublicIdOut):
    code: str
    name: str


class LocationRef(PublicIdOut):
    name: str
    timezone: str


class OpeningHoursOut(Schema):
    weekday: int = Field(description="0 = Monday … 6 = Sunday")
    opens: datetime.time
    closes: datetime.time


class LocationOut(Schema, LocationRef):
    address_line: str
    city: str
    state: str
    postal_code: str
    country: str
    phone: str
    opening_hours: list[OpeningHoursOut]

    @staticmethod
    def resolve_opening_hours(location: Location) -> list:
        return list(location.opening_hours.all())


class PractitionerRef(PublicIdOut):
    display_name: str


class PractitionerOut(Schema, PractitionerRef):
    prefix: str
    given_name: str
    family_name: str
    npi: str
    gender: str
    active: bool
    specialties: list[SpecialtyOut]
    languages: list[str] = Field(description="BCP 47 codes the practitioner can hold a visit in")

    @staticmethod
    def resolve_specialties(practitioner: Practitioner) -> list[Specialty]:
        return list(practitioner.specialties.all())

    @staticmethod
    def resolve_languages(practitioner: Practitioner) -> list[str]:
        return [language.code for language in practitioner.languages.all()]


class PractitionerSearch(Paging):
    name: str = Field("", max_length=200, description="Name prefixes, every word must match")
    specialty: uuid.UUID | None = None
    location: uuid.UUID | None = Field(None, description="Practitioners who work there")
    language: str = Field("", max_length=20, description="BCP 47 code, e.g. es")


def specialty_id(clinic: Organization, public_id: uuid.UUID | None) -> int | None:
    """The specialty's key for a filter, or None when the filter was not given."""
    if public_id is None:
        return None
    return referenced(
        "specialty", lambda: access_specialty(organization=clinic, public_id=public_id)
    ).pk


def location_id(clinic: Organization, public_id: uuid.UUID | None) -> int | None:
    """The location's key for a filter, or None when the filter was not given."""
    if public_id is None:
        return None
    return referenced(
        "location", lambda: access_location(organization=clinic, public_id=public_id)
    ).pk


def practitioner_id(clinic: Organization, public_id: uuid.UUID | None) -> int | None:
    """The practitioner's key for a filter, or None when the filter was not given."""
    if public_id is None:
        return None
    return referenced(
        "practitioner", lambda: access_practitioner(organization=clinic, public_id=public_id)
    ).pk


@router.get("/locations", response={200: list[LocationOut], **problems()})
def list_locations(request: HttpRequest):
    """The clinic's active locations, by name."""
    require(request, "directory.view_location")
    return location_list(organization=organization(request))


@router.get("/locations/{location_id}", response={200: LocationOut, **problems(404)})
def read_location(request: HttpRequest, location_id: uuid.UUID):
    require(request, "directory.view_location")
    return access_location(organization=organization(request), public_id=location_id)


@router.get("/specialties", response={200: list[SpecialtyOut], **problems()})
def list_specialties(request: HttpRequest):
    require(request, "directory.view_practitioner")
    return specialty_list(organization=organization(request))


@router.get("/practitioners", response={200: Page[PractitionerOut], **problems(404)})
def list_practitioners(request: HttpRequest, search: Query[PractitionerSearch]):
    """Active practitioners matching every given filter, by name."""
    require(request, "directory.view_practitioner")
    clinic = organization(request)
    query = PractitionerQuery(
        name=search.name,
        specialty_id=specialty_id(clinic, search.specialty),
        location_id=location_id(clinic, search.location),
        language=search.language,
    )
    # The id breaks ties between namesakes, so pages neither repeat nor skip anyone.
    practitioners = practitioner_list(organization=clinic, query=query).order_by(
        "family_name", "given_name", "id"
    )
    shown = list(practitioners[search.offset : search.offset + search.limit])
    return page_of(shown, practitioners.count(), search)


@router.get("/practitioners/{practitioner_id}", response={200: PractitionerOut, **problems(404)})
def read_practitioner(request: HttpRequest, practitioner_id: uuid.UUID):
    require(request, "directory.view_practitioner")
    return access_practitioner(organization=organization(request), public_id=practitioner_id)
