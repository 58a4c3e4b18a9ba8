"""Putting a patient on the waitlist: every rule names the field it guards."""

import datetime

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import Conflict, DomainError, InvalidInput, NotFound
from carebridge.directory.services import (
    location_create,
    practitioner_create,
    specialty_ensure,
)
from carebridge.patients.services import patient_create
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.services.waitlist import waitlist_add
from carebridge.scheduling.tests.messaging import NOW, book
from carebridge.scheduling.tests.patient_kinds import new_and_established_visits


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


def add(clinic, patient, **preferences):
    return waitlist_add(
        organization=clinic.organization,
        actor=None,
        patient=patient,
        visit_type=preferences.pop("visit_type", clinic.visit_type),
        **preferences,
    )


def test_an_entry_waits_with_its_preferences_and_is_audited(clinic_a, patient_a, coordinator_a):
    entry = waitlist_add(
        organization=clinic_a.organization,
        actor=coordinator_a,
        patient=patient_a,
        visit_type=clinic_a.visit_type,
        practitioner=clinic_a.practitioner,
        specialty=clinic_a.specialty,
        location=clinic_a.location,
        weekdays=[4, 0, 4],
        time_from=datetime.time(8),
        time_to=datetime.time(12),
        earliest_date=datetime.date(2026, 12, 1),
        latest_date=datetime.date(2027, 1, 31),
        priority="urgent",
        note="  Call before noon ",
    )

    entry.refresh_from_db()
    assert (entry.status, entry.priority, entry.weekdays) == ("waiting", "urgent", [0, 4])
    assert (entry.note, entry.created_by, entry.created_at) == (
        "Call before noon",
        coordinator_a,
        NOW,
    )
    audit = AuditEntry.objects.get(object_ref=str(entry.public_id))
    assert (audit.action, audit.patient_ref) == ("create", str(patient_a.public_id))


@pytest.mark.parametrize(
    ("preferences", "field"),
    [
        ({"weekdays": [7]}, "weekdays"),
        ({"weekdays": [True]}, "weekdays"),
        ({"weekdays": "mon"}, "weekdays"),
        ({"time_from": datetime.time(9)}, "time_to"),
        ({"time_to": datetime.time(9)}, "time_from"),
        ({"time_from": datetime.time(9), "time_to": datetime.time(9)}, "time_to"),
        (
            {"earliest_date": datetime.date(2027, 2, 1), "latest_date": datetime.date(2027, 1, 1)},
            "latest_date",
        ),
        ({"latest_date": datetime.date(2026, 11, 1)}, "latest_date"),
        ({"priority": "asap"}, "priority"),
        ({"note": "x" * 2001}, "note"),
    ],
)
def test_broken_preferences_name_the_field(clinic_a, patient_a, preferences, field):
    with pytest.raises(InvalidInput) as caught:
        add(clinic_a, patient_a, **preferences)

    assert caught.value.field == field


def test_references_of_another_organization_are_not_found(clinic_a, clinic_b, patient_a, patient_b):
    for name, value in [
        ("patient", patient_b),
        ("visit_type", clinic_b.visit_type),
        ("practitioner", clinic_b.practitioner),
        ("location", clinic_b.location),
        ("specialty", clinic_b.specialty),
    ]:
        values = {"patient": patient_a, name: value}
        with pytest.raises(NotFound) as caught:
            add(clinic_a, **values)
        assert caught.value.field == name


def test_a_practitioner_must_work_at_the_location_and_have_the_specialty(clinic_a, patient_a):
    elsewhere = location_create(
        organization=clinic_a.organization, name="Annex", timezone="America/New_York"
    )
    cardiology = specialty_ensure(organization=clinic_a.organization, code="card", name="Cardio")

    with pytest.raises(InvalidInput) as at_location:
        add(clinic_a, patient_a, practitioner=clinic_a.practitioner, location=elsewhere)
    with pytest.raises(InvalidInput) as with_specialty:
        add(clinic_a, patient_a, practitioner=clinic_a.practitioner, specialty=cardiology)

    assert (at_location.value.field, with_specialty.value.field) == ("location", "specialty")


def test_an_inactive_visit_type_cannot_be_waited_for(clinic_a, patient_a):
    clinic_a.visit_type.active = False
    clinic_a.visit_type.save()

    with pytest.raises(InvalidInput) as caught:
        add(clinic_a, patient_a)

    assert caught.value.field == "visit_type"


def test_a_patient_seen_before_cannot_wait_for_a_new_patient_visit(clinic_a, patient_a):
    new_patient_visit, _ = new_and_established_visits(clinic_a)
    add(clinic_a, patient_a, visit_type=new_patient_visit)  # not seen yet: fine
    other = patient_create(
        organization=clinic_a.organization,
        actor=None,
        fields={"given_name": "Sam", "family_name": "Lee", "birth_date": "1980-01-01"},
    )
    # Seen last week: a visit written as it stands now (the services book only ahead).
    last_week = NOW - datetime.timedelta(days=7)
    seen = book(clinic_a, other)
    Appointment.objects.filter(pk=seen.pk).update(
        status="fulfilled", start=last_week, end=last_week + datetime.timedelta(minutes=30)
    )

    with pytest.raises(DomainError) as caught:
        add(clinic_a, other, visit_type=new_patient_visit)

    assert (caught.value.code, caught.value.field) == ("patient_kind", "visit_type")
    assert "has been seen here before" in caught.value.message


def test_a_patient_waits_once_per_visit_type(clinic_a, patient_a):
    add(clinic_a, patient_a)
    other = practitioner_create(
        organization=clinic_a.organization, given_name="Li", family_name="Wu"
    )

    with pytest.raises(Conflict) as caught:
        add(clinic_a, patient_a, practitioner=other)

    assert (caught.value.code, caught.value.field) == ("already_waiting", "visit_type")
