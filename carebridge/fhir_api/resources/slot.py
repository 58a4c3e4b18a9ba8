"""Slot: a start time of one visit type on one schedule, free or busy. There is no slot row.

The id encodes schedule, visit type and start (base32 of 37 bytes: 60 characters, inside
FHIR's 64), so a client can read a slot it found, and book it, after the search is gone.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import uuid
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from carebridge.core.errors import NotFound
from carebridge.core.validation import SEARCHABLE_YEARS
from carebridge.fhir_api.resources import reference_to
from carebridge.scheduling.models import VisitType

VISIT_TYPE_SYSTEM = "urn:carebridge:visit-type"
START_BYTES = 5  # seconds since 1970, enough for the next 30,000 years
ID_BYTES = 16 + 16 + START_BYTES
# Five bytes reach past the last year a datetime holds; a slot id's start is one a search
# could find, which leaves a day's room for any time zone.
END_OF_STARTS = datetime.datetime(SEARCHABLE_YEARS.stop, 1, 1, tzinfo=datetime.UTC).timestamp()


@dataclass(frozen=True)
class SlotKey:
    schedule_id: uuid.UUID
    visit_type_id: uuid.UUID
    start: datetime.datetime


@dataclass(frozen=True)
class ScheduleSlot:
    key: SlotKey
    visit_type: VisitType
    zone: ZoneInfo  # the location's, for showing the times
    busy: bool

    @property
    def end(self) -> datetime.datetime:
        return self.key.start + datetime.timedelta(minutes=self.visit_type.duration_minutes)


def slot_id(key: SlotKey) -> str:
    seconds = int(key.start.timestamp()).to_bytes(START_BYTES, "big")
    raw = key.schedule_id.bytes + key.visit_type_id.bytes + seconds
    return base64.b32encode(raw).decode().rstrip("=").lower()


def parse_slot_id(value: str) -> SlotKey:
    """The key inside a slot id; anything that is not one of ours is simply not found."""
    padded = value.upper() + "=" * (-len(value) % 8)
    try:
        raw = base64.b32decode(padded)
    except (binascii.Error, ValueError) as error:
        raise NotFound("Slot not found") from error
    if len(raw) != ID_BYTES:
        raise NotFound("Slot not found")
    seconds = int.from_bytes(raw[32:], "big")
    if seconds >= END_OF_STARTS:
        raise NotFound("Slot not found")
    return SlotKey(
        schedule_id=uuid.UUID(bytes=raw[:16]),
        visit_type_id=uuid.UUID(bytes=raw[16:32]),
        start=datetime.datetime.fromtimestamp(seconds, tz=datetime.UTC),
    )


def visit_type_concept(visit_type: VisitType) -> dict:
    return {
        "coding": [
            {"system": VISIT_TYPE_SYSTEM, "code": visit_type.code, "display": visit_type.name}
        ]
    }


def fhir_instant(moment: datetime.datetime, zone: ZoneInfo) -> str:
    """An instant with the location's UTC offset, as a person there would read it."""
    return moment.astimezone(zone).isoformat(timespec="seconds")


def to_fhir_slot(slot: ScheduleSlot) -> dict:
    return {
        "resourceType": "Slot",
        "id": slot_id(slot.key),
        "serviceType": [visit_type_concept(slot.visit_type)],
        "schedule": reference_to("Schedule", slot.key.schedule_id),
        "status": "busy" if slot.busy else "free",
        "start": fhir_instant(slot.key.start, slot.zone),
        "end": fhir_instant(slot.end, slot.zone),
    }
