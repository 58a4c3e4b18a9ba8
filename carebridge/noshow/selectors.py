"""Reads for the no-show pages, the board badge and the metrics page; scoped to one
organization; lists that show patients are audited as query results."""

from __future__ import annotations

import datetime
import math
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import F, Q, QuerySet

from carebridge.accounts.models import Organization, User
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import AuditTarget, audit_record_many
from carebridge.core import clock
from carebridge.noshow.constants import RiskBand
from carebridge.noshow.models import NoShowGroupMetric, NoShowModel, NoShowPolicy, NoShowScore
from carebridge.noshow.scoring import LinearModel, Term
from carebridge.scheduling.constants import AppointmentStatus
from carebridge.scheduling.models import Appointment

# Visits still to come that a score is about: not yet seen, not called off.
UPCOMING_STATUSES = (
    AppointmentStatus.PROPOSED,
    AppointmentStatus.PENDING,
    AppointmentStatus.BOOKED,
)
OVERBOOK_DAYS = 14


def noshow_policy(*, organization: Organization) -> NoShowPolicy:
    """The organization's policy, or the defaults (unsaved) when it has none."""
    return NoShowPolicy.objects.filter(organization=organization).first() or NoShowPolicy(
        organization=organization
    )


def noshow_model_current(*, organization: Organization) -> NoShowModel | None:
    """The newest training of the organization, with its coefficients."""
    return (
        NoShowModel.objects.filter(organization=organization)
        .prefetch_related("coefficients")
        .order_by("-trained_at", "-id")
        .first()
    )


def linear_model(model: NoShowModel) -> LinearModel:
    """The stored rows as numbers to score with."""
    return LinearModel(
        model.intercept,
        tuple(Term(c.feature, c.weight, c.mean, c.scale) for c in model.coefficients.all()),
    )


def _current(scores: QuerySet[NoShowScore]) -> QuerySet[NoShowScore]:
    """Scores computed since their visit last changed: one from before a move or a
    confirmation would give reasons that no longer hold (the catch-up job rescores it)."""
    return scores.filter(computed_at__gte=F("appointment__updated_at"))


def noshow_scores_by_appointment(
    *, organization: Organization, appointment_ids: list[int]
) -> dict[int, NoShowScore]:
    """The current scores of these appointments, by appointment id, in one query (for the
    board)."""
    scores = _current(
        NoShowScore.objects.filter(organization=organization, appointment_id__in=appointment_ids)
    )
    return {score.appointment_id: score for score in scores}


def noshow_risks_attach(*, organization: Organization, appointments: list) -> None:
    """Set `noshow_risk` (a score, or None) on each appointment still to come, in one
    query, so the board and the panel can show a badge without a query per visit."""
    scores = noshow_scores_by_appointment(
        organization=organization,
        appointment_ids=[a.pk for a in appointments if a.status in UPCOMING_STATUSES],
    )
    for appointment in appointments:
        appointment.noshow_risk = scores.get(appointment.pk)


def visits_scored_out_of_date(*, days: int) -> QuerySet[Appointment]:
    """Visits still to come in the next `days` days, of any organization, that have no
    score or one computed before they last changed: booked, moved or confirmed since."""
    now = clock.now()
    return Appointment.objects.filter(
        status__in=UPCOMING_STATUSES,
        start__gte=now,
        start__lt=now + datetime.timedelta(days=days),
    ).filter(Q(noshow_score__isnull=True) | Q(noshow_score__computed_at__lt=F("updated_at")))


def noshow_scores_ahead(*, organization: Organization, days: int) -> QuerySet[NoShowScore]:
    """Current scores of the visits still to come in the next `days` days, with what a
    list or a message about them needs."""
    now = clock.now()
    scores = NoShowScore.objects.filter(
        organization=organization,
        appointment__status__in=UPCOMING_STATUSES,
        appointment__start__gte=now,
        appointment__start__lt=now + datetime.timedelta(days=days),
    )
    return _current(scores).select_related(
        "appointment__organization",
        "appointment__patient",
        "appointment__practitioner",
        "appointment__location",
        "appointment__visit_type",
    )


def noshow_call_list(*, organization: Organization, actor: User | None) -> list[NoShowScore]:
    """High-risk visits in the policy's days ahead, soonest first: the patients to call.
    Each patient shown is audited as a query result."""
    policy = noshow_policy(organization=organization)
    scores = list(
        noshow_scores_ahead(organization=organization, days=policy.call_days)
        .filter(band=RiskBand.HIGH)
        .order_by("appointment__start", "appointment_id")
    )
    audit_record_many(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.QUERY,
        targets=[
            AuditTarget(
                "Appointment",
                str(score.appointment.public_id),
                str(score.appointment.patient.public_id),
            )
            for score in scores
        ],
        detail="no-show call list",
    )
    return scores


@dataclass(frozen=True)
class OverbookSuggestion:
    """Expected no-shows of one practitioner's day, and how many extra visits to allow."""

    day: datetime.date
    practitioner: object
    location: object
    visits: int
    expected_noshows: float
    extra_visits: int


def noshow_overbooking(*, organization: Organization) -> list[OverbookSuggestion]:
    """Per practitioner and location day in the next two weeks: the sum of the scored
    visits' risks, rounded down and capped by the policy. Days that suggest none are left
    out; a cap of 0 turns suggestions off."""
    cap = noshow_policy(organization=organization).overbook_cap
    if not cap:
        return []
    days: dict[tuple, list[NoShowScore]] = defaultdict(list)
    for score in noshow_scores_ahead(organization=organization, days=OVERBOOK_DAYS):
        appointment = score.appointment
        local_day = appointment.local_start.date()
        days[(local_day, appointment.practitioner_id, appointment.location_id)].append(score)
    suggestions = []
    for (day, _, _), scores in sorted(days.items(), key=lambda item: item[0]):
        expected = sum(score.probability for score in scores)
        extra = min(math.floor(expected), cap)
        if extra:
            first = scores[0].appointment
            suggestions.append(
                OverbookSuggestion(
                    day, first.practitioner, first.location, len(scores), expected, extra
                )
            )
    return suggestions


def noshow_fairness(*, organization: Organization) -> list[NoShowGroupMetric]:
    """How the current model did per language, age band and payer group (hold-out visits);
    rows for the metrics page. Aggregates only, so nothing here names a patient."""
    model = noshow_model_current(organization=organization)
    if model is None:
        return []
    return list(NoShowGroupMetric.objects.filter(model=model).order_by("dimension", "group"))
