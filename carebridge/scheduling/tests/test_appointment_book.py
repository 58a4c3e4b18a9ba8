import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import Conflict, DomainError, InvalidInput, NotFound
from carebridge.directory.services import location_create, practitioner_role_create
from carebridge.patients.services import patient_create
from carebridge.scheduling.constants import ExceptionKind
from carebridge.scheduling.models import Appointment, AppointmentFieldChange, AppointmentHistory
from carebridge.scheduling.services.appointments import appointment_book, appointment_cancel
from carebridge.scheduling.services.setup import (
    availability_rule_create,
    closed_day_create,
)
from carebridge.scheduling.services.time_off import availability_exception_create
from carebridge.scheduling.tests.patient_kinds import new_and_established_visits
from carebridge.tests.colleagues import colleague_add

BOSTON = ZoneInfo("America/New_York")
TUESDAY = datetime.date(2026, 3, 3)
pytestmark = pytest.mark.usefixtures("frozen_monday")


@pytest.fixture
def frozen_monday():
    with time_machine.travel(datetime.datetime(2026, 3, 2, 8, tzinfo=BOSTON), tick=False):
        yield


def at(hour, minute=0, day=TUESDAY):
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BOSTON)


def book(clinic, patient, start, **kwargs):
    return appointment_book(
        organization=clinic.organization,
        actor=kwargs.pop("actor", None),
        patient=patient,
        practitioner=kwargs.pop("practitioner", clinic.practitioner),
        location=kwargs.pop("location", clinic.location),
        visit_type=kwargs.pop("visit_type", clinic.visit_type),
        start=start,
        **kwargs,
    )


def other_patient(clinic, n=1):
    return patient_create(
        organization=clinic.organization,
        actor=None,
        fields={
            "given_name": f"P{n}",
            "family_name": "Other",
            "birth_date": datetime.date(1970, 1, n),
        },
    )


def test_book_stores_utc_with_history_and_audit(clinic_a, patient_a, coordinator_a):
    appointment = book(clinic_a, patient_a, at(10), actor=coordinator_a, notes="First visit")
    assert appointment.start == at(10).astimezone(datetime.UTC)
    assert appointment.end - appointment.start == datetime.timedelta(minutes=30)
    assert appointment.status == "booked" and appointment.version == 1
    history = AppointmentHistory.objects.get(appointment=appointment)
    assert history.action == "book" and history.changed_by == coordinator_a
    assert {change.field for change in history.changes.all()} >= {"status", "start", "end"}
    entry = AuditEntry.objects.get(object_ref=str(appointment.public_id), action="create")
    assert entry.patient_ref == str(patient_a.public_id) and entry.actor == coordinator_a


def test_the_visit_and_its_history_are_one_write_on_postgresql(clinic_a, patient_a):
    with CaptureQueriesContext(connection) as queries:
        appointment = book(clinic_a, patient_a, at(10), notes="Bring the letter")

    tables = [Appointment, AppointmentHistory, AppointmentFieldChange]
    names = [connection.ops.quote_name(model._meta.db_table) for model in tables]
    writes = [q["sql"] for q in queries if any(f"INSERT INTO {n}" in q["sql"] for n in names)]
    assert len(writes) == (1 if connection.vendor == "postgresql" else 3)
    history = AppointmentHistory.objects.get(appointment=appointment)
    assert (history.version, history.action, history.changed_by) == (1, "book", None)
    changes = {change.field: change.new_value for change in history.changes.all()}
    assert changes["notes"] == "Bring the letter"
    assert changes["start"] == at(10).astimezone(datetime.UTC).isoformat()
    assert "overbook_reason" not in changes  # empty, as before


def test_history_says_the_visit_was_booked_when_the_patient_booked_it(clinic_a, patient_a):
    asked = datetime.datetime(2026, 2, 2, 9, tzinfo=BOSTON)

    appointment = book(clinic_a, patient_a, at(10), booked_at=asked)

    assert appointment.booked_at == asked
    history = AppointmentHistory.objects.get(appointment=appointment)
    assert (history.action, history.changed_at) == ("book", asked)


def test_a_booking_made_later_than_now_is_refused(clinic_a, patient_a):
    tomorrow = datetime.datetime(2026, 3, 3, 8, tzinfo=BOSTON)

    with pytest.raises(InvalidInput) as refused:
        book(clinic_a, patient_a, at(10), booked_at=tomorrow)

    assert refused.value.field == "booked_at"
    assert not Appointment.objects.exists()


def test_overlapping_booking_for_the_practitioner_is_a_conflict(clinic_a, patient_a):
    book(clinic_a, patient_a, at(10))
    with pytest.raises(Conflict) as error:
        book(clinic_a, other_patient(clinic_a), at(10, 15))
    assert error.value.code == "slot_taken" and error.value.field == "start"
    assert Appointment.objects.count() == 1


