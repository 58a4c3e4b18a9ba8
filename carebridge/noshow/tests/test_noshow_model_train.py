import datetime
import random

import pytest
import time_machine

from carebridge.demo.services import demo_seed
from carebridge.noshow.constants import FairnessDimension, ModelMethod
from carebridge.noshow.features import visits_describe
from carebridge.noshow.services import FINISHED_STATUSES, noshow_model_train
from carebridge.noshow.training import POINTS_RULE, evaluate
from carebridge.scheduling.models import Appointment

from .conftest import at, visit

pytestmark = pytest.mark.django_db
DEMO_NOW = datetime.datetime(2026, 11, 25, 15, 0, tzinfo=datetime.UTC)


def test_thin_history_falls_back_to_the_points_rule(clinic_a, patient_a):
    visit(clinic_a, patient_a, at(2, 9), booked_at=at(1, 10), outcome="noshow")
    visit(clinic_a, patient_a, at(3, 9), booked_at=at(1, 10), outcome="fulfilled")

    with time_machine.travel(at(20, 8), tick=False):
        model = noshow_model_train(organization=clinic_a.organization)

    assert (model.method, model.rows, model.positives) == (ModelMethod.POINTS, 2, 1)
    assert model.intercept == POINTS_RULE.intercept
    stored = {c.feature: c.weight for c in model.coefficients.all()}
    assert stored == {term.feature: term.weight for term in POINTS_RULE.terms}


def test_until_leaves_later_visits_out(clinic_a, patient_a):
    visit(clinic_a, patient_a, at(2, 9), booked_at=at(1, 10), outcome="noshow")
    visit(clinic_a, patient_a, at(10, 9), booked_at=at(1, 10), outcome="fulfilled")

    with time_machine.travel(at(20, 8), tick=False):
        model = noshow_model_train(organization=clinic_a.organization, until=at(5, 0))

    assert (model.rows, model.positives, model.history_until) == (1, 1, at(5, 0))


@pytest.fixture
def demo(settings, tmp_path):
    settings.CAREBRIDGE_HOME = tmp_path
    with time_machine.travel(DEMO_NOW, tick=False):
        return demo_seed(
            slug="demo", patients=1200, practitioners=12, seed=42, home=tmp_path
        ).organization


def test_the_demo_history_carries_a_signal_and_shuffled_labels_do_not(demo):
    # when
    with time_machine.travel(DEMO_NOW, tick=False):
        model = noshow_model_train(organization=demo)

    # then: a regression that ranks the newest visits well above chance
    assert model.method == ModelMethod.LOGISTIC
    assert model.rows >= 800 and model.holdout_rows == round(model.rows * 0.2)
    assert model.holdout_auc > 0.65
    weights = {c.feature: c.weight for c in model.coefficients.all()}
    assert weights["prior_noshows"] > 0 and weights["lead_days"] > 0

    # and the same method on shuffled labels learns nothing that holds on newer visits
    # (averaged over a few shuffles: one hold-out of ~25 no-shows is noisy)
    visits = visits_describe(
        organization=demo, appointments=Appointment.objects.filter(status__in=FINISHED_STATUSES)
    )
    inputs, labels = [v.inputs for v in visits], [v.missed for v in visits]
    shuffled_aucs = []
    for seed in range(5):
        shuffled = random.Random(seed).sample(labels, len(labels))
        shuffled_aucs.append(evaluate(inputs, shuffled, points=False).holdout_auc)
    assert abs(sum(shuffled_aucs) / len(shuffled_aucs) - 0.5) < 0.08
    assert model.holdout_auc > max(shuffled_aucs)


def test_fairness_is_reported_for_every_group_on_the_holdout(demo):
    with time_machine.travel(DEMO_NOW, tick=False):
        model = noshow_model_train(organization=demo)

    metrics = list(model.group_metrics.all())
    by_dimension = {d: [m for m in metrics if m.dimension == d] for d in FairnessDimension}
    assert {m.group for m in by_dimension["age_band"]} == {
        "0-17",
        "18-34",
        "35-49",
        "50-64",
        "65+",
    }
    assert {"en", "es"} <= {m.group for m in by_dimension["language"]}
    assert {"commercial", "medicare", "medicaid"} <= {m.group for m in by_dimension["payer_group"]}
    holdout_positives = sum(m.positives for m in by_dimension[FairnessDimension.LANGUAGE])
    assert 0 < holdout_positives < model.holdout_rows
    for dimension in FairnessDimension:
        assert sum(m.count for m in by_dimension[dimension]) == model.holdout_rows
        assert sum(m.positives for m in by_dimension[dimension]) == holdout_positives
        assert all(0 < m.mean_predicted < 1 for m in by_dimension[dimension])
