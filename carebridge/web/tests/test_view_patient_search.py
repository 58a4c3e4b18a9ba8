import pytest

from carebridge.web.tests.conftest import htmx


@pytest.mark.parametrize(
    "typed",
    ["alvarez", "ÁLV", "jose alv", "05/17/1980", "1980-05-17", "617-555-0101", "A-1001", "al\x00v"],
)
def test_finds_the_patient_however_the_coordinator_types(coordinator_client, patient_a, typed):
    response = coordinator_client.get("/patients/", {"q": typed}, **htmx())
    assert response.status_code == 200
    assert f"/patients/{patient_a.public_id}/" in response.content.decode()


def test_no_match_says_so(coordinator_client, patient_a):
    response = coordinator_client.get("/patients/", {"q": "zzz"}, **htmx())
    assert "No patient matches" in response.content.decode()


def test_pick_mode_renders_choosable_patients(coordinator_client, patient_a):
    response = coordinator_client.get("/patients/", {"q": "alv", "mode": "pick"}, **htmx())
    html = response.content.decode()
    assert f'type="radio" name="patient" value="{patient_a.public_id}"' in html


def test_full_page_renders(coordinator_client, patient_a):
    response = coordinator_client.get("/patients/", {"q": "alv"})
    assert response.status_code == 200 and "<html" in response.content.decode()


def test_anonymous_is_sent_to_login(client):
    assert client.get("/patients/", {"q": "alv"}).status_code == 302


def test_other_organizations_patients_are_not_found(coordinator_client, patient_a, patient_b):
    response = coordinator_client.get("/patients/", {"q": "brown"}, **htmx())
    assert str(patient_b.public_id) not in response.content.decode()
