import datetime

import pytest

from carebridge.core.db import LARGEST_OFFSET
from carebridge.directory.services import (
    location_create,
    practitioner_create,
    practitioner_role_create,
    specialty_ensure,
)
from carebridge.tests.api_client import ApiClient, queries_for


@pytest.fixture
def api_b(token_b):
    return ApiClient(token_b)


@pytest.fixture
def cardiologist(clinic_a):
    """A French-speaking cardiologist at a second location of clinic A."""
    organization = clinic_a.organization
    cardiology = specialty_ensure(organization=organization, code="card", name="Cardiology")
    annex = location_create(
        organization=organization,
        name="Annex",
        timezone="America/Chicago",
        opening_hours=[(0, datetime.time(8), datetime.time(16))],
    )
    practitioner = practitioner_create(
        organization=organization,
        given_name="Luc",
        family_name="Bernard",
        specialties=[cardiology],
        languages=["fr"],
    )
    practitioner_role_create(practitioner=practitioner, location=annex, specialty=cardiology)
    return practitioner


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["family_name"] for item in response.json()["items"]]


def test_locations_lists_the_clinics_sites_with_zone_and_hours(api_a, cardiologist):
    response = api_a.get("/locations")

    assert response.status_code == 200
    annex, main = response.json()
    assert (annex["name"], annex["timezone"]) == ("Annex", "America/Chicago")
    assert annex["opening_hours"] == [{"weekday": 0, "opens": "08:00:00", "closes": "16:00:00"}]
    assert main["name"] == "Clinic A Main"


def test_locations_never_lists_another_organizations_sites(api_b, clinic_a):
    names = [location["name"] for location in api_b.get("/locations").json()]

    assert names == ["Clinic B Main"]


def test_read_location(api_a, clinic_a):
    response = api_a.get(f"/locations/{clinic_a.location.public_id}")

    assert response.status_code == 200
    assert response.json()["id"] == str(clinic_a.location.public_id)


def test_read_of_another_organizations_location_is_not_found(api_b, clinic_a):
    response = api_b.get(f"/locations/{clinic_a.location.public_id}")

    assert response.status_code == 404


def test_specialties_lists_the_clinics_specialties(api_a, cardiologist, clinic_b):
    response = api_a.get("/specialties")

    assert [s["code"] for s in response.json()] == ["card", "fm"]


def test_practitioners_lists_everyone_with_specialties_and_languages(api_a, cardiologist):
    response = api_a.get("/practitioners")

    assert _names(response) == ["Bernard", "Okafor"]
    okafor = response.json()["items"][1]
    assert okafor["display_name"] == "Dr. Ana Okafor"
    assert okafor["languages"] == ["en", "es"]
    assert [s["code"] for s in okafor["specialties"]] == ["fm"]


def test_practitioners_filter_by_specialty_location_and_language(api_a, clinic_a, cardiologist):
    cardiology = cardiologist.specialties.get()
    annex = cardiologist.roles.get().location

    assert _names(api_a.get("/practitioners", {"specialty": cardiology.public_id})) == ["Bernard"]
    assert _names(api_a.get("/practitioners", {"location": annex.public_id})) == ["Bernard"]
    assert _names(api_a.get("/practitioners", {"location": clinic_a.location.public_id})) == [
        "Okafor"
    ]
    assert _names(api_a.get("/practitioners", {"language": "es"})) == ["Okafor"]
    assert _names(api_a.get("/practitioners", {"language": "de"})) == []


def test_practitioners_runs_a_fixed_number_of_queries(api_a, clinic_a):
    one = queries_for(lambda: api_a.get("/practitioners"))
    practitioner_create(
        organization=clinic_a.organization,
        given_name="Luc",
        family_name="Bernard",
        specialties=[clinic_a.specialty],
        languages=["fr", "en"],
    )

    assert queries_for(lambda: api_a.get("/practitioners")) == one


def test_practitioners_page(api_a, cardiologist):
    body = api_a.get("/practitioners", {"limit": 1, "offset": 1}).json()

    assert [p["family_name"] for p in body["items"]] == ["Okafor"]
    assert (body["total"], body["limit"], body["offset"]) == (2, 1, 1)


@pytest.mark.parametrize("offset", [-1, LARGEST_OFFSET + 1, 2**70])
def test_a_page_beyond_what_the_databases_can_count_is_refused(api_a, cardiologist, offset):
    response = api_a.get("/practitioners", {"offset": offset})

    assert response.status_code == 400
    assert response.json()["field"] == "offset"


def test_the_furthest_page_is_empty(api_a, cardiologist):
    body = api_a.get("/practitioners", {"offset": LARGEST_OFFSET}).json()

    assert (body["items"], body["total"]) == ([], 2)


def test_practitioners_filtered_by_another_organizations_location_is_not_found(api_b, clinic_a):
    response = api_b.get("/practitioners", {"location": clinic_a.location.public_id})

    assert response.status_code == 404
    assert response.json()["field"] == "location"


def test_practitioners_filtered_by_another_organizations_specialty_is_not_found(api_b, clinic_a):
    response = api_b.get("/practitioners", {"specialty": clinic_a.specialty.public_id})

    assert response.status_code == 404
    assert response.json()["field"] == "specialty"


def test_practitioners_filter_must_be_a_uuid(api_a):
    response = api_a.get("/practitioners", {"specialty": "cardiology"})

    assert response.status_code == 400
    assert response.json()["field"] == "specialty"


def test_read_practitioner(api_a, clinic_a):
    response = api_a.get(f"/practitioners/{clinic_a.practitioner.public_id}")

    assert response.status_code == 200
    assert response.json()["family_name"] == "Okafor"


def test_read_of_another_organizations_practitioner_is_not_found(api_b, clinic_a):
    response = api_b.get(f"/practitioners/{clinic_a.practitioner.public_id}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
