"""Merging a duplicate patient record into the one kept: visits, waitlist entries, messages
and identifiers move; blanks are filled; the duplicate stays, inactive, pointing at it."""

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import Conflict, InvalidInput, NotFound
from carebridge.notifications.models import OutboundMessage
from carebridge.patients.constants import MERGED_MRN_SYSTEM
from carebridge.patients.models import Patient
from carebridge.patients.services import identifier_add, patient_merge, patient_update
from carebridge.scheduling.models import Appointment, AppointmentHistory
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.tests.messaging import (
    NOW,
    VISIT,
    book,
    messages_about,
    reachable_patient,
    records_to_merge,
    waiting,
)
from carebridge.scheduling.waitlist_models import WaitlistEntry
from carebridge.tests.colleagues import colleague_add


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def pair(clinic_a):
    """The same person registered twice: the kept record has no email and no home phone,
    the duplicate an old mobile number."""
    return records_to_merge(clinic_a.organization)


def test_the_duplicates_visits_messages_and_ids_move_to_the_record_kept(
    clinic_a, pair, coordinator_a
):
    duplicate, keep = pair
    visit = book(clinic_a, duplicate, VISIT)
    identifier_add(patient=duplicate, system="urn:example:ehr", value="E-77")

    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a, reason="same person")

    duplicate.refresh_from_db()
    keep.refresh_from_db()
    visit.refresh_from_db()
    assert (duplicate.active, duplicate.merged_into) == (False, keep)
    assert visit.patient == keep and visit.start == VISIT and visit.version == 2
    entry = AppointmentHistory.objects.filter(appointment=visit, action="merge").get()
    assert [(c.field, c.old_value, c.new_value) for c in entry.changes.all()] == [
        ("patient", "D-1", "K-1")
    ]
    assert set(keep.identifiers.values_list("system", "value")) == {
        ("urn:example:ehr", "E-77"),
        (MERGED_MRN_SYSTEM, "D-1"),
    }
    assert keep.email == "rosa@old.example"  # blank on the kept record: filled
    assert keep.phone_mobile == "+16175550199"  # its own number stays
    assert keep.phone_home == "+16175550144"
    assert not OutboundMessage.objects.filter(patient=duplicate).exists()
    details = AuditEntry.objects.filter(actor=coordinator_a, object_type="Patient")
    assert set(details.values_list("detail", flat=True)) >= {
        "merged D-1 into it (same person)",
        "merged into K-1 (same person)",
    }


def test_a_number_taken_from_the_duplicate_finds_the_kept_record(clinic_a):
    keep = reachable_patient(
        clinic_a.organization, mrn="K-2", phone_mobile="", preferred_channel="email"
    )
    duplicate = reachable_patient(clinic_a.organization, mrn="D-2", phone_mobile="+1 617 555 0166")

    patient_merge(duplicate=duplicate, keep=keep, actor=None)

    keep.refresh_from_db()
    assert (keep.phone_mobile, keep.search_phone) == ("+16175550166", "6175550166")


def test_queued_reminders_go_to_the_kept_records_number(clinic_a, pair, coordinator_a):
    duplicate, keep = pair
    visit = book(clinic_a, duplicate, VISIT)
    assert {m.to_address for m in messages_about(visit, status="pending")} == {"+16175550177"}

    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)

    pending = messages_about(visit, status="pending")
    assert pending and {m.to_address for m in pending} == {"+16175550199"}


def test_two_visits_at_once_refuse_the_merge_and_nothing_changes(clinic_a, pair, coordinator_a):
    duplicate, keep = pair
    book(clinic_a, keep, VISIT)
    other = colleague_add(clinic_a, weekday=VISIT.weekday())
    clash = book(clinic_a, duplicate, VISIT, practitioner=other)

    with pytest.raises(Conflict, match="both records have a visit at Thu 2026-12-10 10:00"):
        patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)

    duplicate.refresh_from_db()
    assert duplicate.active and duplicate.merged_into is None
    assert Appointment.objects.get(pk=clash.pk).patient == duplicate
    appointment_cancel(appointment=clash, actor=None, reason="booked twice")
    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)
    assert Appointment.objects.get(pk=clash.pk).patient_id == keep.pk


def test_waiting_twice_for_the_same_visit_leaves_one_entry(clinic_a, pair, coordinator_a):
    duplicate, keep = pair
    kept_entry, twice = waiting(clinic_a, keep, duplicate)

    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)

    twice.refresh_from_db()
    assert twice.status == "removed" and twice.patient_id == keep.pk
    open_entries = WaitlistEntry.objects.filter(patient=keep, status__in=("waiting", "offered"))
    assert list(open_entries) == [kept_entry]


@pytest.mark.parametrize("problem", ["itself", "already merged", "other clinic"])
def test_impossible_merges_are_refused(clinic_a, clinic_b, pair, problem):
    duplicate, keep = pair
    if problem == "itself":
        duplicate, error = keep, InvalidInput
    elif problem == "already merged":
        third = reachable_patient(clinic_a.organization, mrn="T-1")
        patient_merge(duplicate=duplicate, keep=third, actor=None)
        error = Conflict
    else:
        duplicate, error = reachable_patient(clinic_b.organization, mrn="B-1"), NotFound

    with pytest.raises(error):
        patient_merge(duplicate=duplicate, keep=keep, actor=None)

    assert not Patient.objects.filter(merged_into=keep).exists()


def test_an_inactive_record_cannot_be_booked_until_it_is_reactivated(clinic_a, pair):
    patient = patient_update(patient=pair[0], actor=None, fields={"active": False})

    with pytest.raises(InvalidInput, match="is inactive; reactivate the record") as refused:
        book(clinic_a, patient, VISIT)

    assert refused.value.field == "patient"
    assert not Appointment.objects.exists()
    patient = patient_update(patient=patient, actor=None, fields={"active": True})
    assert book(clinic_a, patient, VISIT).patient == patient


def test_a_merged_record_cannot_be_booked(clinic_a, pair):
    duplicate, keep = pair
    patient_merge(duplicate=duplicate, keep=keep, actor=None)
    duplicate.refresh_from_db()

    with pytest.raises(InvalidInput, match="merged into another") as refused:
        book(clinic_a, duplicate, VISIT)

    assert refused.value.field == "patient"
