import pytest

from carebridge.directory.selectors import practitioner_role_list
from carebridge.directory.services import practitioner_create
from carebridge.fhir_api.tests.fhir_http import outcome_issue, validated


def ids(bundle: dict) -> list[str]:
    return [entry["resource"]["id"] for entry in validated(bundle).get("entry", [])]


def test_practitioner_read_and_search(fhir_a, clinic_a):
    practitioner_id = str(clinic_a.practitioner.public_id)

    read = fhir_a.get(f"Practitioner/{practitioner_id}")

    assert read.status_code == 200
    assert validated(read.json())["name"][0]["family"] == "Okafor"
    assert ids(fhir_a.get("Practitioner", {"name": "oka"}).json()) == [practitioner_id]
    assert ids(fhir_a.get("Practitioner", {"_id": practitioner_id}).json()) == [practitioner_id]
    assert ids(fhir_a.get("Practitioner", {"name": "nobody"}).json()) == []
    assert ids(fhir_a.get("Practitioner", {"name:exact": "Okafor"}).json()) == [practitioner_id]
    assert ids(fhir_a.get("Practitioner", {"name:exact": "okafor"}).json()) == []
    assert ids(fhir_a.get("Practitioner", {"name:contains": "KAF"}).json()) == [practitioner_id]
    assert ids(fhir_a.get("Practitioner", {"name:contains": "oko"}).json()) == []


def test_practitioner_search_by_identifier_reads_the_system(fhir_a, clinic_a):
    organization = clinic_a.organization
    npi_only = practitioner_create(
        organization=organization, given_name="Ana", family_name="Ruiz", npi="1234567893"
    )
    external = practitioner_create(
        organization=organization, given_name="Ben", family_name="Stone", identifier="urn:x|77"
    )
    bare = practitioner_create(
        organization=organization, given_name="Cy", family_name="Tran", identifier="1234567893"
    )
    npi = "http://hl7.org/fhir/sid/us-npi"

    def found(token: str) -> set[str]:
        return set(ids(fhir_a.get("Practitioner", {"identifier": token}).json()))

    assert found("1234567893") == {str(npi_only.public_id), str(bare.public_id)}
    assert found(f"{npi}|1234567893") == {str(npi_only.public_id)}
    assert found("|1234567893") == {str(bare.public_id)}
    assert found("77") == found("urn:x|77") == found("urn:x|") == {str(external.public_id)}
    assert found("urn:y|77") == found("urn:x|7") == set()
    assert str(npi_only.public_id) in found(f"{npi}|")
    assert str(bare.public_id) not in found(f"{npi}|")
    assert found("|") == {str(bare.public_id)}


def test_practitioner_names_are_found_in_any_case_and_without_accents(fhir_a, clinic_a):
    cesar = str(
        practitioner_create(
            organization=clinic_a.organization, given_name="César", family_name="Cabán"
        ).public_id
    )

    def found(params: dict) -> bool:
        return cesar in ids(fhir_a.get("Practitioner", params).json())

    for params in [
        {"name": "CABÁN"},
        {"name": "caban cesar"},
        {"name:contains": "ABÁ"},
        {"name:contains": "aba"},
        {"name:exact": "Cabán"},
    ]:
        assert found(params), params
    for params in [{"name:exact": "cabán"}, {"name:exact": "Caban"}, {"name": "aba"}]:
        assert not found(params), params


def test_practitioner_role_read_and_search(fhir_a, clinic_a):
    role = practitioner_role_list(organization=clinic_a.organization)[0]
    by_practitioner = {"practitioner": f"Practitioner/{clinic_a.practitioner.public_id}"}
    by_location = {"location": f"Location/{clinic_a.location.public_id}"}

    read = fhir_a.get(f"PractitionerRole/{role.public_id}")

    assert validated(read.json())["practitioner"]["reference"] == (
        f"Practitioner/{clinic_a.practitioner.public_id}"
    )
    assert ids(fhir_a.get("PractitionerRole", by_practitioner).json()) == [str(role.public_id)]
    assert ids(fhir_a.get("PractitionerRole", by_location).json()) == [str(role.public_id)]
    assert ids(fhir_a.get("PractitionerRole", {"specialty": "fm"}).json()) == [str(role.public_id)]
    assert ids(fhir_a.get("PractitionerRole", {"specialty": "cardio"}).json()) == []


def test_organization_is_the_callers_own_clinic(fhir_a, org_a):
    read = fhir_a.get(f"Organization/{org_a.public_id}")

    assert validated(read.json())["name"] == "Clinic A"
    assert ids(fhir_a.get("Organization").json()) == [str(org_a.public_id)]
    assert ids(fhir_a.get("Organization", {"name": "clinic b"}).json()) == []
    assert ids(fhir_a.get("Organization", {"name:exact": "Clinic A"}).json()) == [
        str(org_a.public_id)
    ]
    assert ids(fhir_a.get("Organization", {"name:exact": "Clinic"}).json()) == []
    assert ids(fhir_a.get("Organization", {"name:contains": "NIC a"}).json()) == [
        str(org_a.public_id)
    ]


def test_location_read_and_search(fhir_a, clinic_a):
    location_id = str(clinic_a.location.public_id)

    read = fhir_a.get(f"Location/{location_id}")

    assert validated(read.json())["name"] == "Clinic A Main"
    assert ids(fhir_a.get("Location", {"name": "clinic a"}).json()) == [location_id]
    assert ids(fhir_a.get("Location", {"name": "elsewhere"}).json()) == []
    assert ids(fhir_a.get("Location", {"name:exact": "Clinic A Main"}).json()) == [location_id]
    assert ids(fhir_a.get("Location", {"name:exact": "clinic a main"}).json()) == []
    assert ids(fhir_a.get("Location", {"name:contains": "a ma"}).json()) == [location_id]
    assert ids(fhir_a.get("Location", {"name:contains": "main", "name": "x"}).json()) == []


@pytest.mark.parametrize(
    "path",
    [
        "Practitioner/{clinic.practitioner.public_id}",
        "PractitionerRole/{role.public_id}",
        "Organization/{clinic.organization.public_id}",
        "Location/{clinic.location.public_id}",
    ],
)
def test_other_organization_gets_404_on_every_read(fhir_a, clinic_b, path):
    role = practitioner_role_list(organization=clinic_b.organization)[0]

    response = fhir_a.get(path.format(clinic=clinic_b, role=role))

    assert response.status_code == 404
    assert outcome_issue(response)["code"] == "not-found"


@pytest.mark.parametrize(
    ("resource_type", "params"),
    [
        ("Practitioner", {}),
        ("Practitioner", {"_id": "{clinic.practitioner.public_id}"}),
        ("PractitionerRole", {}),
        ("PractitionerRole", {"practitioner": "Practitioner/{clinic.practitioner.public_id}"}),
        ("Organization", {"_id": "{clinic.organization.public_id}"}),
        ("Location", {}),
        ("Location", {"_id": "{clinic.location.public_id}"}),
    ],
)
def test_other_organization_is_absent_from_every_search(
    fhir_a, clinic_a, clinic_b, resource_type, params
):
    theirs = {
        str(clinic_b.practitioner.public_id),
        str(clinic_b.location.public_id),
        str(clinic_b.organization.public_id),
        *(
            str(role.public_id)
            for role in practitioner_role_list(organization=clinic_b.organization)
        ),
    }
    query = {name: value.format(clinic=clinic_b) for name, value in params.items()}

    found = ids(fhir_a.get(resource_type, query).json())

    assert not theirs & set(found)
    assert bool(found) == (not params)
