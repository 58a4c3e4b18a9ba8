import pytest
import time_machine

from carebridge.jobs.periodic import JOBS
from carebridge.noshow.models import NoShowScore
from carebridge.noshow.tasks import refresh_noshow_outreach

from .conftest import at, visit

pytestmark = pytest.mark.django_db


def test_daily_job_scores_every_organization_with_visits_ahead(
    clinic_a, clinic_b, patient_a, patient_b
):
    ahead_a = visit(clinic_a, patient_a, at(12, 10), booked_at=at(4, 10))
    ahead_b = visit(clinic_b, patient_b, at(12, 10), booked_at=at(4, 10))

    with time_machine.travel(at(9, 12), tick=False):
        scored = refresh_noshow_outreach.call()

    assert scored == 2
    assert {s.appointment_id: s.organization_id for s in NoShowScore.objects.all()} == {
        ahead_a.pk: clinic_a.organization.pk,
        ahead_b.pk: clinic_b.organization.pk,
    }


def test_the_scheduler_runs_it_daily():
    [job] = [job for job in JOBS if job.name == "noshow-outreach"]
    assert job.every_seconds == 24 * 3600
