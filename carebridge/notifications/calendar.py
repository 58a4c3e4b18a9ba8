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
    if method not in (REQUEST, CANCEL):
        raise ValueError(f"method must be {REQUEST} or {CANCEL}, not {method!r}")
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    calendar.add_component(_event(event, method, stamp))
    return calendar.to_ical().decode()


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