def test_patient_cannot_be_in_two_places(clinic_a, patient_a):
    colleague = colleague_add(clinic_a, weekday=1)
    book(clinic_a, patient_a, at(10))
    with pytest.raises(Conflict) as error:
        book(clinic_a, patient_a, at(10, 15), practitioner=colleague)
    assert error.value.code == "patient_busy"


def test_cancelled_time_can_be_booked_again(clinic_a, patient_a):
    first = book(clinic_a, patient_a, at(10))
    appointment_cancel(
        appointment=first, actor=None, reason="Patient is travelling", cancelled_by="patient"
    )
    second = book(clinic_a, other_patient(clinic_a), at(10))
    assert second.status == "booked"


@pytest.mark.parametrize(
    ("start", "code"),
    [
        (at(12, 15), "outside_availability"),
        (at(16, 45), "outside_availability"),
        (at(10, day=datetime.date(2026, 3, 7)), "outside_availability"),
    ],
)
def test_booking_outside_availability_is_refused(clinic_a, patient_a, start, code):
    with pytest.raises(DomainError) as error:
        book(clinic_a, patient_a, start)
    assert error.value.code == code and error.value.field == "start"
    assert "outside" in error.value.message


def test_overbook_with_reason_is_allowed_and_recorded(clinic_a, patient_a):
    book(clinic_a, patient_a, at(10))
    extra = book(clinic_a, other_patient(clinic_a), at(10), overbook_reason="Urgent, seen by RN")
    assert extra.overbooked and extra.overbook_reason == "Urgent, seen by RN"
    assert AuditEntry.objects.filter(
        object_ref=str(extra.public_id), detail__contains="Urgent"
    ).exists()


def test_overbooking_does_not_put_a_patient_in_two_visits(clinic_a, patient_a):
    book(clinic_a, patient_a, at(10))
    with pytest.raises(Conflict) as error:
        book(clinic_a, patient_a, at(10, 15), overbook_reason="Squeeze in")
    assert error.value.code == "patient_busy"
    assert book(clinic_a, patient_a, at(10, 30), overbook_reason="Back to back").overbooked


def test_past_and_naive_starts_are_invalid(clinic_a, patient_a):
    with pytest.raises(InvalidInput) as error:
        book(clinic_a, patient_a, at(10, day=datetime.date(2026, 2, 27)))
    assert error.value.field == "start" and "past" in error.value.message
    with pytest.raises(InvalidInput):
        book(clinic_a, patient_a, datetime.datetime(2026, 3, 3, 10))


@pytest.mark.parametrize(
    ("day", "allow_past", "message"),
    [
        (datetime.date(9999, 12, 28), False, "start: more than 5 years ahead; check the year"),
        (datetime.date(2031, 3, 4), False, "start: more than 5 years ahead; check the year"),
        (datetime.date(1, 1, 2), True, "start: before 1900; check the year"),
    ],
)
def test_a_start_in_a_mistyped_year_is_invalid(clinic_a, patient_a, day, allow_past, message):
    with pytest.raises(InvalidInput) as error:
        book(clinic_a, patient_a, at(10, day=day), allow_past=allow_past)

    assert error.value.message == message


def test_a_visit_five_years_ahead_can_be_booked(clinic_a, patient_a):
    assert book(clinic_a, patient_a, at(10, day=datetime.date(2031, 2, 25))).pk


def test_references_from_another_organization_are_not_found(
    clinic_a, clinic_b, patient_a, patient_b
):
    with pytest.raises(NotFound) as error:
        book(clinic_a, patient_b, at(10))
    assert error.value.field == "patient"
    with pytest.raises(NotFound) as error:
        book(clinic_a, patient_a, at(10), practitioner=clinic_b.practitioner)
    assert error.value.field == "practitioner"
    assert Appointment.objects.count() == 0


def test_practitioner_must_work_at_the_location(clinic_a, patient_a):
    from carebridge.directory.services import location_create

    elsewhere = location_create(
        organization=clinic_a.organization, name="Annex", timezone="America/New_York"
    )
    with pytest.raises(DomainError) as error:
        book(clinic_a, patient_a, at(10), location=elsewhere)
    assert error.value.code == "not_at_location"


def test_an_inactive_role_at_the_location_does_not_count(clinic_a, patient_a):
    from carebridge.directory.models import PractitionerRole

    PractitionerRole.objects.filter(practitioner=clinic_a.practitioner).update(active=False)

    with pytest.raises(DomainError) as error:
        book(clinic_a, patient_a, at(10))
    assert error.value.code == "not_at_location"


def _visit_type_for_cardiology(clinic, *more_specialties):
    """A visit type that cardiologists (which the clinic's practitioner is not) may see,
    and the practitioners of `more_specialties`."""
    from carebridge.directory.services import specialty_ensure
    from carebridge.scheduling.services.setup import visit_type_create

    cardio = specialty_ensure(organization=clinic.organization, code="cardio", name="Cardiology")
    return visit_type_create(
        organization=clinic.organization,
        name="Echo",
        code="echo",
        duration_minutes=30,
        allowed_specialties=[cardio, *more_specialties],
    )


