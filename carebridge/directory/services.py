"""Creating locations, specialties, practitioners and their roles."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from carebridge.accounts.models import Organization, validate_timezone
from carebridge.core.errors import Conflict, InvalidInput
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
    opening_hours_set(location=location, hours=opening_hours or [])
    return location


@transaction.atomic
def opening_hours_set(
    *, location: Location, hours: list[tuple[int, datetime.time, datetime.time]]
) -> Location:
    """Replace the location's weekly opening hours (weekday 0 = Monday, opens, closes).

    With no opening hours a location's schedule follows the practitioners' hours alone.
    """
    location.opening_hours.all().delete()
    for weekday, opens, closes in hours:
        row = OpeningHours(location=location, weekday=weekday, opens=opens, closes=closes)
        clean_or_raise(row, exclude=["location"])
        row.save()
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


LOCATION_FIELDS = frozenset(
    {
        "name",
        "address_line",
        "city",
        "state",
        "postal_code",
        "country",
        "phone",
        "timezone",
        "observes_public_holidays",
        "identifier",
        "active",
    }
)
PRACTITIONER_FIELDS = frozenset(
    {
        "prefix",
        "given_name",
        "family_name",
        "npi",
        "identifier",
        "gender",
        "email",
        "phone",
        "active",
    }
)
PRACTITIONER_ROLE_FIELDS = frozenset({"identifier", "active"})


def _set_fields(instance, fields: dict[str, Any], allowed: frozenset[str]) -> None:
    unknown = set(fields) - allowed
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(f"{name}: not a {instance._meta.verbose_name} field", field=name)
    for name, value in fields.items():
        setattr(instance, name, value)
    if "country" in fields:
        instance.country = instance.country.upper()


def _opening_hours_rows(
    location: Location, opening_hours: list[tuple[int, datetime.time, datetime.time]]
) -> list[OpeningHours]:
    rows = [
        OpeningHours(location=location, weekday=weekday, opens=opens, closes=closes)
        for weekday, opens, closes in opening_hours
    ]
    for row in rows:
        clean_or_raise(row, exclude=["location"])
    return rows


def _practitioner_languages(
    practitioner: Practitioner, languages: list[str] | None
) -> list[PractitionerLanguage]:
    codes = dict.fromkeys(code.lower() for code in languages or ["en"])
    return [PractitionerLanguage(practitioner=practitioner, code=code) for code in codes]


@transaction.atomic
def location_update(
    *,
    location: Location,
    fields: dict[str, Any],
    opening_hours: list[tuple[int, datetime.time, datetime.time]] | None = None,
) -> Location:
    """Change a site's details; with `opening_hours`, its weekly hours are replaced.

    Invariants: only LOCATION_FIELDS change; the zone stays a valid IANA zone.
    """
    _set_fields(location, fields, LOCATION_FIELDS)
    clean_or_raise(location, exclude=["organization"])
    location.save()
    if opening_hours is not None:
        opening_hours_set(location=location, hours=opening_hours)
    return location


def _new_location(organization: Organization, record: dict[str, Any]) -> Location:
    fields = {name: value for name, value in record.items() if name != "opening_hours"}
    location = Location(organization=organization)
    _set_fields(location, fields, LOCATION_FIELDS)
    clean_or_raise(location, exclude=["organization", "timezone"], validate_unique=False)
    return location


def location_check(*, organization: Organization, record: dict[str, Any]) -> None:
    """Raise the InvalidInput that location_create_many would raise for this record, short
    of checks against other rows and of the zone (checked once per batch); writes nothing."""
    _new_location(organization, record)


@transaction.atomic
def location_create_many(
    *, organization: Organization, records: list[dict[str, Any]]
) -> list[Location]:
    """Create many sites at once (each record holds location_create's keyword arguments but
    `organization`); all or none: the first invalid record raises and nothing is kept."""
    locations = [_new_location(organization, record) for record in records]
    hours = [record.get("opening_hours") or [] for record in records]
    # The zone validator lists every zone on disk: run it once per zone, not per site.
    for zone in {location.timezone for location in locations}:
        try:
            validate_timezone(zone)
        except ValidationError as error:
            raise InvalidInput(f"timezone: {error.messages[0]}", field="timezone") from error
    Location.objects.bulk_create(locations)
    OpeningHours.objects.bulk_create(
        row
        for location, opening_hours in zip(locations, hours, strict=True)
        for row in _opening_hours_rows(location, opening_hours)
    )
    return locations


@transaction.atomic
def practitioner_update(
    *,
    practitioner: Practitioner,
    fields: dict[str, Any],
    specialties: list[Specialty] | None = None,
    languages: list[str] | None = None,
) -> Practitioner:
    """Change a practitioner; `specialties` and `languages`, when given, replace the current
    ones. Invariants: only PRACTITIONER_FIELDS change; the NPI stays unique in the
    organization (Conflict otherwise)."""
    _set_fields(practitioner, fields, PRACTITIONER_FIELDS)
    clean_or_raise(practitioner, exclude=["organization"], validate_unique=False)
    try:
        with transaction.atomic():
            practitioner.save()
    except IntegrityError as error:
        raise Conflict(f"npi: {practitioner.npi!r} is already in use", field="npi") from error
    if specialties is not None:
        practitioner.specialties.set(specialties)
    if languages is not None:
        practitioner.languages.all().delete()
        PractitionerLanguage.objects.bulk_create(_practitioner_languages(practitioner, languages))
    return practitioner


def _new_practitioner(organization: Organization, record: dict[str, Any]) -> Practitioner:
    fields = {k: v for k, v in record.items() if k not in ("specialties", "languages")}
    practitioner = Practitioner(organization=organization)
    _set_fields(practitioner, fields, PRACTITIONER_FIELDS)
    # The NPI constraint is left to the database: one insert instead of a query each.
    clean_or_raise(
        practitioner, exclude=["organization"], validate_unique=False, validate_constraints=False
    )
    return practitioner


def practitioner_check(*, organization: Organization, record: dict[str, Any]) -> None:
    """Raise the InvalidInput that practitioner_create_many would raise for this record,
    short of checks against other rows (a taken NPI); writes nothing."""
    _new_practitioner(organization, record)


@transaction.atomic
def practitioner_create_many(
    *, organization: Organization, records: list[dict[str, Any]]
) -> list[Practitioner]:
    """Create many practitioners at once (each record holds practitioner_create's keyword
    arguments but `organization`); all or none. A duplicate NPI raises Conflict."""
    practitioners = [_new_practitioner(organization, record) for record in records]
    extras = [(record.get("specialties") or [], record.get("languages")) for record in records]
    try:
        Practitioner.objects.bulk_create(practitioners)
    except IntegrityError as error:
        # Raising rolls the whole batch back, so no savepoint is needed around the insert.
        raise Conflict("npi: an NPI is already in use", field="npi") from error
    links = Practitioner.specialties.through
    links.objects.bulk_create(
        links(practitioner=practitioner, specialty=specialty)
        for practitioner, (specialties, _) in zip(practitioners, extras, strict=True)
        for specialty in dict.fromkeys(specialties)
    )
    PractitionerLanguage.objects.bulk_create(
        language
        for practitioner, (_, languages) in zip(practitioners, extras, strict=True)
        for language in _practitioner_languages(practitioner, languages)
    )
    return practitioners


@transaction.atomic
def practitioner_role_update(*, role: PractitionerRole, fields: dict[str, Any]) -> PractitionerRole:
    """Change a role's external identifier or whether it is active."""
    _set_fields(role, fields, PRACTITIONER_ROLE_FIELDS)
    role.save(update_fields=[*fields, "updated_at"])
    return role


