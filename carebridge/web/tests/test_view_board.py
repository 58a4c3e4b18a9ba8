import pytest

from carebridge.web.tests.conftest import TUESDAY, at, book

pytestmark = pytest.mark.usefixtures("frozen_monday")


def board_url(clinic, day=TUESDAY):
    return f"/?location={clinic.location.public_id}&date={day.isoformat()}"


def test_board_shows_practitioner_columns_and_appointments(coordinator_client, clinic_a, patient_a):
    appointment = book(clinic_a, patient_a, at(10))
    response = coordinator_client.get(board_url(clinic_a))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Dr. Ana Okafor" in html
    assert f'data-appointment="{appointment.public_id}"' in html
    assert "10:00\u201310:30 AM" in html
    assert 'class="cell free' in html