def test_a_visit_type_for_a_specialty_the_practitioner_has_is_booked(clinic_a, patient_a):
    either = _visit_type_for_cardiology(clinic_a, clinic_a.specialty)

    assert book(clinic_a, patient_a, at(10), visit_type=either).visit_type == either


def test_visit_type_specialty_rule(clinic_a, patient_a):
    echo = _visit_type_for_cardiology(clinic_a)
    with pytest.raises(DomainError) as error:
        book(clinic_a, patient_a, at(10), visit_type=echo)
    assert error.value.code == "specialty_mismatch"


def test_new_and_established_patient_visit_types(clinic_a, patient_a):
    from carebridge.scheduling.services.appointments import appointment_transition

    new_visit, established = new_and_established_visits(clinic_a)
    with pytest.raises(DomainError) as error:
        book(clinic_a, patient_a, at(10), visit_type=established)
    assert error.value.code == "patient_kind" and "has not been seen" in error.value.message
    first = book(clinic_a, patient_a, at(10), visit_type=new_visit)
    with time_machine.travel(at(10, 45), tick=False):
        appointment_transition(appointment=first, actor=None, status="fulfilled")
        with pytest.raises(DomainError) as error:
            book(clinic_a, patient_a, at(14), visit_type=new_visit)
        assert "has been seen here before" in error.value.message
        assert book(clinic_a, patient_a, at(14), visit_type=established).status == "booked"


def test_location_opening_hours_limit_the_bookable_time(clinic_a, patient_a):
    from carebridge.directory.models import OpeningHours

    OpeningHours.objects.create(
        location=clinic_a.location, weekday=1, opens=datetime.time(10), closes=datetime.time(15)
    )
    with pytest.raises(DomainError) as error:
        book(clinic_a, patient_a, at(9))
    assert error.value.code == "outside_availability"
    assert book(clinic_a, patient_a, at(10)).status == "booked"


def test_closed_days_time_off_extra_hours_and_rule_dates_decide_booking(clinic_a, patient_a):
    """Each source of free time, at this location and at another, as a booking sees it."""
    organization, practitioner = clinic_a.organization, clinic_a.practitioner
    elsewhere = location_create(organization=organization, name="Annex", timezone=BOSTON.key)
    practitioner_role_create(practitioner=practitioner, location=elsewhere)
    wednesday, thursday, friday = (datetime.date(2026, 3, d) for d in (4, 5, 6))
    saturday, next_tuesday = datetime.date(2026, 3, 7), datetime.date(2026, 3, 10)
    closed_day_create(organization=organization, date=TUESDAY, reason="Inventory")
    closed_day_create(organization=organization, date=wednesday, reason="Move", location=elsewhere)
    availability_exception_create(
        practitioner=practitioner,
        kind=ExceptionKind.UNAVAILABLE,
        start=at(9, day=thursday),
        end=at(11, day=thursday),
        reason="Training",
    )
    availability_exception_create(
        practitioner=practitioner,
        kind=ExceptionKind.UNAVAILABLE,
        start=at(9, day=friday),
        end=at(11, day=friday),
        location=elsewhere,
        reason="Annex shift",
    )
    for location in (clinic_a.location, elsewhere):
        availability_exception_create(
            practitioner=practitioner,
            kind=ExceptionKind.EXTRA_HOURS,
            location=location,
            start=at(9 if location == clinic_a.location else 11, day=saturday),
            end=at(10 if location == clinic_a.location else 12, day=saturday),
            reason="Flu clinic",
        )
    availability_rule_create(
        practitioner=practitioner,
        location=clinic_a.location,
        weekday=1,
        start_time=datetime.time(18),
        end_time=datetime.time(19),
        effective_from=next_tuesday,
        effective_until=next_tuesday,
    )
    refused = [
        at(10),  # the whole clinic is closed
        at(10, day=thursday),  # time off everywhere
        at(11, day=saturday),  # extra hours at the other location only
        at(18, day=datetime.date(2026, 3, 17)),  # after the evening rule ended
    ]
    for start in refused:
        with pytest.raises(DomainError) as error:
            book(clinic_a, patient_a, start)
        assert error.value.code == "outside_availability", start
    allowed = [
        at(10, day=wednesday),  # only the other location is closed
        at(11, day=thursday),  # time off has ended
        at(9, day=friday),  # time off at the other location only
        at(9, day=saturday),  # extra hours here
        at(18, day=next_tuesday),  # the evening rule's one day
    ]
    for number, start in enumerate(allowed, start=1):
        assert book(clinic_a, other_patient(clinic_a, number), start).status == "booked"
