"""Undoing a merge of two records that turn out to be two people: what the merge moved goes
back to the duplicate, with the messages about it; what it filled is blank again; the
duplicate stands on its own."""

import datetime
import re

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import Conflict
from carebridge.notifications.models import OutboundMessage
from carebridge.patients.constants import MERGED_MRN_SYSTEM
from carebridge.patients.models import Patient, PatientMerge
from carebridge.patients.services import (
    identifier_add,
    patient_merge,
    patient_unmerge,
    patient_update,
)
from carebridge.scheduling.models import AppointmentHistory
from carebridge.scheduling.services.appointments import appointment_reschedule
from carebridge.scheduling.tests.messaging import (
    NOW,
    VISIT,
    book,
    messages_about,
    reachable_patient,
    records_to_merge,
    waiting,
)

LATER = VISIT + datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def pair(clinic_a):
    """Two people taken for one: the kept record has no email and no home phone."""
    return records_to_merge(clinic_a.organization)


def reread(*rows):
    for row in rows:
        row.refresh_from_db()


def test_undoing_gives_the_duplicate_back_what_was_its_own(clinic_a, pair, coordinator_a):
    duplicate, keep = pair
    visit = book(clinic_a, duplicate, VISIT)
    identifier_add(patient=duplicate, system="urn:example:ehr", value="E-77")
    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a, reason="same person")
    keeps_own = book(clinic_a, keep, LATER)

    patient_unmerge(duplicate=duplicate, actor=coordinator_a, reason="twins")

    reread(duplicate, keep, visit, keeps_own)
    assert (duplicate.active, duplicate.merged_into) == (True, None)
    assert visit.patient == duplicate and visit.version == 3
    assert keeps_own.patient == keep
    entry = AppointmentHistory.objects.get(appointment=visit, action="unmerge")
    assert entry.changed_by == coordinator_a
    assert [(c.field, c.old_value, c.new_value) for c in entry.changes.all()] == [
        ("patient", "K-1", "D-1")
    ]
    assert list(duplicate.identifiers.values_list("system", "value")) == [
        ("urn:example:ehr", "E-77")
    ]
    assert not keep.identifiers.exists()
    assert (keep.email, keep.phone_home) == ("", "")  # filled by the merge: blank again
    assert keep.phone_mobile == "+16175550199"
    merge = PatientMerge.objects.get(duplicate=duplicate)
    assert (merge.undone_by, merge.undo_reason) == (coordinator_a, "twins")
    assert merge.undone_at is not None
    details = AuditEntry.objects.filter(actor=coordinator_a, object_type="Patient")
    assert set(details.values_list("detail", flat=True)) >= {
        "undid the merge of D-1 (twins)",
        "merge into K-1 undone (twins)",
    }


def test_a_value_changed_since_the_merge_stays(clinic_a, pair, coordinator_a):
    duplicate, keep = pair
    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)
    keep.refresh_from_db()
    patient_update(patient=keep, actor=coordinator_a, fields={"email": "k@new.example"})

    patient_unmerge(duplicate=duplicate, actor=coordinator_a)

    keep.refresh_from_db()
    assert (keep.email, keep.phone_home, keep.search_phone) == (
        "k@new.example",
        "",
        "6175550199",
    )


def test_an_inactive_duplicate_comes_back_inactive(clinic_a, pair, coordinator_a):
    duplicate, keep = pair
    patient_update(patient=duplicate, actor=None, fields={"active": False})
    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)

    patient_unmerge(duplicate=duplicate, actor=coordinator_a)

    duplicate.refresh_from_db()
    assert (duplicate.active, duplicate.merged_into) == (False, None)


def test_queued_reminders_go_back_to_the_duplicates_number(clinic_a, pair, coordinator_a):
    duplicate, keep = pair
    visit = book(clinic_a, duplicate, VISIT)
    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)
    assert {m.to_address for m in messages_about(visit, status="pending")} == {"+16175550199"}

    patient_unmerge(duplicate=duplicate, actor=coordinator_a)

    pending = messages_about(visit, status="pending")
    assert pending and {m.to_address for m in pending} == {"+16175550177"}
    assert {m.patient_id for m in messages_about(visit)} == {duplicate.pk}


