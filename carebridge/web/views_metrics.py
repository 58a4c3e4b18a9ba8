"""The metrics page and its CSV export: how the clinic's scheduling is doing."""

from __future__ import annotations

import csv
import datetime
from dataclasses import dataclass

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from carebridge.accounts.decorators import requires
from carebridge.core import clock
from carebridge.core.timeranges import zone_of
from carebridge.directory.selectors import location_list
from carebridge.noshow.selectors import noshow_fairness
from carebridge.scheduling.metrics import (
    Grouping,
    MetricsRow,
    reminder_delivery,
    scheduling_metrics,
    waitlist_metrics,
)
from carebridge.web.forms import OrganizationForm, date_field

DEFAULT_WEEKS = 8
BAR_PITCH = 20
BAR_SPAN = 210
BAR_LEFT = 150
MAX_DAYS = 366
GROUP_CHOICES = [
    (Grouping.WEEK, "Week"),
    (Grouping.PRACTITIONER, "Practitioner"),
    (Grouping.LOCATION, "Location"),
    (Grouping.VISIT_TYPE, "Visit type"),
]
CSV_COLUMNS = (
    ("group", lambda row: row.label),
    ("scheduled", lambda row: row.scheduled),
    ("kept", lambda row: row.kept),
    ("noshows", lambda row: row.noshows),
    ("noshow_rate", lambda row: _ratio(row.noshow_rate)),
    ("late_cancellations", lambda row: row.late_cancellations),
    ("late_cancellation_rate", lambda row: _ratio(row.late_cancellation_rate)),
    ("confirmed", lambda row: row.confirmed),
    ("confirmation_rate", lambda row: _ratio(row.confirmation_rate)),
    ("median_lead_days", lambda row: _ratio(row.median_lead_days)),
    ("booked_minutes", lambda row: round(row.booked_minutes)),
    ("bookable_minutes", lambda row: _ratio(row.bookable_minutes)),
    ("utilization", lambda row: _ratio(row.utilization)),
)


class MetricsForm(OrganizationForm):
    """The period and grouping; what is left empty is the last eight weeks by week."""

    start_date = date_field("From")
    end_date = date_field("To")
    group_by = forms.ChoiceField(choices=GROUP_CHOICES, label="By")
    location = forms.ChoiceField(required=False)

    def __init__(self, data, *, organization):
        today = clock.today(zone_of(organization.timezone))
        defaults = {
            "start_date": (today - datetime.timedelta(weeks=DEFAULT_WEEKS)).isoformat(),
            "end_date": today.isoformat(),
            "group_by": Grouping.WEEK,
        }
        given = {name: value for name, value in data.items() if value}
        super().__init__(defaults | given, organization=organization)
        self._offer("location", location_list(organization=organization), blank="All locations")

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", "must not be before From")
        elif start and end and (end - start).days >= MAX_DAYS:
            self.add_error("end_date", f"at most {MAX_DAYS} days after From")
        return cleaned


def _ratio(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def _query(request: HttpRequest) -> tuple[MetricsForm, dict | None]:
    """The form (every field optional: defaults fill the gaps) and, when valid, the query."""
    form = MetricsForm(request.GET.dict(), organization=request.user.organization)
    if not form.is_valid():
        return form, None
    data = form.cleaned_data
    return form, {
        "organization": request.user.organization,
        "start_date": data["start_date"],
        "end_date": data["end_date"],
        "group_by": data["group_by"],
        "location": form.chosen("location"),
    }


@dataclass(frozen=True)
class Bar:
    label: str
    percent: float
    y: int
    width: float

    @property
    def value_x(self) -> float:
        """Where the figure is written: just right of the bar."""
        return BAR_LEFT + self.width + 4


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart laid out for an SVG: rows of BAR_PITCH units, 100 % spanning
    BAR_SPAN units right of the labels."""

    title: str
    bars: list[Bar]

    @property
    def height(self) -> int:
        return max(len(self.bars), 1) * BAR_PITCH


def _chart(title: str, rows: list[MetricsRow], attribute: str) -> BarChart:
    """The groups that have a figure (the 'All' row is left out)."""
    points = [(row.label, getattr(row, attribute)) for row in rows[:-1]]
    shown = [(label, value) for label, value in points if value is not None]
    return BarChart(
        title,
        [
            Bar(label, round(value * 100, 1), index * BAR_PITCH, round(value * BAR_SPAN, 1))
            for index, (label, value) in enumerate(shown)
        ],
    )


@require_GET
@requires("scheduling.view_appointment")
def metrics(request: HttpRequest) -> HttpResponse:
    form, query = _query(request)
    context = {"form": form, "rows": [], "delivery": []}
    if query is not None:
        rows = scheduling_metrics(**query)
        period = {key: query[key] for key in ("organization", "start_date", "end_date")}
        context |= {
            "rows": rows,
            "delivery": reminder_delivery(**period),
            "waitlist": waitlist_metrics(**query),
            "charts": [
                _chart("No-show rate", rows, "noshow_rate"),
                _chart("Confirmation rate", rows, "confirmation_rate"),
                _chart("Late-cancellation rate", rows, "late_cancellation_rate"),
                _chart("Utilization", rows, "utilization"),
            ],
            "fairness": noshow_fairness(organization=request.user.organization),
            "export_query": request.GET.urlencode(),
            "bar_left": BAR_LEFT,
        }
    return render(request, "web/metrics.html", context, status=200 if query else 400)


@require_GET
@requires("scheduling.view_appointment")
def metrics_csv(request: HttpRequest) -> HttpResponse:
    form, query = _query(request)
    if query is None:
        errors = "; ".join(f"{name}: {' '.join(e)}" for name, e in form.errors.items())
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    filename = f"metrics-{query['group_by']}-{query['start_date']}-{query['end_date']}.csv"
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    writer = csv.writer(response)
    writer.writerow([name for name, _ in CSV_COLUMNS])
    for row in scheduling_metrics(**query):
        writer.writerow([value(row) for _, value in CSV_COLUMNS])
    return response
