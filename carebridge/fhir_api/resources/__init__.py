"""What every FHIR R4 mapper shares: reading JSON elements, identifiers, codings, references.

Mappers are pure. `to_fhir_*` reads an object whose relations the caller has already loaded;
`parse_*` reads a JSON payload and returns plain input for a service, raising InvalidInput
that names the FHIR element at fault (`Patient.birthDate`) and why.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from carebridge.core.errors import InvalidInput

NPI_SYSTEM = "http://hl7.org/fhir/sid/us-npi"
BCP47_SYSTEM = "urn:ietf:bcp:47"
ORGANIZATION_SYSTEM = "urn:carebridge:organization"
# IANA zone of a Location; a core extension since FHIR R5, usable in R4 documents too.
TIMEZONE_EXTENSION = "http://hl7.org/fhir/StructureDefinition/timezone"

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TIME_PATTERN = re.compile(r"^\d{2}:\d{2}(:\d{2})?$")


def invalid(element: str, reason: str) -> InvalidInput:
    return InvalidInput(f"{element}: {reason}", field=element)


def expect_resource(payload: Any, resource_type: str) -> dict:
    if not isinstance(payload, dict):
        raise invalid(resource_type, "expected a JSON object")
    if payload.get("resourceType") != resource_type:
        raise invalid(
            f"{resource_type}.resourceType",
            f"expected {resource_type!r}, got {payload.get('resourceType')!r}",
        )
    return payload


def objects(parent: dict, key: str, element: str) -> list[dict]:
    """A repeating element as a list of objects; absent means empty."""
    value = parent.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
        raise invalid(element, "expected a list of objects")
    return value


def an_object(parent: dict, key: str, element: str) -> dict:
    """A single complex element; absent means empty."""
    value = parent.get(key, {})
    if not isinstance(value, dict):
        raise invalid(element, "expected an object")
    return value


def text(parent: dict, key: str, element: str, *, required: bool = False) -> str:
    value = parent.get(key, "")
    if not isinstance(value, str):
        raise invalid(element, "expected a string")
    value = value.strip()
    if required and not value:
        raise invalid(element, "is required")
    return value


def texts(parent: dict, key: str, element: str) -> list[str]:
    value = parent.get(key, [])
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise invalid(element, "expected a list of strings")
    return [item.strip() for item in value if item.strip()]


def boolean(parent: dict, key: str, element: str, *, default: bool) -> bool:
    value = parent.get(key, default)
    if not isinstance(value, bool):
        raise invalid(element, "expected true or false")
    return value


def fhir_date(value: str, element: str) -> datetime.date:
    if not DATE_PATTERN.match(value):
        raise invalid(element, f"{value!r} is not a full date (YYYY-MM-DD)")
    try:
        return datetime.date.fromisoformat(value)
    except ValueError as error:
        raise invalid(element, f"{value!r} is not a calendar date") from error


def fhir_time(value: str, element: str) -> datetime.time:
    if not TIME_PATTERN.match(value):
        raise invalid(element, f"{value!r} is not a time (hh:mm:ss)")
    try:
        return datetime.time.fromisoformat(value)
    except ValueError as error:
        raise invalid(element, f"{value!r} is not a time of day") from error


def meta(obj: Any) -> dict:
    """versionId where the model counts versions, and when the record last changed."""
    result = {"lastUpdated": obj.updated_at.isoformat()}
    if hasattr(obj, "version"):
        result["versionId"] = str(obj.version)
    return result


def identifier_token(system: str, value: str) -> str:
    """How an external identifier is stored on a model: FHIR's `system|value` token."""
    return f"{system}|{value}" if system else value


def identifier_from_token(token: str) -> dict:
    system, _, value = token.rpartition("|")
    return {"system": system, "value": value} if system else {"value": value}


def parse_identifiers(payload: dict, resource_type: str) -> list[tuple[str, str]]:
    """Every identifier as (system, value); a value is required, a system is not."""
    element = f"{resource_type}.identifier"
    pairs = []
    for identifier in objects(payload, "identifier", element):
        value = text(identifier, "value", f"{element}.value", required=True)
        pairs.append((text(identifier, "system", f"{element}.system"), value))
    return pairs


