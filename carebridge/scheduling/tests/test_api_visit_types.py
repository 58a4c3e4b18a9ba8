import pytest

from carebridge.tests.api_client import ApiClient


@pytest.fixture
def api_b(token_b):
    return ApiClient(token_b)


def test_visit_types_lists_the_clinics_visit_types(api_a, clinic_a, clinic_b):
    response = api_a.get("/visit-types")

    assert response.status_code == 200
    assert [(v["id"], v["code"], v["duration_minutes"]) for v in response.json()] == [
        (str(clinic_a.visit_type.public_id), "follow-up", 30)
    ]


def test_read_visit_type(api_a, clinic_a):
    response = api_a.get(f"/visit-types/{clinic_a.visit_type.public_id}")

    assert response.status_code == 200
    assert response.json()["name"] == "Follow-up"


def test_read_of_another_organizations_visit_type_is_not_found(api_b, clinic_a):
    response = api_b.get(f"/visit-types/{clinic_a.visit_type.public_id}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
