"""What the model knows about an appointment, computed for many appointments at once.

Everything comes from the organization's own records, as they stood when the patient booked
(earlier visits) or shortly before the visit (confirmation, reminders delivered). Three
queries serve any number of appointments: the appointments themselves, their patients'
other appointments, and the reminders sent for them.

Age, payer group and preferred language are read only to report how the model does per
group (fairness); they are never inputs, so the score cannot single a group out.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from carebridge.accounts.models import Organization
from carebridge.core.timeranges import zone_of
from carebridge.noshow.constants import AGE_BANDS
from carebridge.notifications.constants import MessageKind, MessageStatus
from carebridge.notifications.models import OutboundMessage
from carebridge.scheduling.constants import AppointmentStatus
from carebridge.scheduling.metrics import KEPT_STATUSES, is_late_cancellation, with_cancelled_at
from carebridge.scheduling.models import Appointment

# Inputs that are numbers (standardized by the model) and inputs that are categories
# (one-hot: each value its own coefficient named "input=value").
NUMERIC_INPUTS = (
    "prior_noshows",
    "prior_late_cancels",
    "prior_kept",
    "lead_days",
    "reminders_sent",
    "new_patient",
    "unconfirmed",
)
CATEGORY_INPUTS = ("weekday", "hour", "visit_type")
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
SECONDS_PER_DAY = 86400
TOPIC_CHUNK = 5000
FIELDS = (
    "id",
    "public_id",
    "patient_id",
    "patient__public_id",
    "start",
    "booked_at",
    "confirmed_at",
    "status",
    "location__timezone",
    "visit_type__code",
    "patient__preferred_language",
    "patient__payer_group",
    "patient__birth_date",
)


@dataclass(frozen=True)
class Visit:
    """One appointment as the model sees it, plus the groups it is reported under."""

    appointment_id: int
    public_id: str
    patient_public_id: str
    start: datetime.datetime
    status: str
    inputs: dict[str, float | str]
    language: str
    payer_group: str
    age_band: str

    @property
    def missed(self) -> bool:
        return self.status == AppointmentStatus.NOSHOW


@dataclass(frozen=True)
class _Earlier:
    start: datetime.datetime
    status: str
    late_cancel_at: datetime.datetime | None


def visits_describe(
    *, organization: Organization, appointments: QuerySet[Appointment]
) -> list[Visit]:
    """The model's view of each appointment in `appointments` (already scoped), by start."""
    scoped = appointments.filter(organization=organization)
    rows = list(scoped.order_by("start", "id").values(*FIELDS))
    earlier = _earlier_visits(organization, scoped)
    reminders = _reminders_sent(organization, [str(row["public_id"]) for row in rows])
    return [
        _visit(row, earlier[row["patient_id"]], reminders[str(row["public_id"])]) for row in rows
    ]


def _earlier_visits(
    organization: Organization, appointments: QuerySet[Appointment]
) -> dict[int, list[_Earlier]]:
    """Every appointment of the patients of `appointments`, with the moment a patient's
    cancellation was recorded when it came less than a day before the start (late)."""
    history = with_cancelled_at(
        Appointment.objects.filter(
            organization=organization, patient_id__in=appointments.values("patient_id")
        )
    ).values_list("id", "patient_id", "start", "status", "cancelled_by", "cancelled_at")
    by_patient: dict[int, list[_Earlier]] = defaultdict(list)
    for _, patient_id, start, status, cancelled_by, cancelled_at in history:
        late = is_late_cancellation(
            status=status, cancelled_by=cancelled_by, start=start, cancelled_at=cancelled_at
        )
        by_patient[patient_id].append(_Earlier(start, status, cancelled_at if late else None))
    return by_patient


def _reminders_sent(
    organization: Organization, public_ids: list[str]
) -> dict[str, list[datetime.datetime]]:
    """Delivery times of the sent reminders of each appointment (by public id), asked in
    chunks so that a whole history stays within the databases' limits on parameters."""
    by_topic: dict[str, list[datetime.datetime]] = defaultdict(list)
    for first in range(0, len(public_ids), TOPIC_CHUNK):
        sent = OutboundMessage.objects.filter(
            organization=organization,
            kind=MessageKind.REMINDER,
            status=MessageStatus.SENT,
            topic_type="appointment",
            topic_id__in=public_ids[first : first + TOPIC_CHUNK],
        ).values_list("topic_id", "sent_at")
        for topic_id, sent_at in sent:
            by_topic[topic_id].append(sent_at)
    return by_topic


def _visit(row: dict, earlier: list[_Earlier], reminders: list[datetime.datetime]) -> Visit:
    start, booked_at = row["start"], row["booked_at"]
    # Only what the clinic could know when the patient booked: visits that had already
    # started, and late cancellations already recorded.
    before = [e for e in earlier if e.start < booked_at]
    kept = sum(e.status in KEPT_STATUSES for e in before)
    local = start.astimezone(zone_of(row["location__timezone"]))
    confirmed = row["confirmed_at"] is not None and row["confirmed_at"] < start
    inputs: dict[str, float | str] = {
        "prior_noshows": sum(e.status == AppointmentStatus.NOSHOW for e in before),
        "prior_late_cancels": sum(
            e.late_cancel_at is not None and e.late_cancel_at < booked_at for e in earlier
        ),
        "prior_kept": kept,
        "lead_days": max((start - booked_at).total_seconds(), 0) / SECONDS_PER_DAY,
        "reminders_sent": sum(at is not None and at < start for at in reminders),
        "new_patient": float(kept == 0),
        "unconfirmed": float(not confirmed),
        "weekday": WEEKDAYS[local.weekday()],
        "hour": str(local.hour),
        "visit_type": row["visit_type__code"],
    }
    return Visit(
        appointment_id=row["id"],
        public_id=str(row["public_id"]),
        patient_public_id=str(row["patient__public_id"]),
        start=start,
        status=row["status"],
        inputs=inputs,
        language=row["patient__preferred_language"],
        payer_group=row["patient__payer_group"],
        age_band=age_band(row["patient__birth_date"], local.date()),
    )


def age_band(birth_date: datetime.date, on: datetime.date) -> str:
    years = on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))
    # A visit before the recorded birth date (a birth date corrected later) counts as age 0.
    return [label for label, first in AGE_BANDS if first <= max(years, 0)][-1]
