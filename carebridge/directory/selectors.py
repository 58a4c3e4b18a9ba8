"""Reads of the clinic directory, scoped to one organization. No PHI here, so no audit."""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet

from carebridge.accounts.models import Organization
from carebridge.core.selectors import NameMatch, get_in_organization, one_of_each
from carebridge.core.text import fold_text
from carebridge.directory.models import (
    Location,
    Practitioner,
    PractitionerLanguage,
    PractitionerRole,
    Specialty,
)


def location_list(*, organization: Organization, active_only: bool = True) -> QuerySet[Location]:
    locations = Location.objects.filter(organization=organization).prefetch_related("opening_hours")
    return locations.filter(active=True) if active_only else locations


def access_location(*, organization: Organization, public_id: uuid.UUID | str) -> Location:
    locations = Location.objects.select_related("organization").prefetch_related("opening_hours")
    return get_in_organization(locations, organization, public_id)


def specialty_list(*, organization: Organization) -> QuerySet[Specialty]:
    return Specialty.objects.filter(organization=organization)


def access_specialty(*, organization: Organization, public_id: uuid.UUID | str) -> Specialty:
    return get_in_organization(Specialty.objects.all(), organization, public_id)


@dataclass(frozen=True)
class PractitionerQuery:
    """Criteria that must all match; in `one_of_each`, one query of every group as well."""

    name: str = ""
    name_match: NameMatch = NameMatch.START
    specialty_id: int | None = None
    location_id: int | None = None
    language: str = ""
    npi: str = ""
    with_npi: bool = False
    # The external identifier as stored (`system|value`, or a bare value without a system).
    identifier: str = ""
    # Any identifier in this external system ("": any without a system).
    identifier_system: str | None = None
    # An identifier's value in any system, the NPI included.
    identifier_value: str = ""
    public_ids: tuple[uuid.UUID, ...] = ()
    active_only: bool = True
    one_of_each: tuple[tuple[PractitionerQuery, ...], ...] = ()


def _practitioners(organization: Organization) -> QuerySet[Practitioner]:
    return Practitioner.objects.filter(organization=organization).prefetch_related(
        "specialties", Prefetch("languages", queryset=PractitionerLanguage.objects.order_by("code"))
    )


def practitioner_list(
    *, organization: Organization, query: PractitionerQuery | None = None
) -> QuerySet[Practitioner]:
    """Practitioners matching every given criterion, in name order."""
    condition = _practitioner_condition(query or PractitionerQuery(), _Directory(organization))
    matching = Practitioner.objects.filter(organization=organization).filter(condition)
    return _practitioners(organization).filter(pk__in=matching.values("pk"))


class _Directory:
    """The names of a clinic's practitioners, read once (when a search names someone) and
    compared here: the databases fold case and accents differently (SQLite only ASCII
    case), and a clinic has a few hundred practitioners at most."""

    def __init__(self, organization: Organization) -> None:
        self.organization = organization

    @functools.cached_property
    def names(self) -> list[tuple[int, str, str]]:
        return list(
            Practitioner.objects.filter(organization=self.organization).values_list(
                "pk", "given_name", "family_name"
            )
        )

    def named(self, name: str, match: NameMatch) -> Q:
        return Q(pk__in=[pk for pk, *names in self.names if _name_matches(name, match, names)])


def _name_matches(name: str, match: NameMatch, names: list[str]) -> bool:
    """Each word starts a given or family name (in any case, without accents), or the whole
    of one is `name` as written (EXACT) or holds it in any case, without accents (CONTAINS)."""
    if match == NameMatch.EXACT:
        return name in names
    folded = [fold_text(part) for part in names]
    if match == NameMatch.CONTAINS:
        return any(fold_text(name) in part for part in folded)
    return all(any(part.startswith(word) for part in folded) for word in fold_text(name).split())


def _practitioner_condition(query: PractitionerQuery, directory: _Directory) -> Q:
    condition = directory.named(query.name, query.name_match) if query.name.strip() else Q()
    if query.specialty_id:
        condition &= Q(specialties__id=query.specialty_id)
    if query.location_id:
        condition &= Q(roles__location_id=query.location_id, roles__active=True)
    if query.language:
        condition &= Q(languages__code__iexact=query.language)
    condition &= _identifier_condition(query)
    if query.public_ids:
        condition &= Q(public_id__in=query.public_ids)
    if query.active_only:
        condition &= Q(active=True)
    return condition & one_of_each(
        (_practitioner_condition(each, directory) for each in group) for group in query.one_of_each
    )


def _identifier_condition(query: PractitionerQuery) -> Q:
    condition = Q(npi=query.npi) if query.npi else Q()
    if query.with_npi:
        condition &= ~Q(npi="")
    if query.identifier:
        condition &= Q(identifier=query.identifier)
    if query.identifier_system:
        condition &= Q(identifier__startswith=f"{query.identifier_system}|")
    elif query.identifier_system == "":
        condition &= ~Q(identifier="") & ~Q(identifier__contains="|")
    if value := query.identifier_value:
        condition &= Q(npi=value) | Q(identifier=value) | Q(identifier__endswith=f"|{value}")
    return condition


def languages_spoken(*, organization: Organization) -> list[str]:
    """The language codes the organization's active practitioners hold visits in, sorted."""
    codes = PractitionerLanguage.objects.filter(
        practitioner__organization=organization, practitioner__active=True
    ).values_list("code", flat=True)
    return sorted(set(codes))


def access_practitioner(*, organization: Organization, public_id: uuid.UUID | str) -> Practitioner:
    return get_in_organization(_practitioners(organization), organization, public_id)


def practitioner_reference(
    *, organization: Organization, public_id: uuid.UUID | str
) -> Practitioner:
    """A practitioner named by a write (a booking): the row alone, without the specialties
    and languages that pages and API reads show."""
    return get_in_organization(Practitioner.objects.all(), organization, public_id)


def practitioner_zone(practitioner: Practitioner, fallback: str) -> str:
    """The time zone a practitioner works in: that of their locations when all share one,
    else `fallback` (the clinic's). Reads `practitioner.roles` (prefetch them for many)."""
    zones = {role.location.timezone for role in practitioner.roles.all() if role.active}
    return zones.pop() if len(zones) == 1 else fallback


def practitioner_role_list(
    *,
    organization: Organization,
    practitioner: Practitioner | None = None,
    location: Location | None = None,
) -> QuerySet[PractitionerRole]:
    roles = PractitionerRole.objects.filter(organization=organization, active=True)
    if practitioner:
        roles = roles.filter(practitioner=practitioner)
    if location:
        roles = roles.filter(location=location)
    return roles.select_related("practitioner", "location", "specialty").order_by("id")


def access_practitioner_role(
    *, organization: Organization, public_id: uuid.UUID | str
) -> PractitionerRole:
    roles = PractitionerRole.objects.select_related(
        "practitioner", "location", "specialty", "organization"
    )
    return get_in_organization(roles, organization, public_id)


def practitioner_role_list_any_status(*, organization: Organization) -> QuerySet[PractitionerRole]:
    """Every role of the organization, active or not: what an import matches against."""
    return PractitionerRole.objects.filter(organization=organization).order_by("id")
