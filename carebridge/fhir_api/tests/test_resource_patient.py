import datetime

import pytest
from fhir.resources.R4B.patient import Patient as FhirPatient

from carebridge.core.errors import InvalidInput
from carebridge.fhir_api.resources.patient import (
    DO_NOT_CONTACT,
    parse_patient,
    to_fhir_patient,
)
from carebridge.patients.constants import MERGED_MRN_SYSTEM
from carebridge.patients.models import Patient
from carebridge.patients.services import patient_create, patient_merge, patient_update


def loaded(patient: Patient) -> Patient:
    """The patient as a FHIR read loads it: organization, identifiers and merge target."""
    return (
        Patient.objects.select_related("organization", "merged_into")
        .prefetch_related("identifiers", "merged_from")
        .get(pk=patient.pk)
    )


@pytest.fixture
def full_patient(org_a):
    patient = patient_create(
        organization=org_a,
        actor=None,
        fields={
            "given_name": "Maria",
            "middle_name": "Luisa",
            "family_name": "Souza",
            "birth_date": datetime.date(1968, 2, 29),
            "sex": "female",
            "phone_mobile": "+1 617 555 0142",
            "phone_home": "+1 617 555 0143",
            "email": "maria@example.org",
            "address_line": "12 Beacon St, Apt 4",
            "city": "Boston",
            "state": "MA",
            "postal_code": "02108",
            "preferred_language": "pt-BR",
            "emergency_contact_name": "Paulo Souza",
            "emergency_contact_phone": "+1 617 555 0199",
            "emergency_contact_relationship": "husband",
            "mrn": "A-2002",
        },
        identifiers=[("urn:example:insurer", "INS-1"), ("http://hl7.org/fhir/sid/us-ssn", "999-1")],
    )
    return loaded(patient)


def test_to_fhir_patient_is_valid_r4_with_mrn_and_preferences(patient_a):
    resource = to_fhir_patient(loaded(patient_a))

    FhirPatient.model_validate(resource)
    assert resource["id"] == str(patient_a.public_id)
    assert resource["meta"]["versionId"] == "1"
    mrn = resource["identifier"][0]
    assert mrn["system"] == "urn:carebridge:clinic-a:mrn"
    assert mrn["value"] == "A-1001"
    assert mrn["type"]["coding"][0]["code"] == "MR"
    ranked = [point for point in resource["telecom"] if point.get("rank") == 1]
    assert ranked == [{"system": "sms", "value": "+16175550101", "use": "mobile", "rank": 1}]
    assert resource["communication"] == [
        {
            "language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "es"}]},
            "preferred": True,
        }
    ]
    assert resource["gender"] == "male"
    assert resource["birthDate"] == "1980-05-17"


def test_to_fhir_patient_reads_only_loaded_relations(full_patient, django_assert_num_queries):
    with django_assert_num_queries(0):
        to_fhir_patient(full_patient)


@pytest.mark.parametrize("channel", ["sms", "phone", "email", "none"])
def test_parse_of_to_fhir_gives_back_the_patient(full_patient, channel):
    patient = loaded(
        patient_update(patient=full_patient, actor=None, fields={"preferred_channel": channel})
    )
    resource = to_fhir_patient(patient)
    FhirPatient.model_validate(resource)

    parsed = parse_patient(resource)

    assert parsed.fields.pop("preferred_channel") == channel
    assert parsed.fields == {name: getattr(patient, name) for name in parsed.fields}
    assert set(parsed.identifiers) == {
        ("urn:example:insurer", "INS-1"),
        ("http://hl7.org/fhir/sid/us-ssn", "999-1"),
    }


def test_preferred_contact_point_has_rank_one(full_patient):
    patient = loaded(
        patient_update(patient=full_patient, actor=None, fields={"preferred_channel": "email"})
    )
    telecom = to_fhir_patient(patient)["telecom"]
    assert [point["system"] for point in telecom if point.get("rank") == 1] == ["email"]
    do_not_contact = loaded(
        patient_update(patient=patient, actor=None, fields={"preferred_channel": "none"})
    )
    resource = to_fhir_patient(do_not_contact)
    assert not [point for point in resource["telecom"] if "rank" in point]
    assert resource["extension"] == [{"url": DO_NOT_CONTACT, "valueBoolean": True}]


def test_emergency_contact_is_a_contact_with_role_c(full_patient):
    [contact] = to_fhir_patient(full_patient)["contact"]
    assert contact["relationship"][0]["coding"][0]["code"] == "C"
    assert contact["relationship"][1] == {"text": "husband"}
    assert contact["name"] == {"text": "Paulo Souza"}
    assert contact["telecom"] == [{"system": "phone", "value": "+16175550199"}]


