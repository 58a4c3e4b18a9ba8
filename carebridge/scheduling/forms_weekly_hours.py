"""The weekly hours form: days, times in the location's wall clock, and the dates they hold."""

from __future__ import annotations

from django import forms

from carebridge.directory.selectors import location_list
from carebridge.scheduling.constants import RuleKind
from carebridge.scheduling.forms_waitlist import ChoicesFromOrganization, DateInput, TimeInput
from carebridge.scheduling.services.weekly_hours import WEEKDAY_NAMES


class WeeklyHoursForm(ChoicesFromOrganization):
    location = forms.ChoiceField()
    weekdays = forms.TypedMultipleChoiceField(
        choices=list(enumerate(WEEKDAY_NAMES)),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one day."},
    )
    start_time = forms.TimeField(widget=TimeInput, label="From")
    end_time = forms.TimeField(widget=TimeInput, label="Until")
    kind = forms.ChoiceField(choices=RuleKind.choices, initial=RuleKind.WORKING)
    effective_from = forms.DateField(
        required=False, widget=DateInput, label="Starting", help_text="Empty: from now on."
    )
    effective_until = forms.DateField(
        required=False, widget=DateInput, label="Last day", help_text="Empty: until changed."
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        self._offer("location", location_list(organization=organization))


class EndHoursForm(forms.Form):
    last_day = forms.DateField(widget=DateInput, label="Last day")
