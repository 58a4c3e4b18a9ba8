import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.noshow.models import NoShowModel, NoShowScore
from carebridge.noshow.services import noshow_model_train, noshow_scores_refresh
from carebridge.patients.services import patient_create

from .conftest import at, visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def risky(clinic_a, patient_a):
    visit(clinic_a, patient_a, at(2, 9), booked_at=at(1, 10), outcome="noshow")
    visit(clinic_a, patient_a, at(3, 9), booked_at=at(1, 10), outcome="noshow")
    visit(clinic_a, patient_a, at(4, 9), booked_at=at(1, 10), outcome="fulfilled")
    appointment = visit(clinic_a, patient_a, at(12, 10), booked_at=at(4, 10))
    with time_machine.travel(at(9, 12), tick=False):
        noshow_model_train(organization=clinic_a.organization)
        noshow_scores_refresh(organization=clinic_a.organization)
    return appointment


@pytest.fixture
def now():
    with time_machine.travel(at(9, 12), tick=False):
        yield


def test_page_lists_patients_to_call_the_model_and_fairness(client, coordinator_a, risky, now):
    client.force_login(coordinator_a)

    response = client.get("/noshow/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-appointment="{risky.public_id}"' in html
    assert "José Álvarez" in html and "+16175550101" in html
    assert "speaks Spanish" in html  # patient_a's preferred language, es
    assert "2 earlier no-shows" in html
    assert "Points rule" in html and "3 finished visits, 2 no-shows" in html
    assert "Preferred language" in html and "Age band" in html
    assert "<tr><td>Spanish</td>" in html  # the language group, by name


def test_another_organization_sees_none_of_clinic_a(client, coordinator_b, risky, now):
    client.force_login(coordinator_b)

    html = client.get("/noshow/").content.decode()

    assert str(risky.public_id) not in html
    assert "José" not in html
    assert "No model yet" in html


def test_rescore_button_scores_the_visits_ahead(client, coordinator_a, clinic_a, patient_a, now):
    appointment = visit(clinic_a, patient_a, at(12, 11), booked_at=at(4, 10))
    client.force_login(coordinator_a)

    response = client.post("/noshow/refresh/")

    assert response.status_code == 302 and response.url == "/noshow/"
    assert NoShowScore.objects.filter(appointment=appointment).exists()
    assert NoShowModel.objects.filter(organization=clinic_a.organization).count() == 1


def test_rescore_of_another_organization_touches_nothing_of_clinic_a(
    client, coordinator_b, clinic_a, patient_a, now
):
    appointment = visit(clinic_a, patient_a, at(12, 11), booked_at=at(4, 10))
    client.force_login(coordinator_b)

    client.post("/noshow/refresh/")

    assert not NoShowScore.objects.filter(appointment=appointment).exists()


def test_login_is_required(client, risky):
    assert client.get("/noshow/").status_code == 302


def test_queries_do_not_grow_with_the_patients_listed(client, coordinator_a, clinic_a, risky, now):
    client.force_login(coordinator_a)

    def queries_for_page() -> tuple[int, int]:
        noshow_scores_refresh(organization=clinic_a.organization)
        with CaptureQueriesContext(connection) as queries:
            html = client.get("/noshow/").content.decode()
        return html.count("<tr data-appointment="), len(queries)

    listed_one, one = queries_for_page()
    for number in range(2):
        patient = patient_create(
            organization=clinic_a.organization,
            actor=None,
            fields={"given_name": f"P{number}", "family_name": "Doe", "birth_date": "1990-01-01"},
        )
        visit(clinic_a, patient, at(2, 13 + number), booked_at=at(1, 10), outcome="noshow")
        visit(clinic_a, patient, at(3, 13 + number), booked_at=at(1, 10), outcome="noshow")
        visit(clinic_a, patient, at(13, 13 + number), booked_at=at(4, 10))
    listed_three, three = queries_for_page()

    assert (listed_one, listed_three) == (1, 3)
    assert three == one
