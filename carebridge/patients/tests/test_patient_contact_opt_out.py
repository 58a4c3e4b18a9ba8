import datetime

import pytest
import time_machine

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import InvalidInput
from carebridge.patients.services import (
    patient_contact_opt_out,
    patient_create,
    patient_update,
)

STOPPED_AT = datetime.datetime(2026, 11, 28, 9, 0, tzinfo=datetime.UTC)


def register(organization, given: str, **fields):
    return patient_create(
        organization=organization,
        actor=None,
        fields={
            "given_name": given,
            "family_name": "Álvarez",
            "birth_date": datetime.date(2015, 3, 1),
            "consent_sms": True,
            "consent_email": True,
        }
        | fields,
    )


@pytest.fixture
def consenting(patient_a):
    """patient_a (version 2), with consent to both channels."""
    return patient_update(
        patient=patient_a, actor=None, fields={"consent_sms": True, "consent_email": True}
    )


@time_machine.travel(STOPPED_AT, tick=False)
def test_a_stop_covers_every_patient_of_the_organization_at_that_number(
    consenting, org_a, org_b, coordinator_a
):
    # given a child on the same phone, a neighbour on another, and another clinic's patient
    child = register(org_a, "Lucía", phone_mobile="+16175550101")
    neighbour = register(org_a, "Ana", phone_mobile="+16175550199")
    elsewhere = register(org_b, "Other", phone_mobile="+16175550101")

    changed = patient_contact_opt_out(patient=consenting, channel="sms", actor=coordinator_a)

    assert {p.pk for p in changed} == {consenting.pk, child.pk}
    for patient in (consenting, child):
        patient.refresh_from_db()
        assert (patient.consent_sms, patient.sms_opted_out_at) == (False, STOPPED_AT)
        assert patient.consent_email
    assert (consenting.version, child.version) == (3, 2)
    for patient in (neighbour, elsewhere):
        patient.refresh_from_db()
        assert (patient.consent_sms, patient.sms_opted_out_at) == (True, None)
    entries = AuditEntry.objects.filter(detail="opted out of sms")
    assert {e.patient_ref for e in entries} == {str(consenting.public_id), str(child.public_id)}
    assert {e.actor_id for e in entries} == {coordinator_a.pk}


def test_email_opt_out_matches_the_address_without_case(consenting, org_a):
    sibling = register(org_a, "Lucía", email="JOSE@example.org")

    patient_contact_opt_out(patient=consenting, channel="email")

    sibling.refresh_from_db()
    assert not consenting.consent_email and consenting.email_opted_out_at
    assert not sibling.consent_email and sibling.email_opted_out_at
    assert consenting.consent_sms and consenting.sms_opted_out_at is None


def test_a_second_stop_keeps_the_first_time_and_changes_nothing(consenting):
    with time_machine.travel(STOPPED_AT, tick=False):
        patient_contact_opt_out(patient=consenting, channel="sms")

    with time_machine.travel(STOPPED_AT + datetime.timedelta(days=3), tick=False):
        changed = patient_contact_opt_out(patient=consenting, channel="sms")

    assert changed == []
    assert consenting.sms_opted_out_at == STOPPED_AT
    assert consenting.version == 3
    assert AuditEntry.objects.filter(detail="opted out of sms").count() == 1


def test_a_patient_without_a_number_opts_out_alone(org_a):
    lone = register(org_a, "Lone")
    other = register(org_a, "Other")

    changed = patient_contact_opt_out(patient=lone, channel="sms")

    other.refresh_from_db()
    assert changed == [lone]
    assert lone.sms_opted_out_at is not None
    assert other.sms_opted_out_at is None


def test_only_text_and_email_can_be_opted_out_of(consenting):
    with pytest.raises(InvalidInput) as error:
        patient_contact_opt_out(patient=consenting, channel="phone")

    assert error.value.field == "channel"
    assert consenting.consent_sms