@transaction.atomic
def practitioner_role_create_many(*, records: list[dict[str, Any]]) -> list[PractitionerRole]:
    """Create many roles at once (each record holds practitioner_role_create's keyword
    arguments, plus `active`); all or none. Each role's specialty is also added to its
    practitioner's specialties, so searches by specialty find them.

    Invariants: one role per practitioner, location and specialty (Conflict otherwise); the
    practitioner and the location belong to the same organization.
    """
    roles = []
    for record in records:
        practitioner, location = record["practitioner"], record["location"]
        if practitioner.organization_id != location.organization_id:
            raise InvalidInput("location: belongs to another organization", field="location")
        roles.append(
            PractitionerRole(
                organization_id=practitioner.organization_id,
                practitioner=practitioner,
                location=location,
                specialty=record.get("specialty"),
                identifier=record.get("identifier", ""),
                active=record.get("active", True),
            )
        )
    try:
        PractitionerRole.objects.bulk_create(roles)
    except IntegrityError as error:
        raise Conflict("the practitioner already has this role", field="practitioner") from error
    links = Practitioner.specialties.through
    links.objects.bulk_create(
        [
            links(practitioner=role.practitioner, specialty=role.specialty)
            for role in roles
            if role.specialty
        ],
        ignore_conflicts=True,
    )
    return roles
