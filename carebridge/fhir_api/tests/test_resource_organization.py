import pytest
from fhir.resources.R4B.organization import Organization as FhirOrganization

from carebridge.core.errors import InvalidInput
from carebridge.fhir_api.resources import ORGANIZATION_SYSTEM
from carebridge.fhir_api.resources.organization import parse_organization, to_fhir_organization


def test_to_fhir_organization_is_valid_r4_and_names_the_clinic_by_slug(org_a):
    resource = to_fhir_organization(org_a)

    FhirOrganization.model_validate(resource)
    assert resource["id"] == str(org_a.public_id)
    assert resource["identifier"] == [{"system": ORGANIZATION_SYSTEM, "value": "clinic-a"}]
    assert resource["name"] == "Clinic A"


def test_parse_of_to_fhir_gives_back_the_clinic(org_a):
    parsed = parse_organization(to_fhir_organization(org_a))
    assert (parsed.name, parsed.slug, parsed.active) == ("Clinic A", "clinic-a", True)


def test_an_outside_organization_has_no_slug():
    parsed = parse_organization(
        {
            "resourceType": "Organization",
            "identifier": [{"system": "https://github.com/synthetichealth/synthea", "value": "h1"}],
            "name": "GENERAL HOSPITAL",
        }
    )
    assert parsed.slug == ""
    assert parsed.identifiers == (("https://github.com/synthetichealth/synthea", "h1"),)


@pytest.mark.parametrize(
    ("payload", "element"),
    [
        ({"resourceType": "Organization"}, "Organization.name"),
        ({"resourceType": "Organization", "name": 7}, "Organization.name"),
        (
            {"resourceType": "Organization", "name": "X", "identifier": [{"system": "s"}]},
            "Organization.identifier.value",
        ),
    ],
)
def test_parse_names_the_bad_element(payload, element):
    with pytest.raises(InvalidInput) as error:
        parse_organization(payload)
    assert error.value.field == element
