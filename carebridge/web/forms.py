"""Forms that parse what a coordinator typed; the services decide whether it is allowed."""

from __future__ import annotations

import datetime
import zoneinfo

from django import forms
from django.core.exceptions import ValidationError

from carebridge.core import clock
from carebridge.core.errors import InvalidInput
from carebridge.core.forms import show_domain_error
from carebridge.core.languages import language_label, language_name
from carebridge.core.timeranges import zone_of
from carebridge.directory.selectors import (
    languages_spoken,
    location_list,
    practitioner_list,
    specialty_list,
)
from carebridge.notifications.template_selectors import shipped_languages
from carebridge.patients.models import Patient
from carebridge.patients.services import EDITABLE_FIELDS
from carebridge.scheduling.availability import check_search_day, last_searchable_day
from carebridge.scheduling.constants import AppointmentStatus, CancelledBy
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.selectors import visit_type_list
from carebridge.scheduling.services.appointments import transition_refusal

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%m/%d/%Y"]
# Everything staff may edit except the active flag, which has its own action.
PATIENT_FIELDS = [name for name in EDITABLE_FIELDS if name != "active"]
# Statuses a coordinator moves a visit to from the details panel, in the order of a visit.
DESK_STATUSES = (
    AppointmentStatus.ARRIVED,
    AppointmentStatus.CHECKED_IN,
    AppointmentStatus.FULFILLED,
    AppointmentStatus.NOSHOW,
)


def wall_clock_in(value: datetime.datetime, timezone_name: str) -> datetime.datetime:
    """A wall-clock time typed for a location, as an aware datetime in that location's zone."""
    if value.tzinfo is not None:
        return value
    return value.replace(tzinfo=zoneinfo.ZoneInfo(timezone_name))


class WallClockField(forms.DateTimeField):
    """A datetime-local input. It stays naive here: the location, not the server, owns the zone."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, datetime.datetime):
            return value
        try:
            return datetime.datetime.fromisoformat(str(value).strip())
        except ValueError as error:
            raise ValidationError("Enter a date and time like 2025-03-14T09:30.") from error


class DateInput(forms.DateInput):
    input_type = "date"

    def format_value(self, value):
        return value.isoformat() if isinstance(value, datetime.date) else value


def date_field(label: str, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        input_formats=DATE_INPUT_FORMATS,
        widget=DateInput(),
    )


# The id of the list of languages the preferred-language field suggests.
LANGUAGE_SUGGESTIONS = "language-suggestions"


class PatientForm(forms.Form):
    """Demographics; on edit, `expected_version` keeps a stale page from overwriting."""

    expected_version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organization, new: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields.update(forms.fields_for_model(Patient, fields=PATIENT_FIELDS))
        self.fields["birth_date"] = date_field("Birth date")
        # Only a new patient is given an MRN; a record keeps one.
        self.fields["mrn"].required = not new
        self.fields["mrn"].help_text = "Leave empty to assign one" if new else ""
        self.fields["country"].required = False
        language = self.fields["preferred_language"]
        language.required = False
        language.help_text = "A language tag: en, es, zh-Hant, …"
        language.widget.attrs["list"] = LANGUAGE_SUGGESTIONS
        # Offered by name: the languages messages are written in and the clinic's
        # practitioners speak; any other tag may be typed.
        known = set(shipped_languages()) | set(languages_spoken(organization=organization))
        self.language_suggestions = [
            (tag, language_name(tag)) for tag in sorted(known, key=language_name)
        ]
        self.fields["payer_group"].required = False

    def patient_fields(self) -> dict:
        """The cleaned values as the patient services take them; empty defaults are dropped.
        On a form with errors, the values of the fields without."""
        fields = {
            name: self.cleaned_data[name] for name in PATIENT_FIELDS if name in self.cleaned_data
        }
        for name in ("country", "preferred_language", "payer_group"):
            if name in fields and not fields[name]:
                del fields[name]
        return fields


def _choices_from(queryset, label=str) -> list[tuple[str, str]]:
    return [(str(item.public_id), label(item)) for item in queryset]


class OrganizationForm(forms.Form):
    """A form whose choices come from the actor's organization, by public id."""

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        self.offered: dict = {}

    def _offer(self, name: str, queryset, *, label=str, blank: str = "") -> None:
        self.offered[name] = queryset
        choices = _choices_from(queryset, label)
        self.fields[name].choices = [("", blank), *choices] if blank else choices

    def chosen(self, name: str):
        """The object picked in a choice field, from the organization's own choices."""
        public_id = self.cleaned_data.get(name)
        return self.offered[name].get(public_id=public_id) if public_id else None


