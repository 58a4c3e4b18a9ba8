"""The catch-up job: visits booked, moved or confirmed since they were scored get a score
within a minute, and until then no badge shows reasons that no longer hold."""

import pytest
import time_machine

from carebridge.jobs.periodic import JOBS
from carebridge.noshow.models import NoShowScore
from carebridge.noshow.selectors import noshow_scores_by_appointment
from carebridge.noshow.services import noshow_scores_refresh
from carebridge.noshow.tasks import catch_up_noshow_outreach, catch_up_noshow_outreach_when_due
from carebridge.scheduling.services.appointments import appointment_reschedule
from carebridge.scheduling.services.confirmations import appointment_confirm

from .conftest import at, visit

pytestmark = pytest.mark.django_db


def reasons(appointment) -> list[str]:
    return NoShowScore.objects.get(appointment=appointment).reasons


def shown(appointment) -> bool:
    """Whether the board would show the appointment's badge."""
    scores = noshow_scores_by_appointment(
        organization=appointment.organization, appointment_ids=[appointment.pk]
    )
    return appointment.pk in scores


def test_a_visit_booked_after_the_daily_refresh_is_scored(clinic_a, clinic_b, patient_a, patient_b):
    with time_machine.travel(at(9, 12), tick=False):
        noshow_scores_refresh(organization=clinic_a.organization)
    ahead_a = visit(clinic_a, patient_a, at(12, 10), booked_at=at(9, 13))
    ahead_b = visit(clinic_b, patient_b, at(12, 10), booked_at=at(9, 13))

    with time_machine.travel(at(9, 13, 1), tick=False):
        assert catch_up_noshow_outreach_when_due()
        scored = catch_up_noshow_outreach.call()

    assert scored == 2
    assert {s.appointment_id: s.organization_id for s in NoShowScore.objects.all()} == {
        ahead_a.pk: clinic_a.organization.pk,
        ahead_b.pk: clinic_b.organization.pk,
    }


def test_a_moved_visit_loses_its_badge_until_rescored_for_its_new_day(clinic_a, patient_a):
    appointment = visit(clinic_a, patient_a, at(12, 10), booked_at=at(4, 10))
    with time_machine.travel(at(9, 12), tick=False):
        noshow_scores_refresh(organization=clinic_a.organization)
    assert "booked 8 days ahead" in reasons(appointment)

    with time_machine.travel(at(9, 13), tick=False):
        appointment = appointment_reschedule(appointment=appointment, actor=None, start=at(19, 10))
    assert not shown(appointment)

    with time_machine.travel(at(9, 13, 1), tick=False):
        assert catch_up_noshow_outreach.call() == 1
    assert shown(appointment)
    assert "booked 8 days ahead" not in reasons(appointment)


def test_a_confirmed_visit_is_rescored_without_not_confirmed(clinic_a, patient_a):
    appointment = visit(clinic_a, patient_a, at(12, 10), booked_at=at(4, 10))
    with time_machine.travel(at(9, 12), tick=False):
        noshow_scores_refresh(organization=clinic_a.organization)
    assert "not confirmed" in reasons(appointment)

    with time_machine.travel(at(9, 13), tick=False):
        appointment_confirm(appointment=appointment, via="phone")
    assert not shown(appointment)

    with time_machine.travel(at(9, 13, 1), tick=False):
        assert catch_up_noshow_outreach_when_due()
        catch_up_noshow_outreach.call()
    assert shown(appointment)
    assert "not confirmed" not in reasons(appointment)


def test_the_check_enqueues_only_when_a_visit_needs_a_score(clinic_a, patient_a):
    visit(clinic_a, patient_a, at(12, 10), booked_at=at(4, 10))
    with time_machine.travel(at(9, 12), tick=False):
        noshow_scores_refresh(organization=clinic_a.organization)
        assert not catch_up_noshow_outreach_when_due()

    visit(clinic_a, patient_a, at(12, 14), booked_at=at(9, 13))
    with time_machine.travel(at(9, 13, 1), tick=False):
        assert catch_up_noshow_outreach_when_due()
        # one run waits already: it will see the visit
        assert not catch_up_noshow_outreach_when_due()


def test_the_scheduler_looks_every_minute():
    [job] = [job for job in JOBS if job.name == "noshow-catch-up"]
    assert job.every_seconds == 60 and job.run is catch_up_noshow_outreach_when_due
