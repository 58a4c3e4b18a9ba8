import pytest

from carebridge.web.tests.conftest import TUESDAY, at, book

pytestmark = pytest.mark.usefixtures("frozen_monday")


def test_week_lists_each_day_with_its_visits(coordinator_client, clinic_a, patient_a):
    book(clinic_a, patient_a, at(14, 30))
    response = coordinator_client.get(
        f"/schedule/week/?location={clinic_a.location.public_id}&date={TUESDAY.isoformat()}"
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Week of March 2, 2026" in html
    assert html.count('class="week-day"') == 7
    assert "2:30 PM" in html and "José Álvarez" in html


def test_anonymous_is_sent_to_login(client, clinic_a):
    response = client.get("/schedule/week/")
    assert response.status_code == 302
    assert response.url.startswith("/login/")


def test_other_organizations_location_is_not_found(coordinator_client, clinic_a, clinic_b):
    response = coordinator_client.get(f"/schedule/week/?location={clinic_b.location.public_id}")
    assert response.status_code == 404
