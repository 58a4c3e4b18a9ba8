import datetime

from carebridge.audit.models import AuditEntry
from carebridge.patients.services import (
    patient_contact_opt_in,
    patient_contact_opt_out,
    patient_create,
)


def register(organization, given: str, **fields):
    return patient_create(
        organization=organization,
        actor=None,
        fields={
            "given_name": given,
            "family_name": "Álvarez",
            "birth_date": datetime.date(2015, 3, 1),
            "phone_mobile": "+16175550101",
        }
        | fields,
    )


def test_a_start_restores_everyone_the_stop_covered(org_a, coordinator_a):
    parent = register(org_a, "José", consent_sms=True)
    child = register(org_a, "Lucía", consent_sms=True)
    patient_contact_opt_out(patient=parent, channel="sms")

    changed = patient_contact_opt_in(patient=parent, channel="sms", actor=coordinator_a)

    child.refresh_from_db()
    assert {p.pk for p in changed} == {parent.pk, child.pk}
    for patient in (parent, child):
        assert (patient.consent_sms, patient.sms_opted_out_at) == (True, None)
        assert patient.version == 3
    entries = AuditEntry.objects.filter(detail="opted in to sms")
    assert {e.patient_ref for e in entries} == {str(parent.public_id), str(child.public_id)}


def test_someone_at_the_number_who_never_consented_is_left_alone(org_a):
    parent = register(org_a, "José")
    never_asked = register(org_a, "Abuela")

    changed = patient_contact_opt_in(patient=parent, channel="sms")

    never_asked.refresh_from_db()
    assert changed == [parent]
    assert parent.consent_sms
    assert (never_asked.consent_sms, never_asked.version) == (False, 1)


def test_a_patient_already_opted_in_is_not_changed(org_a):
    parent = register(org_a, "José", email="jose@example.org", consent_email=True)

    changed = patient_contact_opt_in(patient=parent, channel="email")

    assert changed == []
    assert parent.version == 1
    assert not AuditEntry.objects.filter(detail="opted in to email").exists()
