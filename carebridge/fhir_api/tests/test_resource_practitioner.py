import pytest
from fhir.resources.R4B.practitioner import Practitioner as FhirPractitioner

from carebridge.core.errors import InvalidInput
from carebridge.directory.selectors import access_practitioner
from carebridge.directory.services import practitioner_create, specialty_ensure
from carebridge.fhir_api.resources import NPI_SYSTEM
from carebridge.fhir_api.resources.practitioner import parse_practitioner, to_fhir_practitioner


@pytest.fixture
def practitioner(org_a, clinic_a):
    cardiology = specialty_ensure(organization=org_a, code="cardio", name="Cardiology")
    created = practitioner_create(
        organization=org_a,
        given_name="Kwame",
        family_name="Mensah",
        prefix="Dr.",
        npi="1234567893",
        identifier="urn:example:staff|K-17",
        gender="male",
        email="kwame@example.org",
        phone="+16175550177",
        specialties=[clinic_a.specialty, cardiology],
        languages=["en", "fr"],
    )
    return access_practitioner(organization=org_a, public_id=created.public_id)


def test_to_fhir_practitioner_is_valid_r4_with_npi_and_languages(practitioner):
    resource = to_fhir_practitioner(practitioner)

    FhirPractitioner.model_validate(resource)
    assert resource["id"] == str(practitioner.public_id)
    assert resource["identifier"] == [
        {"system": NPI_SYSTEM, "value": "1234567893"},
        {"system": "urn:example:staff", "value": "K-17"},
    ]
    assert resource["name"] == [{"family": "Mensah", "given": ["Kwame"], "prefix": ["Dr."]}]
    assert [c["coding"][0]["code"] for c in resource["communication"]] == ["en", "fr"]
    assert {q["code"]["coding"][0]["code"] for q in resource["qualification"]} == {"fm", "cardio"}
    assert resource["active"] is True


def test_to_fhir_practitioner_reads_only_loaded_relations(practitioner, django_assert_num_queries):
    with django_assert_num_queries(0):
        to_fhir_practitioner(practitioner)


def test_parse_of_to_fhir_gives_back_the_practitioner(practitioner):
    parsed = parse_practitioner(to_fhir_practitioner(practitioner))

    assert parsed.fields == {name: getattr(practitioner, name) for name in parsed.fields}
    assert parsed.languages == ("en", "fr")
    assert set(parsed.specialties) == {("fm", "Family medicine"), ("cardio", "Cardiology")}


def test_parse_without_languages_or_qualifications_leaves_them_alone():
    parsed = parse_practitioner(
        {"resourceType": "Practitioner", "name": [{"family": "Ito", "given": ["Ken"]}]}
    )
    assert parsed.languages is None
    assert parsed.specialties is None
    assert parsed.fields["npi"] == ""


@pytest.mark.parametrize(
    ("payload", "element"),
    [
        ({"name": [{"given": ["Ken"]}]}, "Practitioner.name"),
        (
            {"identifier": [{"system": NPI_SYSTEM, "value": "12345"}]},
            "Practitioner.identifier",
        ),
        ({"gender": "robot"}, "Practitioner.gender"),
        ({"communication": [{"coding": [{"display": "no code"}]}]}, "Practitioner.communication"),
        ({"telecom": {"system": "phone"}}, "Practitioner.telecom"),
    ],
)
def test_parse_names_the_bad_element(payload, element):
    resource = {"resourceType": "Practitioner", "name": [{"family": "Ito", "given": ["Ken"]}]}
    with pytest.raises(InvalidInput) as error:
        parse_practitioner(resource | payload)
    assert error.value.field == element
