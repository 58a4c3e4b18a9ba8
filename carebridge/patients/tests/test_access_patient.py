import uuid

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import NotFound
from carebridge.patients.selectors import access_patient


def test_read_is_audited(org_a, coordinator_a, patient_a):
    patient = access_patient(organization=org_a, actor=coordinator_a, public_id=patient_a.public_id)
    assert patient == patient_a
    entry = AuditEntry.objects.filter(action="read").latest("sequence")
    assert (entry.actor, entry.patient_ref, entry.outcome) == (
        coordinator_a,
        str(patient_a.public_id),
        "allowed",
    )


@pytest.mark.parametrize("kind", ["other organization", "unknown", "malformed"])
def test_other_organization_unknown_and_malformed_ids_look_the_same(
    org_a, org_b, coordinator_b, patient_a, kind
):
    public_id = {
        "other organization": patient_a.public_id,
        "unknown": uuid.uuid4(),
        "malformed": "not-a-uuid",
    }[kind]
    with pytest.raises(NotFound) as error:
        access_patient(organization=org_b, actor=coordinator_b, public_id=public_id)
    assert error.value.message == "patient not found"
    denied = AuditEntry.objects.get(outcome="denied")
    assert denied.organization == org_b and denied.object_ref == str(public_id)
