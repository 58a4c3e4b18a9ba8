from django.db import models


class RiskBand(models.TextChoices):
    """How likely a visit is to be missed, by the organization's policy thresholds."""

    LOW = "low", "Low"  # below the medium threshold: no extra effort
    MEDIUM = "medium", "Medium"  # worth a second look
    HIGH = "high", "High"  # call the patient, send an extra reminder


class ModelMethod(models.TextChoices):
    LOGISTIC = "logistic", "Logistic regression"  # learned from the organization's history
    POINTS = "points", "Points rule"  # the fixed rule used while history is thin


class FairnessDimension(models.TextChoices):
    """Patient groups the model's performance is reported for; never model inputs."""

    LANGUAGE = "language", "Preferred language"
    AGE_BAND = "age_band", "Age band"
    PAYER_GROUP = "payer_group", "Payer group"


# (label, first age) at the visit's date; each band runs up to the next one's first age,
# the last one has no end.
AGE_BANDS = (
    ("0-17", 0),
    ("18-34", 18),
    ("35-49", 35),
    ("50-64", 50),
    ("65+", 65),
)
