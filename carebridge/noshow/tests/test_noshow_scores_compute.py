import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.audit.models import AuditEntry
from carebridge.noshow.constants import ModelMethod, RiskBand
from carebridge.noshow.models import NoShowModel, NoShowScore
from carebridge.noshow.scoring import reason_words
from carebridge.noshow.services import noshow_scores_compute, noshow_scores_refresh
from carebridge.noshow.training import POINTS_RULE
from carebridge.scheduling.models import Appointment

from .conftest import at, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def habitual(clinic_a, patient_a):
    """Two missed visits, then one booked five weeks ahead and not confirmed."""
    visit(clinic_a, patient_a, at(2, 9), booked_at=at(1, 10), outcome="noshow")
    visit(clinic_a, patient_a, at(3, 9), booked_at=at(1, 10), outcome="noshow")
    return visit(clinic_a, patient_a, at(30, 10), booked_at=at(4, 10))


def test_first_score_trains_a_points_model_and_explains_itself(clinic_a, habitual):
    with time_machine.travel(at(5, 8), tick=False):
        [score] = noshow_scores_compute(
            organization=clinic_a.organization,
            appointments=Appointment.objects.filter(pk=habitual.pk),
        )

    stored = NoShowScore.objects.get(appointment=habitual)
    assert (score.pk, score.probability) == (stored.pk, stored.probability)
    assert stored.model.method == ModelMethod.POINTS
    expected = POINTS_RULE.probability(
        {"prior_noshows": 2, "lead_days": 26 - 1 / 24, "unconfirmed": 1, "new_patient": 1}
    )
    assert stored.probability == pytest.approx(expected)
    assert stored.band == RiskBand.HIGH
    assert stored.reasons == ["2 earlier no-shows", "not confirmed", "booked 26 days ahead"]
    assert AuditEntry.objects.filter(
        object_ref=str(habitual.public_id), detail="no-show risk scored"
    ).exists()


def test_scoring_again_replaces_the_score(clinic_a, habitual):
    appointments = Appointment.objects.filter(pk=habitual.pk)
    with time_machine.travel(at(5, 8), tick=False):
        noshow_scores_compute(organization=clinic_a.organization, appointments=appointments)
        first_model = NoShowModel.objects.get()
        noshow_scores_compute(organization=clinic_a.organization, appointments=appointments)

    assert NoShowScore.objects.count() == 1
    assert NoShowModel.objects.get() == first_model


def test_refresh_scores_only_visits_ahead(clinic_a, patient_a, habitual):
    cancelled = visit(clinic_a, patient_a, at(25, 10), booked_at=at(4, 10), cancel_at=at(5, 7))

    with time_machine.travel(at(20, 8), tick=False):
        scored = noshow_scores_refresh(organization=clinic_a.organization)

    assert scored == 1
    assert set(NoShowScore.objects.values_list("appointment_id", flat=True)) == {habitual.pk}
    assert not NoShowScore.objects.filter(appointment=cancelled).exists()


def test_query_count_does_not_grow_with_appointments(clinic_a, patient_a, habitual):
    for day in (23, 24, 25, 26, 27):
        visit(clinic_a, patient_a, at(day, 14), booked_at=at(4, 10))

    def queries_to_score(appointments) -> int:
        with CaptureQueriesContext(connection) as queries:
            noshow_scores_compute(organization=clinic_a.organization, appointments=appointments)
        return len(queries)

    with time_machine.travel(at(5, 8), tick=False):
        noshow_scores_compute(
            organization=clinic_a.organization, appointments=Appointment.objects.none()
        )
        one = queries_to_score(Appointment.objects.filter(pk=habitual.pk))
        six = queries_to_score(Appointment.objects.filter(start__gte=at(20, 0)))

    assert one == six <= 15
    assert NoShowScore.objects.count() == 6


@pytest.mark.parametrize(
    ("feature", "inputs", "words"),
    [
        ("prior_noshows", {"prior_noshows": 1}, "1 earlier no-show"),
        ("prior_late_cancels", {"prior_late_cancels": 3}, "3 late cancellations"),
        ("prior_kept", {"prior_kept": 0}, "no visit kept here yet"),
        ("reminders_sent", {"reminders_sent": 0}, "no reminder delivered"),
        ("weekday=Mon", {"weekday": "Mon"}, "Monday visit"),
        ("hour=8", {"hour": "8"}, "starts in the 8:00 hour"),
        ("visit_type=new-patient", {"visit_type": "new-patient"}, "new patient visit"),
    ],
)
def test_reasons_in_plain_words(feature, inputs, words):
    assert reason_words(feature, inputs) == words
