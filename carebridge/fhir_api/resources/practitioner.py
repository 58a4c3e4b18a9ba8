"""Practitioner <-> FHIR R4 Practitioner.

Identifiers: the NPI under the US NPI system, then the external identifier as stored.
Specialties travel as qualifications (code and name), languages as `communication`
(BCP 47). `to_fhir_practitioner` reads `specialties` and `languages`: prefetch them, as the
directory selectors do.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from carebridge.directory.models import Practitioner
from carebridge.fhir_api.resources import (
    BCP47_SYSTEM,
    NPI_SYSTEM,
    an_object,
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
    text,
    texts,
)

GENDERS = ("male", "female", "other", "unknown")
# The FHIR element each practitioner service field comes from, to name it in errors.
PRACTITIONER_ELEMENTS = {
    "prefix": "Practitioner.name",
    "given_name": "Practitioner.name",
    "family_name": "Practitioner.name",
    "npi": "Practitioner.identifier",
    "identifier": "Practitioner.identifier",
    "gender": "Practitioner.gender",
    "email": "Practitioner.telecom",
    "phone": "Practitioner.telecom",
    "active": "Practitioner.active",
}


@dataclass(frozen=True)
class PractitionerInput:
    """`fields` for practitioner_create / practitioner_update; `languages` and `specialties`
    (code, name) are None when the payload does not mention them."""

    fields: dict[str, Any]
    languages: tuple[str, ...] | None = None
    specialties: tuple[tuple[str, str], ...] | None = None


def to_fhir_practitioner(practitioner: Practitioner) -> dict:
    resource = {
        "resourceType": "Practitioner",
        "id": str(practitioner.public_id),
        "meta": meta(practitioner),
        "identifier": _identifiers(practitioner),
        "active": practitioner.active,
        "name": [_name(practitioner)],
        "telecom": _telecom(practitioner),
        "gender": practitioner.gender,
        "qualification": [
            {"code": concept(specialty.code, specialty.name, "")}
            for specialty in practitioner.specialties.all()
        ],
        "communication": [
            concept(language.code, "", BCP47_SYSTEM) for language in practitioner.languages.all()
        ],
    }
    return {key: value for key, value in resource.items() if value not in ([], "")}


def _identifiers(practitioner: Practitioner) -> list[dict]:
    identifiers = []
    if practitioner.npi:
        identifiers.append({"system": NPI_SYSTEM, "value": practitioner.npi})
    if practitioner.identifier:
        identifiers.append(identifier_from_token(practitioner.identifier))
    return identifiers


def _name(practitioner: Practitioner) -> dict:
    name: dict = {"family": practitioner.family_name, "given": [practitioner.given_name]}
    if practitioner.prefix:
        name["prefix"] = [practitioner.prefix]
    return name


def _telecom(practitioner: Practitioner) -> list[dict]:
    points = []
    if practitioner.phone:
        points.append({"system": "phone", "value": practitioner.phone, "use": "work"})
    if practitioner.email:
        points.append({"system": "email", "value": practitioner.email, "use": "work"})
    return points


def parse_practitioner(payload: dict) -> PractitionerInput:
    """Directory fields of a practitioner; absent simple elements become blank."""
    expect_resource(payload, "Practitioner")
    npi, identifier = _parse_identifiers(payload)
    gender = text(payload, "gender", "Practitioner.gender")
    if gender and gender not in GENDERS:
        raise invalid("Practitioner.gender", f"{gender!r} is not one of {', '.join(GENDERS)}")
    fields = {
        **_parse_name(payload),
        "npi": npi,
        "identifier": identifier,
        "gender": gender,
        **_parse_telecom(payload),
        "active": boolean(payload, "active", "Practitioner.active", default=True),
    }
    return PractitionerInput(
        fields=fields, languages=_parse_languages(payload), specialties=_parse_specialties(payload)
    )


def _parse_identifiers(payload: dict) -> tuple[str, str]:
    npi, external = "", ""
    for system, value in parse_identifiers(payload, "Practitioner"):
        if system == NPI_SYSTEM and not npi:
            if not re.fullmatch(r"\d{10}", value):
                raise invalid("Practitioner.identifier", f"the NPI {value!r} is not 10 digits")
            npi = value
        elif not external:
            external = identifier_token(system, value)
    return npi, external


def _parse_name(payload: dict) -> dict[str, str]:
    names = objects(payload, "name", "Practitioner.name")
    official = [name for name in names if name.get("use") == "official"]
    name = (official or names or [{}])[0]
    family = text(name, "family", "Practitioner.name.family")
    given = texts(name, "given", "Practitioner.name.given")
    if not family or not given:
        raise invalid("Practitioner.name", "a family name and a given name are required")
    prefix = " ".join(texts(name, "prefix", "Practitioner.name.prefix"))
    return {"family_name": family, "given_name": " ".join(given), "prefix": prefix}


def _parse_telecom(payload: dict) -> dict[str, str]:
    found = {"phone": "", "email": ""}
    for point in objects(payload, "telecom", "Practitioner.telecom"):
        system = text(point, "system", "Practitioner.telecom.system")
        if system in found and not found[system]:
            found[system] = text(point, "value", "Practitioner.telecom.value")
    return found


def _parse_languages(payload: dict) -> tuple[str, ...] | None:
    if "communication" not in payload:
        return None
    spoken = objects(payload, "communication", "Practitioner.communication")
    codes = [concept_code(language, "Practitioner.communication")[0] for language in spoken]
    return tuple(dict.fromkeys(code.lower() for code in codes))


def _parse_specialties(payload: dict) -> tuple[tuple[str, str], ...] | None:
    if "qualification" not in payload:
        return None
    element = "Practitioner.qualification.code"
    return tuple(
        concept_code(an_object(qualification, "code", element), element)
        for qualification in objects(payload, "qualification", "Practitioner.qualification")
    )
