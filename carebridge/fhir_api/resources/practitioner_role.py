"""PractitionerRole <-> FHIR R4 PractitionerRole.

A role joins one practitioner, one location and at most one specialty, inside the clinic.
References are returned as written; the caller resolves them. `to_fhir_practitioner_role`
reads `practitioner`, `location`, `specialty` and `organization`: load them first.
"""

from __future__ import annotations

from dataclasses import dataclass

from carebridge.directory.models import PractitionerRole
from carebridge.fhir_api.resources import (
    Reference,
    boolean,
    concept,
    concept_code,
    expect_resource,
    identifier_from_token,
    identifier_token,
    invalid,
    meta,
    objects,
    parse_identifiers,
    parse_reference,
    reference_to,
)


@dataclass(frozen=True)
class PractitionerRoleInput:
    practitioner: Reference
    location: Reference
    organization: Reference | None = None
    specialty: tuple[str, str] | None = None
    identifier: str = ""
    active: bool = True


def to_fhir_practitioner_role(role: PractitionerRole) -> dict:
    practitioner, location, organization = role.practitioner, role.location, role.organization
    resource = {
        "resourceType": "PractitionerRole",
        "id": str(role.public_id),
        "meta": meta(role),
        "identifier": [identifier_from_token(role.identifier)] if role.identifier else [],
        "active": role.active,
        "practitioner": reference_to(
            "Practitioner", practitioner.public_id, practitioner.display_name
        ),
        "organization": reference_to("Organization", organization.public_id, organization.name),
        "location": [reference_to("Location", location.public_id, location.name)],
        "specialty": [concept(role.specialty.code, role.specialty.name, "")]
        if role.specialty
        else [],
    }
    return {key: value for key, value in resource.items() if value != []}


def parse_practitioner_role(payload: dict) -> PractitionerRoleInput:
    expect_resource(payload, "PractitionerRole")
    if "practitioner" not in payload:
        raise invalid("PractitionerRole.practitioner", "is required")
    locations = objects(payload, "location", "PractitionerRole.location")
    if len(locations) != 1:
        raise invalid(
            "PractitionerRole.location",
            f"expected exactly one location (a role is kept per location), got {len(locations)}",
        )
    specialties = objects(payload, "specialty", "PractitionerRole.specialty")
    if len(specialties) > 1:
        raise invalid("PractitionerRole.specialty", "expected at most one specialty per role")
    identifiers = parse_identifiers(payload, "PractitionerRole")
    organization = None
    if "organization" in payload:
        organization = parse_reference(
            payload["organization"], "PractitionerRole.organization", "Organization"
        )
    return PractitionerRoleInput(
        practitioner=parse_reference(
            payload["practitioner"], "PractitionerRole.practitioner", "Practitioner"
        ),
        location=parse_reference(locations[0], "PractitionerRole.location", "Location"),
        organization=organization,
        specialty=concept_code(specialties[0], "PractitionerRole.specialty")
        if specialties
        else None,
        identifier=identifier_token(*identifiers[0]) if identifiers else "",
        active=boolean(payload, "active", "PractitionerRole.active", default=True),
    )