def _visit_type_label(visit_type) -> str:
    return f"{visit_type.name} ({visit_type.duration_minutes} min)"


class BookingForm(OrganizationForm):
    """Book one visit: the start is wall-clock time at the chosen location."""

    patient = forms.UUIDField(error_messages={"required": "Choose a patient."})
    visit_type = forms.ChoiceField()
    practitioner = forms.ChoiceField()
    location = forms.ChoiceField()
    start = WallClockField()
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    overbook_reason = forms.CharField(
        required=False,
        max_length=200,
        help_text="Only to double-book on purpose, e.g. an urgent same-day visit",
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        self._offer(
            "visit_type", visit_type_list(organization=organization), label=_visit_type_label
        )
        self._offer("practitioner", practitioner_list(organization=organization))
        self._offer("location", location_list(organization=organization))


class AppointmentChangeForm(forms.Form):
    """Every change to a shown appointment carries the version the page was drawn from."""

    expected_version = forms.IntegerField(widget=forms.HiddenInput)


class CancelForm(AppointmentChangeForm):
    prefix = "cancel"  # the panel holds several forms; prefixes keep their field ids apart
    reason = forms.CharField(max_length=200, label="Reason for cancelling")
    cancelled_by = forms.ChoiceField(
        choices=CancelledBy.choices, initial=CancelledBy.CLINIC, label="Asked by"
    )


class TransitionForm(AppointmentChangeForm):
    status = forms.ChoiceField(choices=AppointmentStatus.choices)


def desk_actions(appointment: Appointment) -> list[tuple[str, str]]:
    """The desk statuses the appointment may move to now, as (value, label): none of a
    visit's day-of steps before its day, no no-show before it begins."""
    return [
        (value, AppointmentStatus(value).label)
        for value in DESK_STATUSES
        if transition_refusal(appointment, value) is None
    ]


class RescheduleForm(OrganizationForm, AppointmentChangeForm):
    prefix = "reschedule"
    start = WallClockField(label="New start")
    practitioner = forms.ChoiceField()
    reason = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        self._offer("practitioner", practitioner_list(organization=organization))


class FindForm(OrganizationForm):
    """What a caller asks for: earliest visits of a type, narrowed by who, where and when."""

    visit_type = forms.ChoiceField()
    practitioner = forms.ChoiceField(required=False)
    specialty = forms.ChoiceField(required=False)
    location = forms.ChoiceField(required=False)
    language = forms.ChoiceField(required=False, help_text="Spoken by the practitioner")
    start_date = date_field("From", required=False)
    end_date = date_field("To", required=False)
    time_from = forms.TimeField(
        required=False, label="Not before", widget=forms.TimeInput(attrs={"type": "time"})
    )
    time_to = forms.TimeField(
        required=False, label="Not after", widget=forms.TimeInput(attrs={"type": "time"})
    )
    patient = forms.UUIDField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, organization=organization, **kwargs)
        self._offer(
            "visit_type", visit_type_list(organization=organization), label=_visit_type_label
        )
        self._offer("practitioner", practitioner_list(organization=organization), blank="Anyone")
        self._offer("specialty", specialty_list(organization=organization), blank="Any")
        self._offer("location", location_list(organization=organization), blank="Any")
        spoken = sorted(languages_spoken(organization=organization), key=language_name)
        self.fields["language"].choices = [("", "Any"), *((c, language_label(c)) for c in spoken)]

    def clean(self):
        cleaned = super().clean()
        for field in ("start_date", "end_date"):
            if not cleaned.get(field):
                continue
            try:
                check_search_day(cleaned[field], field)
            except InvalidInput as error:
                show_domain_error(self, error)
        # A day refused above has left `cleaned`; a From refused in any way is not compared.
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if end and not self.has_error("start_date") and end < (start or self._today()):
            self.add_error(
                "end_date",
                "Must be on or after the start date."
                if start
                else "Must be today or later when “From” is empty.",
            )
        time_from, time_to = cleaned.get("time_from"), cleaned.get("time_to")
        if time_from and time_to and time_to <= time_from:
            self.add_error("time_to", "Must be later than “Not before”.")
        return cleaned

    def _today(self) -> datetime.date:
        return clock.today(zone_of(self.organization.timezone))

    def search_days(self, length: datetime.timedelta) -> tuple[datetime.date, datetime.date]:
        """The first and last day to search: From, or today where the clinic is; To, or
        `length` after the first day but no later than `check_search_day` lets a search
        look (a valid From is never past that, so an empty To never makes an error)."""
        first = self.cleaned_data["start_date"] or self._today()
        return first, self.cleaned_data["end_date"] or min(first + length, last_searchable_day())
