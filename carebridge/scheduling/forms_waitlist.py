"""Forms of the waitlist pages: they parse what a coordinator typed; the waitlist services
decide whether it is allowed."""

from __future__ import annotations

import calendar

from django import forms

from carebridge.directory.selectors import location_list, practitioner_list, specialty_list
from carebridge.scheduling.selectors import visit_type_list
from carebridge.scheduling.waitlist_constants import WaitlistPriority, WaitlistStatus

# The list shows the entries still waiting unless asked for another status.
ON_THE_LIST = ""


class DateInput(forms.DateInput):
    input_type = "date"


class TimeInput(forms.TimeInput):
    input_type = "time"


class ChoicesFromOrganization(forms.Form):
    """Choices by public id from the actor's organization; `chosen` maps back to objects."""

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.offered: dict = {}
        self.organization = organization

    def _offer(self, name: str, queryset, blank: str | None = None) -> None:
        self.offered[name] = queryset
        choices = [(str(item.public_id), str(item)) for item in queryset]
        self.fields[name].choices = ([("", blank)] if blank is not None else []) + choices

    def chosen(self, name: str):
        public_id = self.cleaned_data.get(name)
        return self.offered[name].get(public_id=public_id) if public_id else None


class WaitlistEntryForm(ChoicesFromOrganization):
    patient = forms.UUIDField(error_messages={"required": "Choose a patient."})
    visit_type = forms.ChoiceField()
    priority = forms.ChoiceField(choices=WaitlistPriority.choices, initial=WaitlistPriority.ROUTINE)
    practitioner = forms.ChoiceField(required=False)
    specialty = forms.ChoiceField(required=False)
    location = forms.ChoiceField(required=False)
    weekdays = forms.TypedMultipleChoiceField(
        choices=list(enumerate(calendar.day_name)),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None ticked: any day",
    )
    time_from = forms.TimeField(required=False, widget=TimeInput, label="From (local time)")
    time_to = forms.TimeField(required=False, widget=TimeInput, label="Until (local time)")
    earliest_date = forms.DateField(required=False, widget=DateInput)
    latest_date = forms.DateField(required=False, widget=DateInput)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        self._offer("visit_type", visit_type_list(organization=organization))
        self._offer("practitioner", practitioner_list(organization=organization), "Anyone")
        self._offer("specialty", specialty_list(organization=organization), "Any")
        self._offer("location", location_list(organization=organization), "Anywhere")

    def preferences(self) -> dict:
        """The cleaned values as `waitlist_add` takes them (without the patient)."""
        data = self.cleaned_data
        return {
            "visit_type": self.chosen("visit_type"),
            "practitioner": self.chosen("practitioner"),
            "specialty": self.chosen("specialty"),
            "location": self.chosen("location"),
            "weekdays": data["weekdays"],
            "time_from": data["time_from"],
            "time_to": data["time_to"],
            "earliest_date": data["earliest_date"],
            "latest_date": data["latest_date"],
            "priority": data["priority"],
            "note": data["note"],
        }


class WaitlistFilterForm(ChoicesFromOrganization):
    visit_type = forms.ChoiceField(required=False)
    status = forms.ChoiceField(
        required=False, choices=[(ON_THE_LIST, "On the list"), *WaitlistStatus.choices]
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        self._offer("visit_type", visit_type_list(organization=organization), "All visit types")


class WaitlistPolicyForm(forms.Form):
    batch_size = forms.IntegerField(min_value=1, label="Patients offered a slot at once")
    hold_minutes = forms.IntegerField(min_value=1, label="Hold each offer for (minutes)")
    min_lead_minutes = forms.IntegerField(
        min_value=0,
        label="Stop offering this long before the start (minutes)",
        help_text="Nobody is offered a visit that starts sooner than this",
    )
