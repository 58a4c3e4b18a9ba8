"""Training the organization's no-show model and scoring its appointments."""

from __future__ import annotations

import dataclasses
import datetime
from collections import defaultdict

from django.db import transaction
from django.db.models import QuerySet

from carebridge.accounts.models import Organization
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import AuditTarget, audit_record_many
from carebridge.core import clock
from carebridge.core.errors import InvalidInput
from carebridge.noshow.constants import FairnessDimension, ModelMethod, RiskBand
from carebridge.noshow.features import Visit, visits_describe
from carebridge.noshow.models import (
    NoShowCoefficient,
    NoShowGroupMetric,
    NoShowModel,
    NoShowPolicy,
    NoShowScore,
)
from carebridge.noshow.scoring import band_of
from carebridge.noshow.selectors import (
    UPCOMING_STATUSES,
    linear_model,
    noshow_model_current,
    noshow_policy,
    noshow_scores_ahead,
    visits_scored_out_of_date,
)
from carebridge.noshow.training import Evaluation, auc, evaluate, history_is_thin
from carebridge.scheduling.constants import AppointmentStatus
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.services.messages import policy_for
from carebridge.scheduling.services.reminders import reminders_plan

# The label: a finished visit was missed (noshow) or kept (fulfilled). Cancelled visits,
# late or not, are neither: they are inputs (the patient's late cancellations), not outcomes.
FINISHED_STATUSES = (AppointmentStatus.FULFILLED, AppointmentStatus.NOSHOW)
REFRESH_DAYS = 21
# Allowed ranges of the policy's whole-number settings.
POLICY_LIMITS = {"overbook_cap": (0, 10), "call_days": (1, 60), "extra_reminder_hours": (0, 168)}
GROUPS = {
    FairnessDimension.LANGUAGE: lambda visit: visit.language,
    FairnessDimension.AGE_BAND: lambda visit: visit.age_band,
    FairnessDimension.PAYER_GROUP: lambda visit: visit.payer_group,
}


@transaction.atomic
def noshow_model_train(
    *, organization: Organization, until: datetime.datetime | None = None
) -> NoShowModel:
    """Learn a model from the organization's finished visits that started before `until`
    (default now) and store it with its coefficients and per-group hold-out metrics.

    Invariants: a regression only with enough history (see training.MIN_ROWS and
    MIN_POSITIVES), else the documented points rule; the hold-out is the newest 20% by
    start, so the AUC reflects visits the model had not seen. Side effects: a new model
    row that becomes the organization's current model. No patient data is stored, so
    there is no audit entry; the scores it later gives are audited.
    """
    until = until or clock.now()
    visits = visits_describe(
        organization=organization,
        appointments=Appointment.objects.filter(status__in=FINISHED_STATUSES, start__lt=until),
    )
    inputs = [visit.inputs for visit in visits]
    labels = [visit.missed for visit in visits]
    thin = history_is_thin(labels)
    evaluation = evaluate(inputs, labels, points=thin)
    model = NoShowModel.objects.create(
        organization=organization,
        method=ModelMethod.POINTS if thin else ModelMethod.LOGISTIC,
        trained_at=clock.now(),
        history_until=until,
        rows=len(labels),
        positives=sum(labels),
        holdout_rows=len(labels) - evaluation.holdout_start,
        holdout_auc=evaluation.holdout_auc,
        intercept=evaluation.model.intercept,
    )
    NoShowCoefficient.objects.bulk_create(
        NoShowCoefficient(
            model=model, feature=term.feature, weight=term.weight, mean=term.mean, scale=term.scale
        )
        for term in evaluation.model.terms
    )
    NoShowGroupMetric.objects.bulk_create(_group_metrics(model, visits, evaluation))
    return model


def _group_metrics(
    model: NoShowModel, visits: list[Visit], evaluation: Evaluation
) -> list[NoShowGroupMetric]:
    held_out = list(
        zip(visits[evaluation.holdout_start :], evaluation.holdout_predictions, strict=True)
    )
    metrics = []
    for dimension, group_of in GROUPS.items():
        groups: dict[str, list[tuple[bool, float]]] = defaultdict(list)
        for visit, predicted in held_out:
            groups[group_of(visit) or "unknown"].append((visit.missed, predicted))
        for group, pairs in sorted(groups.items()):
            labels = [missed for missed, _ in pairs]
            predictions = [predicted for _, predicted in pairs]
            metrics.append(
                NoShowGroupMetric(
                    model=model,
                    dimension=dimension,
                    group=group[:40],
                    count=len(pairs),
                    positives=sum(labels),
                    mean_predicted=sum(predictions) / len(predictions),
                    auc=auc(labels, predictions),
                )
            )
    return metrics


