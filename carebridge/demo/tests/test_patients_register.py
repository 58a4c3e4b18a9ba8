import random

import pytest

from carebridge.demo.clinic import name_faker
from carebridge.demo.people import patients_plan, patients_register


@pytest.mark.django_db
def test_patients_are_registered_as_planned_with_their_phones_in_e164(org_a, coordinator_a):
    planned = patients_plan(count=80, rng=random.Random(5), faker=name_faker(5))

    registered = patients_register(
        organization=org_a, actor=coordinator_a, count=80, rng=random.Random(5), faker=name_faker(5)
    )

    assert [p.patient.mrn for p in registered] == [p.fields["mrn"] for p in planned]
    for demo, plan in zip(registered, planned, strict=True):
        patient = demo.patient
        assert patient.phone_mobile == plan.fields["phone_mobile"].replace(" ", "")
        assert patient.emergency_contact_phone == plan.fields.get(
            "emergency_contact_phone", ""
        ).replace(" ", "")