def concept(code: str, display: str, system: str) -> dict:
    coding = {"system": system, "code": code} if system else {"code": code}
    if display:
        coding["display"] = display
    result: dict = {"coding": [coding]}
    if display:
        result["text"] = display
    return result


def concept_code(value: dict, element: str) -> tuple[str, str]:
    """(code, display) of a CodeableConcept: the first coding with a code, else its text."""
    for coding in objects(value, "coding", f"{element}.coding"):
        code = text(coding, "code", f"{element}.coding.code")
        if code:
            display = text(coding, "display", f"{element}.coding.display")
            return code, display or text(value, "text", f"{element}.text") or code
    label = text(value, "text", f"{element}.text")
    if not label:
        raise invalid(element, "needs a coding with a code, or a text")
    return label, label


def extension_value(payload: dict, url: str, key: str, element: str) -> Any:
    for extension in objects(payload, "extension", f"{element}.extension"):
        if extension.get("url") == url:
            return extension.get(key)
    return None


@dataclass(frozen=True)
class Reference:
    """A reference as written, resolved later by whoever holds the database.

    Exactly one of `id` (a literal `Type/id`), `identifier` (a logical reference or a
    conditional `Type?identifier=system|value`) and `url` (a Bundle's `urn:uuid:...`) is set.
    """

    resource_type: str
    id: str = ""
    identifier: tuple[str, str] | None = None
    url: str = ""


def parse_reference(value: Any, element: str, resource_type: str) -> Reference:
    if not isinstance(value, dict):
        raise invalid(element, "expected a Reference object")
    literal = text(value, "reference", f"{element}.reference")
    if literal.startswith(("urn:uuid:", "urn:oid:")):
        return Reference(resource_type, url=literal)
    if literal:
        return _parse_literal(literal, element, resource_type)
    logical = an_object(value, "identifier", f"{element}.identifier")
    if logical:
        value_ = text(logical, "value", f"{element}.identifier.value", required=True)
        return Reference(resource_type, identifier=(text(logical, "system", element), value_))
    raise invalid(element, "needs a reference or an identifier")


def _parse_literal(literal: str, element: str, resource_type: str) -> Reference:
    if "?" in literal:
        target, _, query = literal.partition("?")
        name, _, token = query.partition("=")
        system, _, value = token.rpartition("|")
        if name != "identifier" or not value:
            raise invalid(element, f"{literal!r}: only ?identifier=system|value is understood")
        _expect_type(target.rsplit("/", 1)[-1], element, resource_type)
        return Reference(resource_type, identifier=(system, value))
    # A versioned reference (Type/id/_history/2) names the same record.
    parts = literal.partition("/_history/")[0].split("/")
    if len(parts) < 2 or not parts[-1]:
        raise invalid(element, f"{literal!r} is not a {resource_type} reference")
    _expect_type(parts[-2], element, resource_type)
    return Reference(resource_type, id=parts[-1])


def _expect_type(found: str, element: str, resource_type: str) -> None:
    if found != resource_type:
        raise invalid(element, f"must refer to a {resource_type}, not a {found or 'resource'}")


def reference_to(resource_type: str, public_id: Any, display: str = "") -> dict:
    result = {"reference": f"{resource_type}/{public_id}"}
    if display:
        result["display"] = display
    return result


def address(line: str, city: str, state: str, postal_code: str, country: str) -> dict:
    """A FHIR Address with only the parts that are filled in."""
    parts = {
        "line": [line] if line else [],
        "city": city,
        "state": state,
        "postalCode": postal_code,
        "country": country,
    }
    return {key: value for key, value in parts.items() if value}


def parse_address(value: dict, element: str) -> dict[str, str]:
    """The keyword arguments our models use for an address; lines are joined with ", "."""
    country = text(value, "country", f"{element}.country").upper()
    if country and not re.fullmatch(r"[A-Z]{2}", country):
        raise invalid(f"{element}.country", f"{country!r} is not an ISO 3166 two-letter code")
    return {
        "address_line": ", ".join(texts(value, "line", f"{element}.line")),
        "city": text(value, "city", f"{element}.city"),
        "state": text(value, "state", f"{element}.state"),
        "postal_code": text(value, "postalCode", f"{element}.postalCode"),
        "country": country or "US",
    }
