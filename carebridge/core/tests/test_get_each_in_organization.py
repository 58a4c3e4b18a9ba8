import uuid

import pytest
from django.db.models import Model

from carebridge.core.selectors import get_each_in_organization
from carebridge.directory.models import Location, Practitioner
from carebridge.patients.models import Patient
from carebridge.scheduling.models import VisitType

pytestmark = pytest.mark.django_db


def _wanted(clinic, patient) -> dict:
    return {
        "patient": (Patient, patient.public_id),
        "practitioner": (Practitioner, str(clinic.practitioner.public_id)),
        "location": (Location, clinic.location.public_id),
        "visit_type": (VisitType, clinic.visit_type.public_id),
    }


def _columns(obj: Model) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def test_reads_each_object_as_the_orm_would(clinic_a, patient_a, django_assert_num_queries):
    with django_assert_num_queries(1):
        found = get_each_in_organization(clinic_a.organization, _wanted(clinic_a, patient_a))

    assert found is not None
    for name, (model, public_id) in _wanted(clinic_a, patient_a).items():
        loaded = model.objects.get(public_id=public_id)
        assert type(found[name]) is model
        assert _columns(found[name]) == _columns(loaded)
        assert not found[name]._state.adding


@pytest.mark.parametrize(
    ("name", "public_id"),
    [("location", uuid.uuid4()), ("visit_type", "not-a-uuid"), ("patient", None)],
)
def test_none_when_one_is_missing_or_malformed(clinic_a, patient_a, name, public_id):
    wanted = _wanted(clinic_a, patient_a)
    wanted[name] = (wanted[name][0], public_id)

    assert get_each_in_organization(clinic_a.organization, wanted) is None


def test_none_when_one_is_another_organizations(clinic_a, clinic_b, patient_a):
    wanted = _wanted(clinic_a, patient_a)
    wanted["practitioner"] = (Practitioner, clinic_b.practitioner.public_id)

    assert get_each_in_organization(clinic_a.organization, wanted) is None
    assert get_each_in_organization(clinic_b.organization, _wanted(clinic_a, patient_a)) is None
