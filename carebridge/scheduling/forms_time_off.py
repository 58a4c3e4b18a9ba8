"""The time off form: what a coordinator typed, as the span `availability_exception_create`
takes, in the wall-clock time of the location (or, for time off everywhere, of the
practitioner's locations; see `practitioner_zone`)."""

from __future__ import annotations

import datetime
from zoneinfo import ZoneInfo

from django import forms

from carebridge.core.errors import InvalidInput, raise_all
from carebridge.core.timeranges import wall_time_exists
from carebridge.core.validation import check_years
from carebridge.directory.selectors import location_list, practitioner_list, practitioner_zone
from carebridge.scheduling.constants import ExceptionKind
from carebridge.scheduling.forms_waitlist import ChoicesFromOrganization, DateInput, TimeInput

KIND_CHOICES = [
    (ExceptionKind.UNAVAILABLE, "Time off (away, sick, training): not bookable"),
    (ExceptionKind.EXTRA_HOURS, "Extra hours: bookable beside the weekly hours"),
]


class TimeOffForm(ChoicesFromOrganization):
    practitioner = forms.ChoiceField()
    kind = forms.ChoiceField(choices=KIND_CHOICES, initial=ExceptionKind.UNAVAILABLE)
    location = forms.ChoiceField(
        required=False, help_text="Time off may apply everywhere; extra hours need a location."
    )
    start_date = forms.DateField(widget=DateInput, label="From")
    start_time = forms.TimeField(
        required=False, widget=TimeInput, help_text="Empty: from the start of the day."
    )
    end_date = forms.DateField(
        required=False, widget=DateInput, label="Until", help_text="Empty: the same day."
    )
    end_time = forms.TimeField(
        required=False, widget=TimeInput, help_text="Empty: to the end of the day."
    )
    reason = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        self._offer("practitioner", practitioner_list(organization=organization))
        self._offer("location", location_list(organization=organization), "Every location")

    def renamed_fields(self) -> dict[str, str]:
        """The form's field for each field the service names: the time typed, or the day."""
        data = self.cleaned_data
        return {
            "start": "start_time" if data["start_time"] is not None else "start_date",
            "end": "end_time" if data["end_time"] is not None else "end_date",
        }

    def zone(self) -> ZoneInfo:
        """The wall clock the times were typed in: the location's; for time off everywhere,
        the practitioner's."""
        location = self.chosen("location")
        if location is not None:
            return ZoneInfo(location.timezone)
        practitioner = self.chosen("practitioner")
        return ZoneInfo(practitioner_zone(practitioner, self.organization.timezone))

    def span(self) -> tuple[datetime.datetime, datetime.datetime]:
        """From the start time (or midnight) of the first day to the end time of the last
        day, or the midnight after it. Raises InvalidInput naming the form's field for a
        mistyped year or a time the clocks skip."""
        data, zone = self.cleaned_data, self.zone()
        first, last = data["start_date"], data["end_date"] or data["start_date"]
        # Before any date arithmetic: the day after 9999-12-31 does not exist.
        check_years({"start_date": first, "end_date": data["end_date"]}, zone=zone)
        raise_all(
            _skipped_time_problems(
                zone, start_time=(first, data["start_time"]), end_time=(last, data["end_time"])
            )
        )
        start = datetime.datetime.combine(first, data["start_time"] or datetime.time(0), zone)
        if data["end_time"] is None:
            return start, datetime.datetime.combine(
                last + datetime.timedelta(days=1), datetime.time(0), zone
            )
        return start, datetime.datetime.combine(last, data["end_time"], zone)


def _skipped_time_problems(
    zone: ZoneInfo, **typed: tuple[datetime.date, datetime.time | None]
) -> list[InvalidInput]:
    """A problem per time typed that the wall clock never shows on its day, because the
    clocks move forward over it. Such a time has no instant of its own (02:30 and 03:30 on
    a spring-forward night are the same moment), so a span from it means nothing the
    coordinator meant. A repeated time (clocks moving back) is taken the first time it
    shows, as everywhere else (`wall_to_utc`). Midnight left empty is not checked: a day
    whose midnight is skipped starts when the clocks move."""
    return [
        InvalidInput(
            f"{field}: {time:%H:%M} does not exist on {day} in {zone.key}: clocks move forward",
            field=field,
        )
        for field, (day, time) in typed.items()
        if time is not None and not wall_time_exists(day, time, zone)
    ]
