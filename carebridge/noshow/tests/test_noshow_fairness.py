import pytest
import time_machine

from carebridge.noshow.selectors import noshow_fairness
from carebridge.noshow.services import noshow_model_train

from .conftest import at, visit

pytestmark = pytest.mark.django_db


def test_rows_of_the_current_model_per_dimension(clinic_a, patient_a):
    visit(clinic_a, patient_a, at(2, 9), booked_at=at(1, 10), outcome="noshow")
    visit(clinic_a, patient_a, at(3, 9), booked_at=at(1, 10), outcome="fulfilled")
    with time_machine.travel(at(10, 8), tick=False):
        noshow_model_train(organization=clinic_a.organization)
    visit(clinic_a, patient_a, at(11, 9), booked_at=at(10, 10), outcome="noshow")
    with time_machine.travel(at(20, 8), tick=False):
        current = noshow_model_train(organization=clinic_a.organization)

    rows = noshow_fairness(organization=clinic_a.organization)

    assert {row.model for row in rows} == {current}
    assert [(row.dimension, row.group, row.count, row.positives) for row in rows] == [
        ("age_band", "35-49", 1, 1),
        ("language", "es", 1, 1),
        ("payer_group", "unknown", 1, 1),
    ]
    assert rows[0].observed_rate == 1.0 and rows[0].auc is None


def test_another_organization_has_none(clinic_a, org_b, patient_a):
    visit(clinic_a, patient_a, at(2, 9), booked_at=at(1, 10), outcome="noshow")
    visit(clinic_a, patient_a, at(3, 9), booked_at=at(1, 10), outcome="fulfilled")
    with time_machine.travel(at(10, 8), tick=False):
        noshow_model_train(organization=clinic_a.organization)

    assert len(noshow_fairness(organization=clinic_a.organization)) == 3
    assert noshow_fairness(organization=org_b) == []