def test_messages_about_the_duplicates_visit_written_since_go_back(clinic_a, pair, coordinator_a):
    duplicate, keep = pair
    visit = book(clinic_a, duplicate, VISIT)
    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)
    visit.refresh_from_db()
    before = {m.pk for m in messages_about(visit)}
    appointment_reschedule(appointment=visit, actor=coordinator_a, start=LATER)
    written_since = [m for m in messages_about(visit) if m.pk not in before]
    assert written_since and {m.patient_id for m in written_since} == {keep.pk}

    patient_unmerge(duplicate=duplicate, actor=coordinator_a)

    assert not OutboundMessage.objects.filter(patient=keep, topic_id=str(visit.public_id)).exists()


def test_waitlist_entries_go_back(clinic_a, pair, coordinator_a):
    duplicate, keep = pair
    (entry,) = waiting(clinic_a, duplicate)
    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)
    entry.refresh_from_db()
    assert entry.patient_id == keep.pk

    patient_unmerge(duplicate=duplicate, actor=coordinator_a)

    entry.refresh_from_db()
    assert (entry.patient_id, entry.status) == (duplicate.pk, "waiting")


def test_an_entry_the_merge_closed_is_back_on_the_list_in_its_place(clinic_a, pair, coordinator_a):
    duplicate, keep = pair
    kept_entry, closed = waiting(clinic_a, keep, duplicate)
    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)
    closed.refresh_from_db()
    assert closed.status == "removed"

    patient_unmerge(duplicate=duplicate, actor=coordinator_a)

    reread(closed, kept_entry)
    assert (closed.patient_id, closed.status, closed.closed_at) == (duplicate.pk, "waiting", None)
    assert (kept_entry.patient_id, kept_entry.status) == (keep.pk, "waiting")
    details = AuditEntry.objects.filter(object_ref=str(closed.public_id))
    assert "back on the list: merge into K-1 undone" in details.values_list("detail", flat=True)


def test_a_record_can_be_merged_again_after_an_undo(clinic_a, pair, coordinator_a):
    duplicate, keep = pair
    visit = book(clinic_a, duplicate, VISIT)
    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)
    patient_unmerge(duplicate=duplicate, actor=coordinator_a)

    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)

    reread(duplicate, visit)
    assert duplicate.merged_into == keep and visit.patient_id == keep.pk
    assert PatientMerge.objects.filter(duplicate=duplicate).count() == 2
    assert keep.identifiers.filter(system=MERGED_MRN_SYSTEM, value="D-1").exists()


@pytest.mark.parametrize(
    ("problem", "field", "message"),
    [
        ("not merged", "duplicate", "Rosa Diaz (D-1) is not merged into another record"),
        ("undone already", "duplicate", "Rosa Diaz (D-1) is not merged into another record"),
        ("kept merged since", "keep", "Rosa Diaz (K-1) has since been merged into another"),
        ("merged unrecorded", "duplicate", "was merged before merges were recorded"),
    ],
)
def test_impossible_undos_are_refused_and_change_nothing(
    clinic_a, pair, coordinator_a, problem, field, message
):
    duplicate, keep = pair
    if problem == "undone already":
        patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)
        patient_unmerge(duplicate=duplicate, actor=coordinator_a)
    elif problem == "kept merged since":
        patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)
        third = reachable_patient(clinic_a.organization, mrn="T-1")
        patient_merge(duplicate=keep, keep=third, actor=coordinator_a)
    elif problem == "merged unrecorded":
        Patient.objects.filter(pk=duplicate.pk).update(merged_into=keep, active=False)
    duplicate.refresh_from_db()
    before = Patient.objects.get(pk=duplicate.pk).merged_into_id

    with pytest.raises(Conflict, match=re.escape(message)) as refused:
        patient_unmerge(duplicate=duplicate, actor=coordinator_a)

    assert refused.value.field == field
    assert Patient.objects.get(pk=duplicate.pk).merged_into_id == before
