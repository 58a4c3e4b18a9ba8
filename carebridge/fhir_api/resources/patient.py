"""Patient <-> FHIR R4 Patient.

Identifiers: the MRN, typed MR, under `urn:carebridge:<organization slug>:mrn`, then every
other system's id as stored. On input the first MR-typed identifier (any system) is the MRN;
another one under an MRN system of ours is refused.
Contact preference follows the contact points: the preferred channel's point has rank 1
(an `sms` point for text messages); "do not contact" is the DO_NOT_CONTACT extension.
The language is the `communication` marked preferred (else the only or first one).
Consent to be contacted is not carried here: it belongs to Consent resources.

`to_fhir_patient` reads `organization`, `identifiers`, `merged_into` and `merged_from`:
load them first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from carebridge.fhir_api.resources import (
    BCP47_SYSTEM,
    address,
    an_object,
    boolean,
    concept,
    concept_code,
    expect_resource,
    extension_value,
    fhir_date,
    invalid,
    meta,
    objects,
    parse_address,
    reference_to,
    text,
    texts,
)
from carebridge.patients.constants import ContactChannel, Sex
from carebridge.patients.models import Patient

IDENTIFIER_TYPES = "http://terminology.hl7.org/CodeSystem/v2-0203"
CONTACT_ROLES = "http://terminology.hl7.org/CodeSystem/v2-0131"
DO_NOT_CONTACT = "urn:carebridge:fhir:extension:do-not-contact"
OUR_MRN_SYSTEM = re.compile(r"^urn:carebridge:[^:]+:mrn$")
CHANNEL_BY_SYSTEM = {
    "sms": ContactChannel.SMS,
    "email": ContactChannel.EMAIL,
    "phone": ContactChannel.PHONE,
}

# The FHIR element each patient service field comes from, to name it in errors.
PATIENT_ELEMENTS = {
    "version": "Patient.meta.versionId",
    "mrn": "Patient.identifier",
    "identifier": "Patient.identifier",
    "given_name": "Patient.name",
    "middle_name": "Patient.name",
    "family_name": "Patient.name",
    "birth_date": "Patient.birthDate",
    "sex": "Patient.gender",
    "phone_mobile": "Patient.telecom",
    "phone_home": "Patient.telecom",
    "email": "Patient.telecom",
    "preferred_channel": "Patient.telecom",
    "address_line": "Patient.address",
    "city": "Patient.address",
    "state": "Patient.address",
    "postal_code": "Patient.address",
    "country": "Patient.address",
    "preferred_language": "Patient.communication",
    "emergency_contact_name": "Patient.contact",
    "emergency_contact_phone": "Patient.contact",
    "emergency_contact_relationship": "Patient.contact",
    "active": "Patient.active",
}


@dataclass(frozen=True)
class PatientInput:
    """`fields` for patient_create / patient_update, and other systems' identifiers."""

    fields: dict[str, Any]
    identifiers: tuple[tuple[str, str], ...] = ()


def mrn_system(organization) -> str:
    return f"urn:carebridge:{organization.slug}:mrn"


def to_fhir_patient(patient: Patient) -> dict:
    resource = {
        "resourceType": "Patient",
        "id": str(patient.public_id),
        "meta": meta(patient),
        "extension": _do_not_contact(patient),
        "identifier": _identifiers(patient),
        "active": patient.active,
        "name": [_name(patient)],
        "telecom": _telecom(patient),
        "gender": patient.sex,
        "birthDate": patient.birth_date.isoformat(),
        "address": _address(patient),
        "communication": [
            {"language": concept(patient.preferred_language, "", BCP47_SYSTEM), "preferred": True}
        ],
        "contact": _emergency_contact(patient),
        "link": _link(patient),
    }
    return {key: value for key, value in resource.items() if value not in ([], None, "")}


def _do_not_contact(patient: Patient) -> list[dict]:
    if patient.preferred_channel != ContactChannel.NONE:
        return []
    return [{"url": DO_NOT_CONTACT, "valueBoolean": True}]


def _identifiers(patient: Patient) -> list[dict]:
    mrn = {
        "type": concept("MR", "Medical Record Number", IDENTIFIER_TYPES),
        "system": mrn_system(patient.organization),
        "value": patient.mrn,
    }
    others = sorted(patient.identifiers.all(), key=lambda row: (row.system, row.value))
    return [mrn, *({"system": row.system, "value": row.value} for row in others)]


