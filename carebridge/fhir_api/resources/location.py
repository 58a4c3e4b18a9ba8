"""Location <-> FHIR R4 Location.

The IANA zone travels in the `timezone` extension; a payload without one leaves the zone to
the caller (the organization's zone, for imports). Opening hours become hoursOfOperation,
weekdays with the same hours grouped. `to_fhir_location` reads `organization` and
`opening_hours`: load them first (location_list prefetches the hours).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from itertools import groupby
from typing import Any

from carebridge.directory.models import Location
from carebridge.fhir_api.resources import (
    TIMEZONE_EXTENSION,
    Reference,
    address,
    an_object,
    expect_resource,
    extension_value,
    fhir_time,
    identifier_from_token,
    identifier_token,
    invalid,
    meta,
    objects,
    parse_address,
    parse_identifiers,
    parse_reference,
    reference_to,
    text,
    texts,
)

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
STATUSES = ("active", "suspended", "inactive")
END_OF_DAY = datetime.time(23, 59, 59)
# The FHIR element each location service field comes from, to name it in errors.
LOCATION_ELEMENTS = {
    "name": "Location.name",
    "address_line": "Location.address",
    "city": "Location.address",
    "state": "Location.address",
    "postal_code": "Location.address",
    "country": "Location.address",
    "phone": "Location.telecom",
    "timezone": "Location.extension",
    "identifier": "Location.identifier",
    "active": "Location.status",
}

OpeningHours = tuple[int, datetime.time, datetime.time]


@dataclass(frozen=True)
class LocationInput:
    """`fields` for location_create / location_update (no `timezone` key when the payload
    names no zone), the weekly opening hours, and the managing organization as written."""

    fields: dict[str, Any]
    opening_hours: tuple[OpeningHours, ...] = ()
    managing_organization: Reference | None = None


def to_fhir_location(location: Location) -> dict:
    resource = {
        "resourceType": "Location",
        "id": str(location.public_id),
        "meta": meta(location),
        "extension": [{"url": TIMEZONE_EXTENSION, "valueCode": location.timezone}],
        "identifier": [identifier_from_token(location.identifier)] if location.identifier else [],
        "status": "active" if location.active else "inactive",
        "name": location.name,
        "telecom": [{"system": "phone", "value": location.phone}] if location.phone else [],
        "address": address(
            location.address_line,
            location.city,
            location.state,
            location.postal_code,
            location.country,
        ),
        "managingOrganization": reference_to(
            "Organization", location.organization.public_id, location.organization.name
        ),
        "hoursOfOperation": _hours_of_operation(location),
    }
    return {key: value for key, value in resource.items() if value not in ([], {}, "")}


def _hours_of_operation(location: Location) -> list[dict]:
    by_hours = sorted(
        location.opening_hours.all(), key=lambda hours: (hours.opens, hours.closes, hours.weekday)
    )
    return [
        {
            "daysOfWeek": [WEEKDAYS[hours.weekday] for hours in group],
            "openingTime": opens.isoformat(),
            "closingTime": closes.isoformat(),
        }
        for (opens, closes), group in groupby(
            by_hours, key=lambda hours: (hours.opens, hours.closes)
        )
    ]


def parse_location(payload: dict) -> LocationInput:
    expect_resource(payload, "Location")
    if payload.get("mode") == "kind":
        raise invalid("Location.mode", "'kind' describes a kind of place, not a site")
    status = text(payload, "status", "Location.status") or "active"
    if status not in STATUSES:
        raise invalid("Location.status", f"{status!r} is not one of {', '.join(STATUSES)}")
    fields: dict[str, Any] = {
        "name": text(payload, "name", "Location.name", required=True),
        **parse_address(an_object(payload, "address", "Location.address"), "Location.address"),
        "phone": _phone(payload),
        "identifier": _identifier(payload),
        "active": status == "active",
    }
    zone = extension_value(payload, TIMEZONE_EXTENSION, "valueCode", "Location")
    if zone:
        fields["timezone"] = zone
    managing = None
    if "managingOrganization" in payload:
        managing = parse_reference(
            payload["managingOrganization"], "Location.managingOrganization", "Organization"
        )
    return LocationInput(
        fields=fields, opening_hours=_parse_hours(payload), managing_organization=managing
    )


def _phone(payload: dict) -> str:
    for point in objects(payload, "telecom", "Location.telecom"):
        if point.get("system") == "phone":
            return text(point, "value", "Location.telecom.value")
    return ""


def _identifier(payload: dict) -> str:
    identifiers = parse_identifiers(payload, "Location")
    return identifier_token(*identifiers[0]) if identifiers else ""


def _parse_hours(payload: dict) -> tuple[OpeningHours, ...]:
    element = "Location.hoursOfOperation"
    hours = []
    for entry in objects(payload, "hoursOfOperation", element):
        days = texts(entry, "daysOfWeek", f"{element}.daysOfWeek")
        unknown = [day for day in days if day not in WEEKDAYS]
        if unknown or not days:
            raise invalid(f"{element}.daysOfWeek", f"expected days among {', '.join(WEEKDAYS)}")
        if entry.get("allDay") is True:
            opens, closes = datetime.time(0), END_OF_DAY
        else:
            opens = _time(entry, "openingTime", element)
            closes = _time(entry, "closingTime", element)
        if closes <= opens:
            raise invalid(f"{element}.closingTime", "must be after the opening time")
        hours.extend((WEEKDAYS.index(day), opens, closes) for day in days)
    return tuple(sorted(hours))


def _time(entry: dict, key: str, element: str) -> datetime.time:
    return fhir_time(text(entry, key, f"{element}.{key}", required=True), f"{element}.{key}")
