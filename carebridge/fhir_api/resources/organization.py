"""The clinic (accounts.Organization) <-> FHIR R4 Organization.

A clinic is identified by its slug under ORGANIZATION_SYSTEM. Other organizations that a
payload names (hospitals, practices) parse the same way; whether one of them is the clinic
itself is for the caller to decide.
"""

from __future__ import annotations

from dataclasses import dataclass

from carebridge.accounts.models import Organization
from carebridge.fhir_api.resources import (
    ORGANIZATION_SYSTEM,
    boolean,
    expect_resource,
    parse_identifiers,
    text,
)


@dataclass(frozen=True)
class OrganizationInput:
    name: str
    identifiers: tuple[tuple[str, str], ...]
    active: bool = True

    @property
    def slug(self) -> str:
        """The clinic's slug when the payload carries one, else ""."""
        return next(
            (value for system, value in self.identifiers if system == ORGANIZATION_SYSTEM), ""
        )


def to_fhir_organization(organization: Organization) -> dict:
    return {
        "resourceType": "Organization",
        "id": str(organization.public_id),
        "identifier": [{"system": ORGANIZATION_SYSTEM, "value": organization.slug}],
        "active": organization.active,
        "name": organization.name,
    }


def parse_organization(payload: dict) -> OrganizationInput:
    expect_resource(payload, "Organization")
    return OrganizationInput(
        name=text(payload, "name", "Organization.name", required=True),
        identifiers=tuple(parse_identifiers(payload, "Organization")),
        active=boolean(payload, "active", "Organization.active", default=True),
    )
