import pytest
import time_machine

from carebridge.audit.models import AuditEntry
from carebridge.noshow.models import NoShowPolicy
from carebridge.noshow.selectors import noshow_call_list
from carebridge.noshow.services import noshow_scores_refresh
from carebridge.patients.services import patient_create

from .conftest import at, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(clinic_a, patient_a):
    """A habitual patient's visit on the 12th, a reliable patient's on the 11th, and the
    habitual patient's visit on the 26th, beyond the default seven days."""
    reliable = patient_create(
        organization=clinic_a.organization,
        actor=None,
        fields={"given_name": "Ada", "family_name": "Reyes", "birth_date": "1970-01-01"},
    )
    visit(clinic_a, patient_a, at(2, 9), booked_at=at(1, 10), outcome="noshow")
    visit(clinic_a, patient_a, at(3, 9), booked_at=at(1, 10), outcome="noshow")
    visit(clinic_a, reliable, at(3, 11), booked_at=at(1, 10), outcome="fulfilled")
    risky = visit(clinic_a, patient_a, at(12, 10), booked_at=at(4, 10))
    later = visit(clinic_a, patient_a, at(26, 10), booked_at=at(4, 10))
    safe = visit(clinic_a, reliable, at(11, 10), booked_at=at(9, 10))
    with time_machine.travel(at(9, 12), tick=False):
        noshow_scores_refresh(organization=clinic_a.organization)
    return risky, later, safe


def test_lists_high_risk_visits_in_the_coming_days(clinic_a, coordinator_a, scored):
    risky, later, safe = scored

    with time_machine.travel(at(9, 12), tick=False):
        listed = noshow_call_list(organization=clinic_a.organization, actor=coordinator_a)

    # the later visit is as risky but beyond seven days; the reliable patient's is low risk
    assert [score.appointment for score in listed] == [risky]
    assert later.noshow_score.band == "high" and safe.noshow_score.band == "low"
    assert AuditEntry.objects.filter(
        object_ref=str(risky.public_id), action="query", actor_id=coordinator_a.pk
    ).exists()


def test_policy_sets_how_far_ahead(clinic_a, coordinator_a, scored):
    risky, later, _ = scored
    NoShowPolicy.objects.create(organization=clinic_a.organization, call_days=30)

    with time_machine.travel(at(9, 12), tick=False):
        listed = noshow_call_list(organization=clinic_a.organization, actor=coordinator_a)

    assert [score.appointment for score in listed] == [risky, later]


def test_another_organization_sees_none_of_it(org_b, coordinator_b, scored):
    with time_machine.travel(at(9, 12), tick=False):
        assert noshow_call_list(organization=org_b, actor=coordinator_b) == []
