import datetime
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from carebridge.notifications.calendar import CalendarEvent, calendar_invite, folded, invitation

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


@pytest.mark.parametrize(
    "description",
    [
        "",
        "x" * 60,
        "Bring your medication list and arrive ten minutes early; parking is at the rear",
        "Traiga su lista de medicamentos. Llegue diez minutos antes: la recepción está "
        "en la planta baja, junto a la farmacia. ¿Preguntas? Llámenos." * 3,
        "请携带您的药物清单并提前十分钟到达。" * 6,
        "naïve émoji 🙂 " * 20,
        # the backslash of an escaped comma falls on the last octet a line may hold
        "y" * 61 + ", then more words after the escape" * 4,
    ],
)
def test_folded_like_icalendar_whatever_the_text(description):
    """Our folding writes exactly what icalendar's own serializer writes."""
    event = replace(EVENT, description=description, summary=description[:90] or "Visit")
    text = calendar_invite(event=event, method="REQUEST", stamp=STAMP)
    reference = invitation(event=event, method="REQUEST", stamp=STAMP).to_ical().decode()
    assert text == reference
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    _, parsed = parse(text)
    assert str(parsed.get("DESCRIPTION", "")) == description


def test_a_long_line_is_folded_at_74_octets_without_splitting_a_character():
    pieces = folded("é" * 50).split("\r\n ")
    assert [len(piece.encode()) for piece in pieces] == [74, 26]
    assert "".join(pieces) == "é" * 50