@transaction.atomic
def noshow_scores_compute(
    *, organization: Organization, appointments: QuerySet[Appointment]
) -> list[NoShowScore]:
    """Score `appointments` (any number, a few queries) with the organization's current
    model, training a first one if there is none, and store each score, replacing the last.

    Invariants: one score row per appointment; reasons are the up to three inputs that
    raised its risk most. Side effects: score rows; one audit entry per appointment
    scored (a risk is information about the patient).
    """
    model = noshow_model_current(organization=organization) or noshow_model_train(
        organization=organization
    )
    numbers = linear_model(model)
    policy = noshow_policy(organization=organization)
    now = clock.now()
    visits = visits_describe(organization=organization, appointments=appointments)
    scores = []
    for visit in visits:
        probability = numbers.probability(visit.inputs)
        scores.append(
            NoShowScore(
                organization=organization,
                appointment_id=visit.appointment_id,
                model=model,
                probability=probability,
                band=band_of(
                    probability, medium_from=policy.medium_from, high_from=policy.high_from
                ),
                reasons=numbers.reasons(visit.inputs),
                computed_at=now,
            )
        )
    NoShowScore.objects.bulk_create(
        scores,
        update_conflicts=True,
        unique_fields=["appointment"],
        update_fields=["model", "probability", "band", "reasons", "computed_at"],
    )
    audit_record_many(
        organization_id=organization.pk,
        actor=None,
        action=AuditAction.UPDATE,
        targets=[
            AuditTarget("Appointment", visit.public_id, visit.patient_public_id) for visit in visits
        ],
        detail="no-show risk scored",
    )
    return scores


def noshow_scores_refresh(*, organization: Organization, days: int = REFRESH_DAYS) -> int:
    """Score every visit still to come in the next `days` days; return how many.
    Run daily and after training, so scores follow new bookings, confirmations and
    reminders. Side effects: those of noshow_scores_compute."""
    now = clock.now()
    upcoming = Appointment.objects.filter(
        status__in=UPCOMING_STATUSES,
        start__gte=now,
        start__lt=now + datetime.timedelta(days=days),
    )
    return len(noshow_scores_compute(organization=organization, appointments=upcoming))


@transaction.atomic
def noshow_extra_reminders_plan(*, organization: Organization) -> int:
    """Queue one extra reminder, `extra_reminder_hours` before the visit, for each high-risk
    visit in the call list's days that has none yet; return how many were queued.

    Invariants: at most one extra reminder per visit (the score keeps it across
    rescoring); the clinic's quiet hours, channels and consent apply as to any reminder,
    and one whose time has passed is not sent. Side effects: outbox rows through the
    reminder service, which moving or cancelling the visit withdraws.
    """
    policy = noshow_policy(organization=organization)
    if not policy.extra_reminder_hours:
        return 0
    offset = datetime.timedelta(hours=policy.extra_reminder_hours)
    queued = 0
    for score in noshow_scores_ahead(organization=organization, days=policy.call_days).filter(
        band=RiskBand.HIGH, extra_reminder__isnull=True
    ):
        appointment = score.appointment
        planned = reminders_plan(
            appointment=appointment,
            policy=dataclasses.replace(policy_for(appointment), offsets=(offset,)),
            horizon=None,
        )
        if planned:
            NoShowScore.objects.filter(pk=score.pk).update(extra_reminder=planned[0])
            queued += 1
    return queued


def noshow_outreach_refresh(*, organization: Organization) -> tuple[int, int]:
    """Rescore the visits ahead, then queue the extra reminders the high risks call for;
    return (visits scored, reminders queued)."""
    scored = noshow_scores_refresh(organization=organization)
    return scored, noshow_extra_reminders_plan(organization=organization)


def noshow_outreach_refresh_all() -> int:
    """The daily job: rescore and remind for every organization with visits ahead; return
    how many visits were scored."""
    now = clock.now()
    organizations = Organization.objects.filter(
        pk__in=Appointment.objects.filter(status__in=UPCOMING_STATUSES, start__gte=now).values(
            "organization_id"
        )
    )
    return sum(noshow_outreach_refresh(organization=org)[0] for org in organizations)


def noshow_outreach_catch_up_all() -> int:
    """The frequent job: score the visits ahead that were booked, moved or confirmed since
    the last scoring, then queue the extra reminders new high risks call for, in every
    organization that has such visits; return how many visits were scored.

    So a badge, the call list and an extra reminder follow a change within minutes, not
    the next day. The daily refresh still rescores the rest: lead time and reminders
    delivered change without the visit changing.
    """
    outdated = visits_scored_out_of_date(days=REFRESH_DAYS)
    organizations = Organization.objects.filter(pk__in=outdated.values("organization_id"))
    scored = 0
    for organization in organizations:
        scored += len(noshow_scores_compute(organization=organization, appointments=outdated))
        noshow_extra_reminders_plan(organization=organization)
    return scored


@transaction.atomic
def noshow_policy_set(
    *,
    organization: Organization,
    medium_from: float,
    high_from: float,
    overbook_cap: int,
    call_days: int,
    extra_reminder_hours: int,
) -> NoShowPolicy:
    """Set the organization's risk bands and outreach limits (created on first use).

    Invariants: 0 < medium_from < high_from < 1; the whole numbers within POLICY_LIMITS.
    Side effects: none on stored scores; they take the new bands when next computed.
    """
    if not 0 < medium_from < high_from < 1:
        raise InvalidInput(
            "high_from: bands need 0 < medium from < high from < 1", field="high_from"
        )
    numbers = {
        "overbook_cap": overbook_cap,
        "call_days": call_days,
        "extra_reminder_hours": extra_reminder_hours,
    }
    for name, value in numbers.items():
        low, high = POLICY_LIMITS[name]
        if not low <= value <= high:
            raise InvalidInput(f"{name}: from {low} to {high}", field=name)
    policy, _ = NoShowPolicy.objects.update_or_create(
        organization=organization,
        defaults={"medium_from": medium_from, "high_from": high_from, **numbers},
    )
    return policy
