"""The risk badge on the schedule board and in the appointment panel."""

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.noshow.models import NoShowScore
from carebridge.noshow.services import noshow_scores_refresh
from carebridge.patients.services import patient_create
from carebridge.scheduling.services.appointments import appointment_transition

from .conftest import at, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def now():
    with time_machine.travel(at(9, 12), tick=False):
        yield


def board(client, clinic):
    return client.get(f"/?location={clinic.location.public_id}&date=2026-03-12")


def test_board_cells_carry_band_percent_and_reasons(client, coordinator_a, clinic_a, patient_a):
    visit(clinic_a, patient_a, at(2, 9), booked_at=at(1, 10), outcome="noshow")
    appointment = visit(clinic_a, patient_a, at(12, 10), booked_at=at(4, 10))
    with time_machine.travel(at(9, 12), tick=False):
        scored = noshow_scores_refresh(organization=clinic_a.organization)
        client.force_login(coordinator_a)
        html = board(client, clinic_a).content.decode()

    stored = appointment.noshow_score
    assert scored == 1
    assert f'data-risk="{stored.band}"' in html
    assert f"{stored.get_band_display()} risk {stored.percent}%" in html
    assert f'title="No-show risk {stored.percent}%: {"; ".join(stored.reasons)}"' in html


def test_board_queries_do_not_grow_with_scored_visits(client, coordinator_a, clinic_a, now):
    client.force_login(coordinator_a)

    def queries_for_board() -> int:
        noshow_scores_refresh(organization=clinic_a.organization)
        with CaptureQueriesContext(connection) as queries:
            assert board(client, clinic_a).status_code == 200
        return len(queries)

    patients = [
        patient_create(
            organization=clinic_a.organization,
            actor=None,
            fields={"given_name": f"P{n}", "family_name": "Doe", "birth_date": "1990-01-01"},
        )
        for n in range(4)
    ]
    visit(clinic_a, patients[0], at(12, 9), booked_at=at(4, 10))
    one = queries_for_board()
    for patient, hour in zip(patients[1:], (10, 11, 14), strict=True):
        visit(clinic_a, patient, at(12, hour), booked_at=at(4, 10))
    four = queries_for_board()

    assert four == one


def test_panel_shows_the_risk_and_its_reasons(client, coordinator_a, clinic_a, patient_a, now):
    appointment = visit(clinic_a, patient_a, at(12, 10), booked_at=at(4, 10))
    noshow_scores_refresh(organization=clinic_a.organization)
    client.force_login(coordinator_a)

    html = client.get(f"/appointments/{appointment.public_id}/").content.decode()

    assert "<dt>No-show risk</dt>" in html
    assert "not confirmed" in html


def test_visits_already_seen_show_no_badge(client, coordinator_a, clinic_a, patient_a):
    appointment = visit(clinic_a, patient_a, at(12, 10), booked_at=at(4, 10))
    with time_machine.travel(at(9, 12), tick=False):
        noshow_scores_refresh(organization=clinic_a.organization)
    with time_machine.travel(at(12, 11), tick=False):
        appointment_transition(appointment=appointment, actor=None, status="fulfilled")
        client.force_login(coordinator_a)
        html = client.get(f"/appointments/{appointment.public_id}/").content.decode()

    assert NoShowScore.objects.filter(appointment=appointment).exists()
    assert "<dt>No-show risk</dt>" not in html and "data-risk=" not in html
