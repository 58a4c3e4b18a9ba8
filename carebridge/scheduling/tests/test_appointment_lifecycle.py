import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from carebridge.core.errors import DomainError, InvalidInput, StaleVersion
from carebridge.scheduling.selectors import appointment_history
from carebridge.scheduling.services.appointments import (
    TRACKED_FIELDS,
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
    appointment_transition,
    appointment_update_notes,
)
from carebridge.scheduling.tests.messaging import (
    NOW,
    VISIT,
    book,
    messages_about,
    reachable_patient,
)

BOSTON = ZoneInfo("America/New_York")


def at(day, hour, minute=0):
    return datetime.datetime(2026, 3, day, hour, minute, tzinfo=BOSTON)


@pytest.fixture
def appointment(clinic_a, patient_a):
    with time_machine.travel(at(2, 8), tick=False):
        return appointment_book(
            organization=clinic_a.organization,
            actor=None,
            patient=patient_a,
            practitioner=clinic_a.practitioner,
            location=clinic_a.location,
            visit_type=clinic_a.visit_type,
            start=at(3, 10),
        )


def test_visit_day_path_arrived_checked_in_fulfilled(appointment, coordinator_a):
    with time_machine.travel(at(3, 9, 50), tick=False):
        for status in ("arrived", "checked-in"):
            appointment = appointment_transition(
                appointment=appointment, actor=coordinator_a, status=status
            )
    with time_machine.travel(at(3, 10, 40), tick=False):
        appointment = appointment_transition(
            appointment=appointment, actor=coordinator_a, status="fulfilled"
        )
    assert appointment.status == "fulfilled" and appointment.version == 4
    assert [h.action for h in appointment_history(appointment=appointment)] == [
        "book",
        "arrived",
        "checked-in",
        "fulfilled",
    ]


@pytest.mark.parametrize(
    ("now", "status"),
    [
        (at(2, 9), "arrived"),
        (at(2, 23, 59), "checked-in"),
        (at(3, 9, 59), "noshow"),
        (at(3, 9, 59), "fulfilled"),
    ],
)
def test_too_early_transitions_are_refused(appointment, now, status):
    with time_machine.travel(now, tick=False), pytest.raises(DomainError) as error:
        appointment_transition(appointment=appointment, actor=None, status=status)
    assert error.value.code == "too_early"


def test_illegal_transition_names_both_statuses(appointment):
    with time_machine.travel(at(3, 11), tick=False):
        appointment_transition(appointment=appointment, actor=None, status="noshow")
        with pytest.raises(DomainError) as error:
            appointment_transition(appointment=appointment, actor=None, status="fulfilled")
    assert error.value.code == "illegal_transition"
    assert "noshow" in error.value.message and "fulfilled" in error.value.message


def test_cancel_needs_a_reason_and_records_who(appointment):
    with pytest.raises(InvalidInput) as error:
        appointment_cancel(appointment=appointment, actor=None, reason="  ")
    assert error.value.field == "reason"
    cancelled = appointment_cancel(
        appointment=appointment, actor=None, reason="Feeling better", cancelled_by="patient"
    )
    assert (cancelled.status, cancelled.cancelled_by) == ("cancelled", "patient")


def test_reschedule_moves_and_keeps_the_old_values(appointment, coordinator_a):
    with time_machine.travel(at(2, 8), tick=False):
        moved = appointment_reschedule(
            appointment=appointment, actor=coordinator_a, start=at(4, 14), reason="Patient asked"
        )
    assert moved.start == at(4, 14) and moved.version == 2
    last = appointment_history(appointment=moved)[-1]
    start_change = next(c for c in last.changes.all() if c.field == "start")
    assert start_change.old_value.startswith("2026-03-03T15:00")
    assert start_change.new_value.startswith("2026-03-04T19:00")
    assert last.reason == "Patient asked"


def test_stale_version_is_refused_and_changes_nothing(appointment):
    with time_machine.travel(at(2, 8), tick=False):
        appointment_update_notes(
            appointment=appointment, actor=None, notes="Bring records", expected_version=1
        )
        with pytest.raises(StaleVersion):
            appointment_reschedule(
                appointment=appointment, actor=None, start=at(4, 14), expected_version=1
            )
    appointment.refresh_from_db()
    assert appointment.start == at(3, 10) and appointment.version == 2


def test_each_change_keeps_exactly_the_fields_it_changed_in_order(appointment, coordinator_a):
    with time_machine.travel(at(2, 8), tick=False):
        moved = appointment_reschedule(
            appointment=appointment, actor=coordinator_a, start=at(4, 14)
        )
        appointment_cancel(appointment=moved, actor=coordinator_a, reason="Flu, 'quoted'")

    entries = appointment_history(appointment=appointment)
    recorded = [
        (entry.action, [(c.field, c.old_value, c.new_value) for c in entry.changes.order_by("pk")])
        for entry in entries
    ]
    assert [action for action, _ in recorded] == ["book", "reschedule", "cancel"]
    booked = [field for field, *_ in recorded[0][1]]
    # what the booking set; its empty notes and reasons are no change from nothing
    assert booked == ["status", "start", "end", "practitioner_id", "location_id"]
    assert booked == [field for field in TRACKED_FIELDS if field in booked]
    assert [field for field, *_ in recorded[1][1]] == ["start", "end"]
    assert recorded[2][1] == [
        ("status", "booked", "cancelled"),
        ("cancellation_reason", "", "Flu, 'quoted'"),
        ("cancelled_by", "", "clinic"),
    ]
    assert all(entry.changed_by == coordinator_a for entry in entries[1:])


def test_reschedule_to_where_the_visit_already_is_changes_nothing(clinic_a, coordinator_a):
    with time_machine.travel(NOW, tick=False):
        appointment = book(clinic_a, reachable_patient(clinic_a.organization))
        queued = len(messages_about(appointment))

        same = appointment_reschedule(
            appointment=appointment,
            actor=coordinator_a,
            start=VISIT.astimezone(datetime.UTC),
            practitioner=clinic_a.practitioner,
            location=clinic_a.location,
        )

    same.refresh_from_db()
    assert (same.start, same.version) == (VISIT, 1)
    assert [h.action for h in appointment_history(appointment=same)] == ["book"]
    assert len(messages_about(same)) == queued > 0


def test_reschedule_in_place_with_a_stale_version_is_refused(appointment):
    with time_machine.travel(at(2, 8), tick=False), pytest.raises(StaleVersion):
        appointment_reschedule(
            appointment=appointment, actor=None, start=at(3, 10), expected_version=7
        )


@pytest.mark.parametrize(("status", "reason"), [("arrived", ""), ("cancelled", "Feeling better")])
def test_a_stale_version_is_reported_before_a_step_the_current_status_refuses(
    appointment, status, reason
):
    with time_machine.travel(at(3, 9, 50), tick=False):
        # given someone else marked the patient arrived (version 2)
        appointment_transition(appointment=appointment, actor=None, status="arrived")
        # when a page still showing version 1 asks to arrive or cancel, which arrived refuses
        with pytest.raises(StaleVersion):
            appointment_transition(
                appointment=appointment,
                actor=None,
                status=status,
                expected_version=1,
                reason=reason,
            )
    appointment.refresh_from_db()
    assert (appointment.status, appointment.version) == ("arrived", 2)
