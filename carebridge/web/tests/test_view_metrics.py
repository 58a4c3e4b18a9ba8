import csv
import datetime
import io

import pytest
import time_machine

from carebridge.scheduling.constants import AppointmentStatus
from carebridge.scheduling.services.appointments import appointment_transition
from carebridge.web.tests.conftest import BOSTON, at, book

PERIOD = {"start_date": "2026-03-02", "end_date": "2026-03-08"}


@pytest.fixture
def a_missed_and_a_kept_visit(clinic_a, patient_a):
    with time_machine.travel(datetime.datetime(2026, 2, 20, 9, tzinfo=BOSTON), tick=False):
        missed, kept = book(clinic_a, patient_a, at(9)), book(clinic_a, patient_a, at(10))
    with time_machine.travel(datetime.datetime(2026, 3, 3, 18, tzinfo=BOSTON), tick=False):
        appointment_transition(appointment=missed, actor=None, status=AppointmentStatus.NOSHOW)
        appointment_transition(appointment=kept, actor=None, status=AppointmentStatus.FULFILLED)
    with time_machine.travel(datetime.datetime(2026, 3, 10, 9, tzinfo=BOSTON), tick=False):
        yield


def test_the_page_shows_the_rates_and_charts(coordinator_client, a_missed_and_a_kept_visit):
    response = coordinator_client.get("/metrics/", PERIOD)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Week of 2026-03-02" in html
    assert '50% <span class="subtle">(1 of 2)</span>' in html
    assert html.count("<svg") == 4
    assert "<title>Week of 2026-03-02: 50.0%</title>" in html
    assert 'href="/metrics/export.csv?start_date=2026-03-02' in html


def test_without_filters_it_shows_the_last_eight_weeks(
    coordinator_client, a_missed_and_a_kept_visit
):
    html = coordinator_client.get("/metrics/").content.decode()
    assert 'value="2026-01-13"' in html and 'value="2026-03-10"' in html
    assert "Week of 2026-03-02" in html


def test_the_csv_has_one_line_per_group_and_the_total(
    coordinator_client, a_missed_and_a_kept_visit
):
    response = coordinator_client.get("/metrics/export.csv", PERIOD | {"group_by": "location"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["group"] for row in rows] == ["Clinic A Main", "All"]
    assert rows[0]["noshows"] == "1" and rows[0]["noshow_rate"] == "0.5000"


def test_an_end_before_the_start_is_refused_naming_the_field(coordinator_client, clinic_a):
    response = coordinator_client.get(
        "/metrics/", {"start_date": "2026-03-08", "end_date": "2026-03-02"}
    )
    assert response.status_code == 400
    assert 'id="id_end_date_error"' in response.content.decode()
    csv_response = coordinator_client.get(
        "/metrics/export.csv", {"start_date": "2026-03-08", "end_date": "2026-03-02"}
    )
    assert csv_response.status_code == 400
    assert b"end_date" in csv_response.content


def test_another_clinics_location_is_not_a_choice(
    coordinator_client, clinic_a, clinic_b, a_missed_and_a_kept_visit
):
    response = coordinator_client.get(
        "/metrics/", PERIOD | {"location": str(clinic_b.location.public_id)}
    )
    assert response.status_code == 400
    assert 'id="id_location_error"' in response.content.decode()


def test_another_clinic_sees_none_of_these_visits(client, coordinator_b, a_missed_and_a_kept_visit):
    client.force_login(coordinator_b)
    html = client.get("/metrics/", PERIOD).content.decode()
    assert "(1 of 2)" not in html


def test_signed_out_visitors_are_sent_to_the_login(client):
    response = client.get("/metrics/")
    assert response.status_code == 302 and "/login/" in response["Location"]