def _name(patient: Patient) -> dict:
    given = [part for part in [patient.given_name, patient.middle_name] if part]
    return {"use": "official", "family": patient.family_name, "given": given}


def _telecom(patient: Patient) -> list[dict]:
    points = []
    if patient.phone_mobile:
        points.append({"system": "phone", "value": patient.phone_mobile, "use": "mobile"})
    if patient.phone_home:
        points.append({"system": "phone", "value": patient.phone_home, "use": "home"})
    if patient.email:
        points.append({"system": "email", "value": patient.email})
    channel = patient.preferred_channel
    if channel == ContactChannel.SMS and patient.phone_mobile:
        points.insert(0, {"system": "sms", "value": patient.phone_mobile, "use": "mobile"})
    # Channel values double as contact point systems: sms, phone, email.
    preferred = next((point for point in points if point["system"] == channel), None)
    if preferred:
        preferred["rank"] = 1
    return points


def _address(patient: Patient) -> list[dict]:
    parts = [patient.address_line, patient.city, patient.state, patient.postal_code]
    if not any(parts):
        return []
    return [address(*parts, patient.country)]


def _emergency_contact(patient: Patient) -> list[dict]:
    if not (patient.emergency_contact_name or patient.emergency_contact_phone):
        return []
    relationship = [concept("C", "Emergency Contact", CONTACT_ROLES)]
    if patient.emergency_contact_relationship:
        relationship.append({"text": patient.emergency_contact_relationship})
    contact: dict = {"relationship": relationship}
    if patient.emergency_contact_name:
        contact["name"] = {"text": patient.emergency_contact_name}
    if patient.emergency_contact_phone:
        contact["telecom"] = [{"system": "phone", "value": patient.emergency_contact_phone}]
    return [contact]


def _link(patient: Patient) -> list[dict]:
    """A merged record names the record that replaced it; a kept record each one it
    replaced."""
    links = [
        {"other": reference_to("Patient", merged.public_id), "type": "replaces"}
        for merged in sorted(patient.merged_from.all(), key=lambda merged: merged.pk)
    ]
    if patient.merged_into_id is not None:
        links.append(
            {"other": reference_to("Patient", patient.merged_into.public_id), "type": "replaced-by"}
        )
    return links


def parse_patient(payload: dict) -> PatientInput:
    """Demographics as patient service fields. Elements that are absent become blank, so a
    FHIR update replaces the record; the MRN, language and channel stay unless given."""
    expect_resource(payload, "Patient")
    fields: dict[str, Any] = {
        **_parse_name(payload),
        "birth_date": _parse_birth_date(payload),
        "sex": _parse_gender(payload),
        "active": boolean(payload, "active", "Patient.active", default=True),
        **_parse_telecom(payload),
        **_parse_address(payload),
        **_parse_contact(payload),
    }
    language = _parse_language(payload)
    if language:
        fields["preferred_language"] = language
    mrn, identifiers = _parse_identifiers(payload)
    if mrn:
        fields["mrn"] = mrn
    return PatientInput(fields=fields, identifiers=tuple(identifiers))


def _parse_name(payload: dict) -> dict[str, str]:
    names = objects(payload, "name", "Patient.name")
    official = [name for name in names if name.get("use") == "official"]
    name = (official or names or [{}])[0]
    family = text(name, "family", "Patient.name.family")
    given = texts(name, "given", "Patient.name.given")
    if not family or not given:
        raise invalid("Patient.name", "a family name and a given name are required")
    return {"family_name": family, "given_name": given[0], "middle_name": " ".join(given[1:])}


def _parse_birth_date(payload: dict):
    born = text(payload, "birthDate", "Patient.birthDate", required=True)
    return fhir_date(born, "Patient.birthDate")


def _parse_gender(payload: dict) -> str:
    gender = text(payload, "gender", "Patient.gender") or Sex.UNKNOWN
    if gender not in Sex.values:
        raise invalid("Patient.gender", f"{gender!r} is not one of {', '.join(Sex.values)}")
    return gender


