from django.db import models

from carebridge.core.models import TenantModel
from carebridge.noshow.constants import FairnessDimension, ModelMethod, RiskBand


class NoShowPolicy(TenantModel):
    """An organization's choices about risk bands and overbooking (defaults when absent)."""

    medium_from = models.FloatField(default=0.15, help_text="Probability where medium starts")
    high_from = models.FloatField(default=0.30, help_text="Probability where high starts")
    overbook_cap = models.PositiveSmallIntegerField(
        default=1, help_text="Most extra visits suggested per practitioner-day; 0 = none"
    )
    call_days = models.PositiveSmallIntegerField(
        default=7, help_text="How many days ahead the call list looks"
    )
    extra_reminder_hours = models.PositiveSmallIntegerField(
        default=24, help_text="An extra reminder this long before a high-risk visit; 0 = none"
    )

    class Meta:
        verbose_name_plural = "no-show policies"
        constraints = [
            models.UniqueConstraint(fields=["organization"], name="noshow_policy_per_org"),
            models.CheckConstraint(
                condition=models.Q(medium_from__gt=0)
                & models.Q(high_from__gt=models.F("medium_from"))
                & models.Q(high_from__lt=1),
                name="noshow_policy_thresholds_in_order",
            ),
        ]


class NoShowModel(TenantModel):
    """One training: how it was made, what it saw and how well it did on newer visits.

    The score is 1 / (1 + exp(-(intercept + sum of weight * (value - mean) / scale))).
    """

    method = models.CharField(max_length=10, choices=ModelMethod.choices)
    trained_at = models.DateTimeField()
    history_until = models.DateTimeField(help_text="Only visits that started before this")
    rows = models.PositiveIntegerField(help_text="Finished visits seen")
    positives = models.PositiveIntegerField(help_text="No-shows among them")
    holdout_rows = models.PositiveIntegerField(default=0)
    holdout_auc = models.FloatField(null=True, blank=True, help_text="Empty: one class only")
    intercept = models.FloatField()

    class Meta:
        ordering = ["-trained_at", "-id"]
        indexes = [models.Index(fields=["organization", "-trained_at"])]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.trained_at:%Y-%m-%d %H:%M}"


class NoShowCoefficient(models.Model):
    """One input of a model: a number (standardized) or one category of a category input
    (named "input=value", mean 0 and scale 1)."""

    model = models.ForeignKey(NoShowModel, on_delete=models.CASCADE, related_name="coefficients")
    feature = models.CharField(max_length=80)
    weight = models.FloatField()
    mean = models.FloatField(default=0.0)
    scale = models.FloatField(default=1.0)

    class Meta:
        ordering = ["model", "feature"]
        constraints = [
            models.UniqueConstraint(fields=["model", "feature"], name="noshow_coefficient_once"),
            models.CheckConstraint(
                condition=models.Q(scale__gt=0), name="noshow_coefficient_scale_positive"
            ),
        ]


class NoShowGroupMetric(models.Model):
    """How a model did on the hold-out visits of one patient group."""

    model = models.ForeignKey(NoShowModel, on_delete=models.CASCADE, related_name="group_metrics")
    dimension = models.CharField(max_length=12, choices=FairnessDimension.choices)
    group = models.CharField(max_length=40)
    count = models.PositiveIntegerField()
    positives = models.PositiveIntegerField()
    mean_predicted = models.FloatField()
    auc = models.FloatField(null=True, blank=True, help_text="Empty: one class only")

    class Meta:
        ordering = ["model", "dimension", "group"]
        constraints = [
            models.UniqueConstraint(
                fields=["model", "dimension", "group"], name="noshow_group_metric_once"
            )
        ]

    @property
    def observed_rate(self) -> float:
        return self.positives / self.count if self.count else 0.0


class NoShowScore(TenantModel):
    """The latest risk of one appointment, with the reasons that raised it most."""

    appointment = models.OneToOneField(
        "scheduling.Appointment", on_delete=models.CASCADE, related_name="noshow_score"
    )
    model = models.ForeignKey(NoShowModel, on_delete=models.PROTECT, related_name="scores")
    probability = models.FloatField()
    band = models.CharField(max_length=8, choices=RiskBand.choices)
    # Up to three short phrases, largest contribution first.
    reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField()
    # The one extra reminder queued because the visit was high risk; kept across rescoring.
    extra_reminder = models.ForeignKey(
        "notifications.OutboundMessage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        indexes = [models.Index(fields=["organization", "band"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(probability__gte=0) & models.Q(probability__lte=1),
                name="noshow_score_is_probability",
            )
        ]

    @property
    def percent(self) -> int:
        return round(self.probability * 100)
