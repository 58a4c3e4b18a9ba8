"""Creating locations, specialties, practitioners and their roles."""

from __future__ import annotations

import datetime

from django.db import transaction

from carebridge.accounts.models import Organization
from carebridge.core.validation import clean_or_raise
from carebridge.directory.models import (
    Location,
    OpeningHours,
    Practitioner,
    PractitionerLanguage,
    PractitionerRole,
    Specialty,
)


@transaction.atomic
def location_create(
    *,
    organization: Organization,
    name: str,
    timezone: str,
    country: str = "US",
    state: str = "",
    city: str = "",
    address_line: str = "",
    postal_code: str = "",
    phone: str = "",
    identifier: str = "",
    observes_public_holidays: bool = True,
    opening_hours: list[tuple[int, datetime.time, datetime.time]] | None = None,
) -> Location:
    """A site with its zone and, optionally, weekly opening hours (weekday, opens, closes)."""
    location = Location(
        organization=organization,
        name=name,
        timezone=timezone,
        country=country.upper(),
        state=state,
        city=city,
        address_line=address_line,
        postal_code=postal_code,
        phone=phone,
        identifier=identifier,
        observes_public_holidays=observes_public_holidays,
    )
    clean_or_raise(location, exclude=["organization"])
    location.save()
    for weekday, opens, closes in opening_hours or []:
        hours = OpeningHours(location=location, weekday=weekday, opens=opens, closes=closes)
        clean_or_raise(hours, exclude=["location"])
        hours.save()
    return location


def specialty_ensure(*, organization: Organization, code: str, name: str) -> Specialty:
    """The organization's specialty with this code, created on first use."""
    specialty, _ = Specialty.objects.get_or_create(
        organization=organization, code=code, defaults={"name": name}
    )
    return specialty


@transaction.atomic
def practitioner_create(
    *,
    organization: Organization,
    given_name: str,
    family_name: str,
    prefix: str = "",
    npi: str = "",
    identifier: str = "",
    gender: str = "",
    email: str = "",
    phone: str = "",
    specialties: list[Specialty] | None = None,
    languages: list[str] | None = None,
) -> Practitioner:
    """A practitioner with specialties and the languages they can hold a visit in."""
    practitioner = Practitioner(
        organization=organization,
        given_name=given_name,
        family_name=family_name,
        prefix=prefix,
        npi=npi,
        identifier=identifier,
        gender=gender,
        email=email,
        phone=phone,
    )
    clean_or_raise(practitioner, exclude=["organization"], validate_unique=False)
    practitioner.save()
    practitioner.specialties.set(specialties or [])
    PractitionerLanguage.objects.bulk_create(
        PractitionerLanguage(practitioner=practitioner, code=code.lower())
        for code in dict.fromkeys(languages or ["en"])
    )
    return practitioner


@transaction.atomic
def practitioner_role_create(
    *,
    practitioner: Practitioner,
    location: Location,
    specialty: Specialty | None = None,
    identifier: str = "",
) -> PractitionerRole:
    """The practitioner works at the location (in the specialty, when given)."""
    role, _ = PractitionerRole.objects.get_or_create(
        organization_id=practitioner.organization_id,
        practitioner=practitioner,
        location=location,
        specialty=specialty,
        defaults={"identifier": identifier},
    )
    return role
