"""A linear no-show model as numbers: probability, contributions and reasons in plain words.

Used both by a model just fitted and by one read back from its rows, so a stored model
scores exactly as it did when it was evaluated.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from carebridge.noshow.constants import RiskBand

REASONS_SHOWN = 3
WEEKDAY_NAMES = {
    "Mon": "Monday",
    "Tue": "Tuesday",
    "Wed": "Wednesday",
    "Thu": "Thursday",
    "Fri": "Friday",
    "Sat": "Saturday",
    "Sun": "Sunday",
}


@dataclass(frozen=True)
class Term:
    """One coefficient. A name "input=value" is 1 when the input has that value, else 0."""

    feature: str
    weight: float
    mean: float = 0.0
    scale: float = 1.0

    def value(self, inputs: dict) -> float:
        name, _, category = self.feature.partition("=")
        if category:
            return float(str(inputs.get(name)) == category)
        return float(inputs.get(name, 0.0))

    def contribution(self, inputs: dict) -> float:
        return self.weight * (self.value(inputs) - self.mean) / self.scale


@dataclass(frozen=True)
class LinearModel:
    intercept: float
    terms: tuple[Term, ...]

    def probability(self, inputs: dict) -> float:
        logit = self.intercept + sum(term.contribution(inputs) for term in self.terms)
        return 1.0 / (1.0 + math.exp(-max(min(logit, 40.0), -40.0)))

    def reasons(self, inputs: dict) -> list[str]:
        """The inputs that raised the risk most, in words, largest first."""
        raising = sorted(
            (
                (contribution, term.feature)
                for term in self.terms
                if (contribution := term.contribution(inputs)) > 0
            ),
            reverse=True,
        )
        return [reason_words(feature, inputs) for _, feature in raising[:REASONS_SHOWN]]


def band_of(probability: float, *, medium_from: float, high_from: float) -> str:
    if probability >= high_from:
        return RiskBand.HIGH
    return RiskBand.MEDIUM if probability >= medium_from else RiskBand.LOW


def _plural(count: float, one: str, many: str) -> str:
    whole = round(count)
    return f"{whole} {one if whole == 1 else many}"


def reason_words(feature: str, inputs: dict) -> str:
    """A coordinator's phrase for why `feature` raised this visit's risk."""
    name, _, category = feature.partition("=")
    value = inputs.get(name, 0)
    if name == "weekday":
        return f"{WEEKDAY_NAMES.get(category, category)} visit"
    if name == "hour":
        return f"starts in the {int(category)}:00 hour"
    if name == "visit_type":
        return f"{category.replace('-', ' ')} visit"
    phrases = {
        "prior_noshows": lambda: f"{_plural(value, 'earlier no-show', 'earlier no-shows')}",
        "prior_late_cancels": lambda: _plural(value, "late cancellation", "late cancellations"),
        "prior_kept": lambda: (
            "no visit kept here yet"
            if not value
            else f"only {_plural(value, 'visit', 'visits')} kept before"
        ),
        "lead_days": lambda: f"booked {round(value)} days ahead",
        "reminders_sent": lambda: (
            "no reminder delivered"
            if not value
            else f"{_plural(value, 'reminder', 'reminders')} delivered"
        ),
        "new_patient": lambda: "new patient" if value else "established patient",
        "unconfirmed": lambda: "not confirmed" if value else "confirmed",
    }
    return phrases[name]() if name in phrases else name.replace("_", " ")
