"""The reminder policy form: offsets typed as a list ("7 days, 2 days, 2 hours"), the
confirmation switch, quiet hours and whether texts name the visit type."""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable

from django import forms

from carebridge.scheduling.models import ReminderPolicy
from carebridge.scheduling.services.messages import DEFAULT_POLICY
from carebridge.scheduling.services.reminders import OFFSET_MAX

UNITS = {"minute": 1, "hour": 60, "day": 24 * 60, "week": 7 * 24 * 60}
# "2 hours", "30 min", "7d": a whole number and a unit, known by its first letter.
UNIT_BY_LETTER = {unit[0]: size for unit, size in UNITS.items()}
OFFSET = re.compile(r"(\d+)\s*(minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|w)", re.IGNORECASE)
MAX_MINUTES = OFFSET_MAX // datetime.timedelta(minutes=1)


def offsets_parse(text: str) -> list[datetime.timedelta]:
    """ "7 days, 2 days, 2 hours" -> timedeltas; ValidationError quoting the part that is
    not a whole number with a unit, or is longer than OFFSET_MAX."""
    return [
        datetime.timedelta(minutes=_part_minutes(part))
        for part in filter(None, (piece.strip() for piece in text.split(",")))
    ]


def _part_minutes(part: str) -> int:
    match = OFFSET.fullmatch(part)
    if match is None:
        raise forms.ValidationError(
            f"“{part}” is not like 7 days, 2 hours or 30 minutes.", code="invalid"
        )
    # Count the digits before reading the number: int() refuses thousands of them, and
    # timedelta overflows on far fewer.
    if len(match[1].lstrip("0")) <= len(str(MAX_MINUTES)):
        minutes = int(match[1]) * UNIT_BY_LETTER[match[2][0].lower()]
        if minutes <= MAX_MINUTES:
            return minutes
    raise forms.ValidationError(
        f"“{part}” is too long before the visit: at most {offset_text(OFFSET_MAX)}.",
        code="max_value",
    )


def offset_text(offset: datetime.timedelta) -> str:
    """The largest unit that divides it: 2880 minutes -> "2 days", 90 -> "90 minutes"."""
    minutes = int(offset.total_seconds() // 60)
    unit, size = next((unit, size) for unit, size in reversed(UNITS.items()) if minutes % size == 0)
    count = minutes // size
    return f"{count} {unit}{'' if count == 1 else 's'}"


def offsets_text(offsets: Iterable[datetime.timedelta]) -> str:
    return ", ".join(offset_text(offset) for offset in offsets)


def stored_offsets(policy: ReminderPolicy) -> list[datetime.timedelta]:
    return [datetime.timedelta(minutes=row.minutes_before) for row in policy.offsets.all()]


def policy_initial(policy: ReminderPolicy | None) -> dict:
    """The form's values for a stored policy, or for the defaults when there is none."""
    source = policy or DEFAULT_POLICY
    offsets = DEFAULT_POLICY.offsets if policy is None else stored_offsets(policy)
    return {
        "offsets": offsets_text(offsets),
        "confirm_on_booking": source.confirm_on_booking,
        "quiet_start": source.quiet_start,
        "quiet_end": source.quiet_end,
        "sms_shows_visit_type": source.sms_shows_visit_type,
    }


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%H:%M")


class OffsetsField(forms.CharField):
    def to_python(self, value) -> list[datetime.timedelta]:
        return offsets_parse(super().to_python(value))


class ReminderPolicyForm(forms.Form):
    offsets = OffsetsField(
        required=False,
        label="Remind this long before the visit",
        help_text="A list, e.g. 7 days, 2 days, 2 hours (units: weeks, days, hours, minutes). "
        "Empty: no reminders.",
    )
    confirm_on_booking = forms.BooleanField(
        required=False, label="Send a confirmation as soon as a visit is booked"
    )
    quiet_start = forms.TimeField(widget=TimeInput, label="Quiet hours from")
    quiet_end = forms.TimeField(
        widget=TimeInput,
        label="Quiet hours until",
        help_text="In the patient's time zone; reminders due in between wait until the end. "
        "The same time twice: no quiet hours.",
    )
    sms_shows_visit_type = forms.BooleanField(
        required=False, label="Text messages name the visit type"
    )
