import random

import pytest

from carebridge.noshow.training import MIN_POSITIVES, MIN_ROWS, fit, history_is_thin


@pytest.mark.parametrize(
    ("labels", "thin"),
    [
        ([True] * MIN_POSITIVES + [False] * (MIN_ROWS - MIN_POSITIVES), False),
        ([True] * MIN_POSITIVES + [False] * (MIN_ROWS - MIN_POSITIVES - 1), True),
        ([True] * (MIN_POSITIVES - 1) + [False] * MIN_ROWS, True),
        # every no-show among the newest fifth: nothing to learn them from
        ([False] * MIN_ROWS * 4 + [True] * MIN_ROWS, True),
    ],
)
def test_thin_history(labels, thin):
    assert history_is_thin(labels) is thin


def test_numbers_are_standardized_and_categories_one_hot():
    rng = random.Random(3)
    inputs = [
        {"lead_days": rng.uniform(0, 40), "weekday": rng.choice(["Mon", "Tue"])} for _ in range(400)
    ]
    labels = [row["lead_days"] > 20 and rng.random() < 0.8 for row in inputs]

    model = fit(inputs, labels)

    terms = {term.feature: term for term in model.terms}
    assert set(terms) == {"lead_days", "weekday=Mon", "weekday=Tue"}
    lead = terms["lead_days"]
    assert lead.mean == pytest.approx(sum(r["lead_days"] for r in inputs) / 400)
    assert 10 < lead.scale < 13  # a uniform spread of 40 days has a deviation of about 11.5
    assert lead.weight > 0
    assert (terms["weekday=Mon"].mean, terms["weekday=Mon"].scale) == (0.0, 1.0)
    assert model.probability({"lead_days": 35, "weekday": "Mon"}) > 0.5
    assert model.probability({"lead_days": 5, "weekday": "Mon"}) < 0.1
