"""Fitting and judging a no-show model: logistic regression (scikit-learn) on the
organization's finished visits, and the points rule used while history is thin.

Numbers are standardized by their mean and standard deviation in the training rows;
categories are one-hot. The hold-out is time-based: train on the older 80% of visits,
measure the AUC on the newest 20%, as the model will be used (on visits still to come).
The model kept is then refitted on all the rows, with the same settings.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from carebridge.noshow.scoring import LinearModel, Term

HOLDOUT_SHARE = 0.2
# Thin history: fewer finished visits or fewer no-shows than this and the points rule is used.
MIN_ROWS = 200
MIN_POSITIVES = 20
# Regularization (scikit-learn's C is its inverse): firm, since many hour and visit-type
# categories have few visits each; on the demo it beats weaker settings on the hold-out.
REGULARIZATION_C = 0.1

# The points rule, in log-odds: a base risk of about 5%, and each point of evidence the
# clinic has about this visit adds (or removes) its weight. One earlier no-show roughly
# doubles the odds, and so does being booked two months ahead.
POINTS_RULE = LinearModel(
    intercept=-3.0,
    terms=(
        Term("prior_noshows", 0.8),
        Term("prior_late_cancels", 0.4),
        Term("lead_days", 0.012),
        Term("unconfirmed", 0.5),
        Term("new_patient", 0.3),
        Term("reminders_sent", -0.2),
    ),
)


@dataclass(frozen=True)
class Evaluation:
    """A model and how it did on the newest visits it had not seen."""

    model: LinearModel
    holdout_start: int
    holdout_predictions: list[float]
    holdout_auc: float | None


def auc(labels: list[bool], predictions: list[float]) -> float | None:
    """Area under the ROC curve, or None when only one class is present."""
    if len(set(labels)) < 2:
        return None
    from sklearn.metrics import roc_auc_score  # loaded late, see fit()

    return float(roc_auc_score(labels, predictions))


def history_is_thin(labels: list[bool]) -> bool:
    """Too few visits or no-shows to learn from, or an older part (the one the method is
    judged by learning from) with only one outcome."""
    learning_part = labels[: holdout_start(len(labels))]
    return len(labels) < MIN_ROWS or sum(labels) < MIN_POSITIVES or len(set(learning_part)) < 2


def holdout_start(rows: int) -> int:
    return rows - max(1, round(rows * HOLDOUT_SHARE)) if rows > 1 else rows


def fit(inputs: list[dict], labels: list[bool]) -> LinearModel:
    """Logistic regression on standardized numbers and one-hot categories."""
    # Imported here: scikit-learn takes over a second to load, which every command and
    # worker start would otherwise pay for a model trained once a day.
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = DictVectorizer(sparse=False)
    matrix = vectorizer.fit_transform(inputs)
    names = list(vectorizer.get_feature_names_out())
    numeric = np.array(["=" not in name for name in names])
    means = np.where(numeric, matrix.mean(axis=0), 0.0)
    spread = matrix.std(axis=0)
    scales = np.where(numeric & (spread > 0), spread, 1.0)
    regression = LogisticRegression(C=REGULARIZATION_C, max_iter=2000)
    regression.fit((matrix - means) / scales, np.array(labels, dtype=int))
    terms = tuple(
        Term(name, float(weight), float(mean), float(scale))
        for name, weight, mean, scale in zip(names, regression.coef_[0], means, scales, strict=True)
    )
    return LinearModel(float(regression.intercept_[0]), terms)


def evaluate(inputs: list[dict], labels: list[bool], *, points: bool) -> Evaluation:
    """Judge the method on the newest 20% (inputs in time order), then keep the model made
    from all rows: the points rule as it is, or a regression refitted on everything."""
    split = holdout_start(len(labels))
    judged = POINTS_RULE if points else fit(inputs[:split], labels[:split])
    predictions = [judged.probability(row) for row in inputs[split:]]
    kept = POINTS_RULE if points else fit(inputs, labels)
    return Evaluation(kept, split, predictions, auc(labels[split:], predictions))
