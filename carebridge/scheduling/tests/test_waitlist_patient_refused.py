"""Only a patient who could be offered a slot waits: a record merged into another is
refused as booking refuses it, and an inactive patient, whom no slot is ever offered to,
is refused naming the patient."""

import pytest

from carebridge.core.errors import InvalidInput
from carebridge.patients.services import patient_merge, patient_update
from carebridge.scheduling.models import WaitlistEntry
from carebridge.scheduling.services.waitlist import waitlist_add
from carebridge.scheduling.tests.messaging import NOW, reachable_patient, records_to_merge


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def merged(clinic_a):
    duplicate, keep = records_to_merge(clinic_a.organization)
    patient_merge(duplicate=duplicate, keep=keep, actor=None)
    duplicate.refresh_from_db()
    return duplicate


@pytest.fixture
def inactive(clinic_a):
    patient = reachable_patient(clinic_a.organization, mrn="I-1")
    return patient_update(patient=patient, actor=None, fields={"active": False})


def add(clinic, patient):
    return waitlist_add(
        organization=clinic.organization,
        actor=None,
        patient=patient,
        visit_type=clinic.visit_type,
    )


def test_a_merged_record_cannot_wait(clinic_a, merged):
    with pytest.raises(InvalidInput) as caught:
        add(clinic_a, merged)

    assert caught.value.field == "patient"
    assert "this record was merged into another" in caught.value.message
    assert not WaitlistEntry.objects.exists()


def test_an_inactive_patient_cannot_wait(clinic_a, inactive):
    with pytest.raises(InvalidInput) as caught:
        add(clinic_a, inactive)

    assert caught.value.field == "patient"
    assert "inactive" in caught.value.message
    assert not WaitlistEntry.objects.exists()


def test_the_record_kept_waits(clinic_a, merged):
    assert add(clinic_a, merged.merged_into).status == "waiting"


@pytest.mark.parametrize(
    ("which", "words"), [("merged", "merged into another"), ("inactive", "inactive")]
)
def test_over_the_api_the_refusal_names_the_patient(api_a, clinic_a, request, which, words):
    patient = request.getfixturevalue(which)

    response = api_a.post(
        "/waitlist",
        {"patient": str(patient.public_id), "visit_type": str(clinic_a.visit_type.public_id)},
    )

    assert response.status_code == 400, response.content
    assert response.json()["field"] == "patient"
    assert words in response.json()["message"]
