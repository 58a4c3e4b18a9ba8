"""Names and MRNs are stored without surrounding spaces: spaces alone are no name, and a
padded MRN is the MRN it pads (taken or not)."""

import datetime

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import Conflict, InvalidInput
from carebridge.patients.models import Patient
from carebridge.patients.services import (
    patient_changes,
    patient_check,
    patient_create,
    patient_create_many,
    patient_update,
)

NEW = {"given_name": "Ada", "family_name": "Qa", "birth_date": datetime.date(1990, 1, 1)}
NEW_JSON = {"given_name": "Ada", "family_name": "Qa", "birth_date": "1990-01-01"}


def create(org, **fields):
    return patient_create(organization=org, actor=None, fields=NEW | fields)


@pytest.mark.parametrize("field", ["given_name", "family_name"])
@pytest.mark.parametrize("blank", ["   ", "\t\n"])
def test_a_name_of_spaces_alone_is_required(org_a, field, blank):
    with pytest.raises(InvalidInput) as caught:
        create(org_a, **{field: blank})

    assert (caught.value.field, caught.value.message) == (field, f"{field}: required")
    assert not Patient.objects.filter(organization=org_a).exists()


def test_names_are_stored_stripped(org_a):
    patient = create(org_a, given_name="  Ada ", middle_name=" ", family_name=" Qa\t")

    patient.refresh_from_db()
    assert (patient.given_name, patient.middle_name, patient.family_name) == ("Ada", "", "Qa")
    assert (patient.display_name, patient.search_given) == ("Ada Qa", "ada")


def test_an_update_to_a_name_of_spaces_is_refused_and_changes_nothing(patient_a):
    family_name = patient_a.family_name
    with pytest.raises(InvalidInput) as caught:
        patient_update(patient=patient_a, actor=None, fields={"family_name": "  "})

    assert caught.value.field == "family_name"
    patient_a.refresh_from_db()
    assert (patient_a.family_name, patient_a.version) == (family_name, 1)


def test_a_padded_name_sent_again_is_no_change(patient_a):
    padded = {"family_name": f" {patient_a.family_name} "}

    assert patient_changes(patient=patient_a, fields=padded) == []
    patient_update(patient=patient_a, actor=None, fields=padded)
    audit = AuditEntry.objects.get(patient_ref=str(patient_a.public_id), action="update")
    assert "family_name" not in audit.detail


def test_a_check_refuses_a_name_of_spaces(org_a):
    with pytest.raises(InvalidInput) as caught:
        patient_check(organization=org_a, fields=NEW | {"given_name": " "})

    assert caught.value.field == "given_name"


def test_an_mrn_of_spaces_is_assigned_by_the_clinic(org_a):
    patient = create(org_a, mrn="   ")

    patient.refresh_from_db()
    assert patient.mrn.strip() and patient.mrn == patient.mrn.strip()


def test_a_padded_mrn_is_stored_stripped_and_conflicts_with_the_same_mrn(org_a, patient_a):
    assert create(org_a, mrn=" P-7 ").mrn == "P-7"

    with pytest.raises(Conflict) as caught:
        create(org_a, mrn=f" {patient_a.mrn} ")

    assert caught.value.field == "mrn"


def test_mrns_differing_only_in_case_stay_different(org_a, patient_a):
    assert create(org_a, mrn=f" {patient_a.mrn.lower()} ").mrn == patient_a.mrn.lower()


def test_an_update_to_a_padded_mrn_in_use_is_a_conflict(org_a, patient_a):
    other = create(org_a, mrn="P-8")

    with pytest.raises(Conflict) as caught:
        patient_update(patient=other, actor=None, fields={"mrn": f" {patient_a.mrn} "})

    assert caught.value.field == "mrn"


def test_an_import_strips_names_and_mrns_and_assigns_blank_ones(org_a):
    first, second = patient_create_many(
        organization=org_a,
        actor=None,
        records=[(NEW | {"given_name": " Ada ", "mrn": " I-1 "}, []), (NEW | {"mrn": " "}, [])],
    )

    assert (first.given_name, first.mrn) == ("Ada", "I-1")
    assert second.mrn.strip() and second.mrn == second.mrn.strip()
    with pytest.raises(InvalidInput) as caught:
        patient_create_many(
            organization=org_a, actor=None, records=[(NEW | {"family_name": " "}, [])]
        )
    assert caught.value.field == "family_name"


# Over the JSON API, as QA found them


@pytest.mark.parametrize("field", ["given_name", "family_name"])
def test_api_create_with_a_name_of_spaces_names_the_field(api_a, field):
    response = api_a.post("/patients", NEW_JSON | {field: "   "})

    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert "required" in response.json()["message"]


def test_api_update_to_a_name_of_spaces_names_the_field(api_a, patient_a):
    response = api_a.patch(f"/patients/{patient_a.public_id}", {"version": 1, "family_name": "  "})

    assert response.status_code == 400, response.content
    assert response.json()["field"] == "family_name"


def test_api_create_with_an_mrn_of_spaces_gets_one_assigned(api_a):
    response = api_a.post("/patients", NEW_JSON | {"mrn": "   "})

    assert response.status_code == 201, response.content
    mrn = response.json()["mrn"]
    assert mrn.strip() and mrn == mrn.strip()


def test_api_create_with_a_padded_mrn_in_use_is_a_conflict(api_a, patient_a):
    response = api_a.post("/patients", NEW_JSON | {"mrn": f" {patient_a.mrn} "})

    assert response.status_code == 409, response.content
    assert response.json()["field"] == "mrn"
