import pytest
from fhir.resources.R4B.practitionerrole import PractitionerRole as FhirPractitionerRole

from carebridge.core.errors import InvalidInput
from carebridge.directory.models import PractitionerRole
from carebridge.fhir_api.resources import NPI_SYSTEM, Reference
from carebridge.fhir_api.resources.practitioner_role import (
    parse_practitioner_role,
    to_fhir_practitioner_role,
)


@pytest.fixture
def role(clinic_a):
    return PractitionerRole.objects.select_related(
        "practitioner", "location", "specialty", "organization"
    ).get(practitioner=clinic_a.practitioner)


def test_to_fhir_practitioner_role_is_valid_r4_with_references(role, clinic_a):
    resource = to_fhir_practitioner_role(role)

    FhirPractitionerRole.model_validate(resource)
    assert resource["practitioner"] == {
        "reference": f"Practitioner/{clinic_a.practitioner.public_id}",
        "display": "Dr. Ana Okafor",
    }
    assert resource["location"] == [
        {"reference": f"Location/{clinic_a.location.public_id}", "display": "Clinic A Main"}
    ]
    assert resource["organization"]["reference"] == (
        f"Organization/{clinic_a.organization.public_id}"
    )
    assert resource["specialty"][0]["coding"][0]["code"] == "fm"


def test_to_fhir_practitioner_role_reads_only_loaded_relations(role, django_assert_num_queries):
    with django_assert_num_queries(0):
        to_fhir_practitioner_role(role)


def test_parse_of_to_fhir_gives_back_the_references(role, clinic_a):
    parsed = parse_practitioner_role(to_fhir_practitioner_role(role))

    assert parsed.practitioner == Reference("Practitioner", id=str(clinic_a.practitioner.public_id))
    assert parsed.location == Reference("Location", id=str(clinic_a.location.public_id))
    assert parsed.organization == Reference("Organization", id=str(clinic_a.organization.public_id))
    assert parsed.specialty == ("fm", "Family medicine")
    assert parsed.active is True


def test_parse_reads_versioned_and_absolute_references():
    parsed = parse_practitioner_role(
        {
            "resourceType": "PractitionerRole",
            "practitioner": {"reference": "Practitioner/p-1/_history/3"},
            "location": [{"reference": "https://fhir.example.org/r4/Location/l-1"}],
        }
    )
    assert parsed.practitioner == Reference("Practitioner", id="p-1")
    assert parsed.location == Reference("Location", id="l-1")


def test_parse_understands_conditional_logical_and_bundle_references():
    parsed = parse_practitioner_role(
        {
            "resourceType": "PractitionerRole",
            "practitioner": {"reference": f"Practitioner?identifier={NPI_SYSTEM}|9999992198"},
            "location": [{"identifier": {"system": "urn:example:site", "value": "north"}}],
            "organization": {"reference": "urn:uuid:4a1e0d64-0000-4000-8000-000000000001"},
        }
    )
    assert parsed.practitioner == Reference("Practitioner", identifier=(NPI_SYSTEM, "9999992198"))
    assert parsed.location == Reference("Location", identifier=("urn:example:site", "north"))
    assert parsed.organization == Reference(
        "Organization", url="urn:uuid:4a1e0d64-0000-4000-8000-000000000001"
    )
    assert parsed.specialty is None


@pytest.mark.parametrize(
    ("payload", "element"),
    [
        ({"practitioner": None}, "PractitionerRole.practitioner"),
        ({"practitioner": {"reference": "Location/1"}}, "PractitionerRole.practitioner"),
        ({"practitioner": {"display": "Dr. Nobody"}}, "PractitionerRole.practitioner"),
        (
            {"practitioner": {"reference": "Practitioner?name=Smith"}},
            "PractitionerRole.practitioner",
        ),
        ({"location": []}, "PractitionerRole.location"),
        (
            {"location": [{"reference": "Location/1"}, {"reference": "Location/2"}]},
            "PractitionerRole.location",
        ),
        ({"specialty": [{"text": "a"}, {"text": "b"}]}, "PractitionerRole.specialty"),
        ({"organization": {"reference": "Practitioner/1"}}, "PractitionerRole.organization"),
    ],
)
def test_parse_names_the_bad_element(payload, element):
    resource = {
        "resourceType": "PractitionerRole",
        "practitioner": {"reference": "Practitioner/1"},
        "location": [{"reference": "Location/1"}],
    } | payload
    resource = {key: value for key, value in resource.items() if value is not None}
    with pytest.raises(InvalidInput) as error:
        parse_practitioner_role(resource)
    assert error.value.field == element
