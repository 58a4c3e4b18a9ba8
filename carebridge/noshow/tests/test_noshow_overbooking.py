import pytest
import time_machine

from carebridge.noshow.models import NoShowPolicy, NoShowScore
from carebridge.noshow.selectors import noshow_overbooking
from carebridge.noshow.services import noshow_scores_refresh
from carebridge.patients.services import patient_create

from .conftest import at, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def risky_day(clinic_a):
    """Five patients with three no-shows each, all seen on Thursday the 12th."""
    for number in range(5):
        patient = patient_create(
            organization=clinic_a.organization,
            actor=None,
            fields={"given_name": f"P{number}", "family_name": "Doe", "birth_date": "1990-01-01"},
        )
        visit(
            clinic_a,
            patient,
            at(2, (9, 10, 11, 13, 14)[number]),
            booked_at=at(1, 8),
            outcome="noshow",
        )
        visit(
            clinic_a,
            patient,
            at(3, (9, 10, 11, 13, 14)[number]),
            booked_at=at(1, 8),
            outcome="noshow",
        )
        visit(
            clinic_a,
            patient,
            at(4, (9, 10, 11, 13, 14)[number]),
            booked_at=at(1, 8),
            outcome="noshow",
        )
        visit(clinic_a, patient, at(12, (9, 10, 11, 13, 14)[number]), booked_at=at(5, 8))
    with time_machine.travel(at(9, 12), tick=False):
        noshow_scores_refresh(organization=clinic_a.organization)


def suggestions(clinic):
    with time_machine.travel(at(9, 12), tick=False):
        return noshow_overbooking(organization=clinic.organization)


def test_expected_noshows_are_summed_per_practitioner_day_and_capped(clinic_a, risky_day):
    NoShowPolicy.objects.create(organization=clinic_a.organization, overbook_cap=10)

    [day] = suggestions(clinic_a)

    assert (day.day.isoformat(), day.practitioner, day.visits) == (
        "2026-03-12",
        clinic_a.practitioner,
        5,
    )
    stored = NoShowScore.objects.filter(appointment__start__gte=at(12, 0))
    assert day.expected_noshows == pytest.approx(sum(s.probability for s in stored))
    assert day.expected_noshows >= 2
    assert day.extra_visits == int(day.expected_noshows)


def test_the_default_cap_is_one_and_zero_turns_it_off(clinic_a, risky_day):
    assert [day.extra_visits for day in suggestions(clinic_a)] == [1]

    NoShowPolicy.objects.create(organization=clinic_a.organization, overbook_cap=0)

    assert suggestions(clinic_a) == []


def test_another_organization_gets_no_suggestions(clinic_b, risky_day):
    assert suggestions(clinic_b) == []