def test_merged_patient_links_to_the_one_that_replaced_it(full_patient, patient_a):
    patient_merge(duplicate=full_patient, keep=patient_a, actor=None)

    resource = to_fhir_patient(loaded(full_patient))
    kept = to_fhir_patient(loaded(patient_a))

    FhirPatient.model_validate(resource)
    FhirPatient.model_validate(kept)
    assert resource["link"] == [
        {"other": {"reference": f"Patient/{patient_a.public_id}"}, "type": "replaced-by"}
    ]
    assert resource["active"] is False
    assert {"system": MERGED_MRN_SYSTEM, "value": full_patient.mrn} in kept["identifier"]
    assert kept["link"] == [
        {"other": {"reference": f"Patient/{full_patient.public_id}"}, "type": "replaces"}
    ]


def synthea_patient(**changes) -> dict:
    resource = {
        "resourceType": "Patient",
        "identifier": [
            {"system": "https://github.com/synthetichealth/synthea", "value": "s-1"},
            {
                "type": {
                    "coding": [
                        {"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}
                    ]
                },
                "system": "http://hospital.smarthealthit.org",
                "value": "s-1",
            },
        ],
        "name": [
            {"use": "maiden", "family": "Old", "given": ["Name"]},
            {
                "use": "official",
                "family": "Goldner995",
                "given": ["Andrew29", "Lee"],
                "prefix": ["Mr."],
            },
        ],
        "telecom": [{"system": "phone", "value": "555-806-9773", "use": "home"}],
        "gender": "male",
        "birthDate": "1943-03-17",
        "communication": [
            {"language": {"coding": [{"system": "urn:ietf:bcp:47", "code": "ru-RU"}]}}
        ],
    }
    return resource | changes


def test_parse_synthea_patient():
    parsed = parse_patient(synthea_patient())

    assert parsed.fields["mrn"] == "s-1"
    assert parsed.identifiers == (("https://github.com/synthetichealth/synthea", "s-1"),)
    assert parsed.fields["family_name"] == "Goldner995"
    assert parsed.fields["given_name"] == "Andrew29"
    assert parsed.fields["middle_name"] == "Lee"
    assert parsed.fields["phone_home"] == "555-806-9773"
    assert parsed.fields["birth_date"] == datetime.date(1943, 3, 17)
    # The only language spoken is the preferred one; with no ranked contact point the
    # channel is left as it is.
    assert parsed.fields["preferred_language"] == "ru-RU"
    assert "preferred_channel" not in parsed.fields


def test_parse_takes_the_language_marked_preferred():
    communication = [
        {"language": {"coding": [{"code": "en"}]}},
        {"language": {"coding": [{"code": "vi"}]}, "preferred": True},
    ]
    parsed = parse_patient(synthea_patient(communication=communication))
    assert parsed.fields["preferred_language"] == "vi"


@pytest.mark.parametrize(
    ("changes", "element"),
    [
        ({"resourceType": "Practitioner"}, "Patient.resourceType"),
        ({"birthDate": None}, "Patient.birthDate"),
        ({"birthDate": "1990-13-01"}, "Patient.birthDate"),
        ({"birthDate": "1990"}, "Patient.birthDate"),
        ({"gender": "robot"}, "Patient.gender"),
        ({"name": []}, "Patient.name"),
        ({"name": "Ana"}, "Patient.name"),
        ({"telecom": [{"system": "phone", "value": "1", "rank": "1"}]}, "Patient.telecom.rank"),
        ({"identifier": [{"system": "urn:x"}]}, "Patient.identifier.value"),
        ({"identifier": [{"value": "no-system"}]}, "Patient.identifier.system"),
        (
            {
                "identifier": [
                    {"system": "urn:carebridge:clinic-a:mrn", "value": "A-1"},
                    {"system": "urn:carebridge:clinic-a:mrn", "value": "A-2"},
                ]
            },
            "Patient.identifier",
        ),
        ({"address": [{"country": "USA"}]}, "Patient.address.country"),
        ({"active": "yes"}, "Patient.active"),
    ],
)
def test_parse_names_the_bad_element(changes, element):
    payload = {key: value for key, value in synthea_patient(**changes).items() if value is not None}
    with pytest.raises(InvalidInput) as error:
        parse_patient(payload)
    assert error.value.field == element
    assert error.value.message.startswith(f"{element}: ")
