"""iCalendar invitations (RFC 5545 / iTIP RFC 5546) that calendar apps keep up to date.

One visit is one event for its whole life: the UID never changes, and each change carries
a higher SEQUENCE, so a calendar replaces the event on an update (METHOD:REQUEST) and
removes it on a cancellation (METHOD:CANCEL) instead of adding a second one.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from icalendar import Calendar, Event, vCalAddress, vText

PRODUCT_ID = "-//CareBridge//Appointments//EN"
REQUEST = "REQUEST"
CANCEL = "CANCEL"
# Content lines are folded (RFC 5545 section 3.1) into pieces of at most 74 octets, as
# icalendar folds them: a continuation with its leading space then holds at most 75.
FOLD_OCTETS = 75


@dataclass(frozen=True)
class CalendarEvent:
    uid: str  # stable per visit
    sequence: int  # grows with every change of the visit
    start: datetime.datetime  # aware
    end: datetime.datetime  # aware
    summary: str
    location: str
    description: str
    organizer_name: str
    organizer_email: str
    attendee_email: str


def calendar_invite(*, event: CalendarEvent, method: str, stamp: datetime.datetime) -> str:
    """The text/calendar body for `event`; `method` is REQUEST (new or changed) or CANCEL.

    Times are written in UTC, which every calendar converts to its own zone.
    """
    return serialized(invitation(event=event, method=method, stamp=stamp))


def invitation(*, event: CalendarEvent, method: str, stamp: datetime.datetime) -> Calendar:
    """The invitation as an icalendar object (see `calendar_invite`)."""
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"method must be {REQUEST} or {CANCEL}, not {method!r}")
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(_event(event, method, stamp))
    return calendar


def serialized(calendar: Calendar) -> str:
    """What `calendar.to_ical()` writes, folded here: icalendar folds every line one
    character at a time, a quarter of the cost of the invitation each booking writes."""
    return "".join(f"{folded(line)}\r\n" for line in calendar.content_lines() if line)


def folded(line: str) -> str:
    """`line` split into pieces of at most 74 octets joined by CRLF and a space, never
    inside a character's UTF-8 sequence, and never right after a backslash or caret (so a
    TEXT or parameter escape stays whole, as icalendar does for older clients)."""
    encoded = line.encode()
    if len(encoded) < FOLD_OCTETS:
        return line
    pieces, start = [], 0
    while len(encoded) - start >= FOLD_OCTETS:
        end = start + FOLD_OCTETS - 1
        while encoded[end] & 0b1100_0000 == 0b1000_0000:  # inside a UTF-8 sequence
            end -= 1
        if encoded[end - 1] in b"\\^" and end - 1 > start:
            end -= 1
        pieces.append(encoded[start:end])
        start = end
    pieces.append(encoded[start:])
    return b"\r\n ".join(pieces).decode()


def _event(event: CalendarEvent, method: str, stamp: datetime.datetime) -> Event:
    component = Event()
    component.add("uid", event.uid)
    component.add("sequence", event.sequence)
    component.add("dtstamp", stamp.astimezone(datetime.UTC))
    component.add("dtstart", event.start.astimezone(datetime.UTC))
    component.add("dtend", event.end.astimezone(datetime.UTC))
    component.add("summary", event.summary)
    component.add("location", event.location)
    if event.description:
        component.add("description", event.description)
    component.add("status", "CANCELLED" if method == CANCEL else "CONFIRMED")
    organizer = vCalAddress(f"mailto:{event.organizer_email}")
    organizer.params["cn"] = vText(event.organizer_name)
    component.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{event.attendee_email}")
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    attendee.params["rsvp"] = vText("FALSE")
    component.add("attendee", attendee)
    return component