def _parse_telecom(payload: dict) -> dict[str, str]:
    found = {"phone_mobile": "", "phone_home": "", "email": ""}
    channel = ""
    for point in objects(payload, "telecom", "Patient.telecom"):
        system = text(point, "system", "Patient.telecom.system")
        value = text(point, "value", "Patient.telecom.value")
        if system not in CHANNEL_BY_SYSTEM or not value:
            continue
        if system == "email":
            slot = "email"
        elif system == "sms" or point.get("use") == "mobile":
            slot = "phone_mobile"
        else:
            slot = "phone_home"
        found[slot] = found[slot] or value
        if _rank(point) == 1:
            channel = channel or CHANNEL_BY_SYSTEM[system]
    if extension_value(payload, DO_NOT_CONTACT, "valueBoolean", "Patient") is True:
        channel = ContactChannel.NONE
    return found | ({"preferred_channel": channel} if channel else {})


def _rank(point: dict) -> int | None:
    rank = point.get("rank")
    if rank is not None and (not isinstance(rank, int) or isinstance(rank, bool) or rank < 1):
        raise invalid("Patient.telecom.rank", "expected a positive whole number")
    return rank


def _parse_address(payload: dict) -> dict[str, str]:
    addresses = objects(payload, "address", "Patient.address")
    home = [entry for entry in addresses if entry.get("use") == "home"]
    chosen = (home or addresses or [{}])[0]
    return parse_address(chosen, "Patient.address")


def _parse_language(payload: dict) -> str:
    spoken = objects(payload, "communication", "Patient.communication")
    preferred = [entry for entry in spoken if entry.get("preferred") is True]
    if not spoken:
        return ""
    chosen = (preferred or spoken)[0]
    language = an_object(chosen, "language", "Patient.communication.language")
    return concept_code(language, "Patient.communication.language")[0]


def _parse_contact(payload: dict) -> dict[str, str]:
    contacts = objects(payload, "contact", "Patient.contact")
    emergency = [contact for contact in contacts if _is_emergency(contact)]
    contact = (emergency or contacts or [{}])[0]
    name = an_object(contact, "name", "Patient.contact.name")
    full_name = text(name, "text", "Patient.contact.name.text") or " ".join(
        [
            *texts(name, "given", "Patient.contact.name.given"),
            text(name, "family", "Patient.contact.name.family"),
        ]
    )
    phones = [
        text(point, "value", "Patient.contact.telecom.value")
        for point in objects(contact, "telecom", "Patient.contact.telecom")
        if point.get("system") in ("phone", "sms")
    ]
    return {
        "emergency_contact_name": full_name.strip(),
        "emergency_contact_phone": next(iter(phones), ""),
        "emergency_contact_relationship": _relationship(contact),
    }


def _is_emergency(contact: dict) -> bool:
    return any(
        coding.get("code") == "C"
        for relationship in objects(contact, "relationship", "Patient.contact.relationship")
        for coding in objects(relationship, "coding", "Patient.contact.relationship.coding")
    )


def _relationship(contact: dict) -> str:
    for relationship in objects(contact, "relationship", "Patient.contact.relationship"):
        codes = {coding.get("code") for coding in relationship.get("coding", [])}
        if "C" not in codes:
            return concept_code(relationship, "Patient.contact.relationship")[1]
    return ""


def _parse_identifiers(payload: dict) -> tuple[str, list[tuple[str, str]]]:
    """The MRN and the other systems' ids. An id under an MRN system of ours can only be the
    MRN: kept as another id it would give the patient a second MRN, perhaps another
    patient's, and a search by it would find both."""
    mrn, others = "", []
    for identifier in objects(payload, "identifier", "Patient.identifier"):
        value = text(identifier, "value", "Patient.identifier.value", required=True)
        system = text(identifier, "system", "Patient.identifier.system")
        if not mrn and _is_mrn(identifier, system):
            mrn = value
        elif OUR_MRN_SYSTEM.match(system):
            raise invalid(
                "Patient.identifier",
                f"a patient has one MRN, and {system}|{value} would be a second",
            )
        elif not system:
            raise invalid("Patient.identifier.system", f"is required for the id {value!r}")
        else:
            others.append((system, value))
    return mrn, others


def _is_mrn(identifier: dict, system: str) -> bool:
    if OUR_MRN_SYSTEM.match(system):
        return True
    kind = an_object(identifier, "type", "Patient.identifier.type")
    return any(
        coding.get("code") == "MR" for coding in objects(kind, "coding", "Patient.identifier.type")
    )
