import datetime
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from carebridge.notifications.calendar import CalendarEvent, calendar_invite

NEW_YORK = ZoneInfo("America/New_York")
EVENT = CalendarEvent(
    uid="0f8e-visit@carebridge",
    sequence=3,
    start=datetime.datetime(2026, 12, 3, 9, 30, tzinfo=NEW_YORK),
    end=datetime.datetime(2026, 12, 3, 10, 0, tzinfo=NEW_YORK),
    summary="Follow-up at Clinic A",
    location="Clinic A Main, 1 Main St",
    description="Bring your medication list",
    organizer_name="Clinic A",
    organizer_email="no-reply@clinic-a.example",
    attendee_email="jose@example.org",
)
STAMP = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=datetime.UTC)


def parse(text: str):
    calendar = Calendar.from_ical(text)
    return calendar, calendar.walk("VEVENT")[0]


def test_request_carries_uid_sequence_and_utc_times():
    calendar, event = parse(calendar_invite(event=EVENT, method="REQUEST", stamp=STAMP))
    assert calendar["METHOD"] == "REQUEST"
    assert str(event["UID"]) == EVENT.uid
    assert event["SEQUENCE"] == 3
    assert event.decoded("DTSTART") == datetime.datetime(2026, 12, 3, 14, 30, tzinfo=datetime.UTC)
    assert event.decoded("DTEND") == datetime.datetime(2026, 12, 3, 15, 0, tzinfo=datetime.UTC)
    assert str(event["ORGANIZER"]) == "mailto:no-reply@clinic-a.example"
    assert str(event["LOCATION"]) == EVENT.location
    assert str(event["STATUS"]) == "CONFIRMED"


def test_cancel_keeps_the_uid_and_marks_the_event_cancelled():
    calendar, event = parse(calendar_invite(event=EVENT, method="CANCEL", stamp=STAMP))
    assert calendar["METHOD"] == "CANCEL"
    assert str(event["UID"]) == EVENT.uid
    assert str(event["STATUS"]) == "CANCELLED"


def test_unknown_method_is_refused():
    with pytest.raises(ValueError, match="REQUEST or CANCEL"):
        calendar_invite(event=EVENT, method="PUBLISH", stamp=STAMP)
