import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from carebridge.core.errors import InvalidInput
from carebridge.scheduling.availability import slot_search
from carebridge.scheduling.constants import ExceptionKind
from carebridge.scheduling.services.appointments import appointment_book, appointment_cancel
from carebridge.scheduling.services.setup import (
    closed_day_create,
    visit_type_create,
)
from carebridge.scheduling.services.time_off import availability_exception_create
from carebridge.tests.colleagues import colleague_add

BOSTON = ZoneInfo("America/New_York")


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=BOSTON)


def search(clinic, day, end=None, **kwargs):
    return slot_search(
        organization=clinic.organization,
        visit_type=kwargs.pop("visit_type", clinic.visit_type),
        start_date=day,
        end_date=end or day,
        **kwargs,
    )


def procedure(clinic, **buffers):
    """A 30-minute visit type with the given buffers."""
    return visit_type_create(
        organization=clinic.organization,
        name="Procedure",
        code="procedure",
        duration_minutes=30,
        **buffers,
    )


def book_at(clinic, patient, start, visit_type=None, **kwargs):
    return appointment_book(
        organization=clinic.organization,
        actor=None,
        patient=patient,
        practitioner=clinic.practitioner,
        location=clinic.location,
        visit_type=visit_type or clinic.visit_type,
        start=start,
        **kwargs,
    )


@time_machine.travel(datetime.datetime(2026, 3, 2, 6, tzinfo=BOSTON), tick=False)
def test_working_day_offers_every_half_hour_grid_slot_outside_the_break(clinic_a):
    # given a Tuesday with 09-17 hours and a 12-13 break, and a 30-minute visit type
    slots = search(clinic_a, datetime.date(2026, 3, 3), limit=1000)
    # then slots start every 15 minutes from 09:00 to 16:30, none overlapping the break
    starts = [slot.start.astimezone(BOSTON).strftime("%H:%M") for slot in slots]
    assert starts[0] == "09:00" and starts[-1] == "16:30"
    assert "11:30" in starts and "11:45" not in starts and "12:00" not in starts
    assert "13:00" in starts
    assert len(starts) == 11 + 15


@time_machine.travel(datetime.datetime(2026, 3, 2, 6, tzinfo=BOSTON), tick=False)
def test_booked_time_and_buffers_are_not_offered(clinic_a, patient_a):
    day = datetime.date(2026, 3, 3)
    buffered = procedure(clinic_a, buffer_before_minutes=15, buffer_after_minutes=15)
    book_at(clinic_a, patient_a, local(day, 10), visit_type=buffered)
    starts = {
        s.start.astimezone(BOSTON).strftime("%H:%M") for s in search(clinic_a, day, limit=1000)
    }
    # the procedure blocks 09:45-10:45, so a 30-minute follow-up fits at 09:15 and 10:45
    assert {"09:00", "09:15", "10:45", "11:00"} <= starts
    assert not {"09:30", "09:45", "10:00", "10:15", "10:30"} & starts


@time_machine.travel(datetime.datetime(2026, 3, 2, 6, tzinfo=BOSTON), tick=False)
def test_a_late_slot_whose_buffer_reaches_a_visit_after_midnight_is_not_offered(
    clinic_a, patient_a
):
    tuesday, wednesday = datetime.date(2026, 3, 3), datetime.date(2026, 3, 4)
    availability_exception_create(
        practitioner=clinic_a.practitioner,
        location=clinic_a.location,
        kind=ExceptionKind.EXTRA_HOURS,
        start=local(tuesday, 22),
        end=local(wednesday, 0),
    )
    buffered = procedure(clinic_a, buffer_after_minutes=15)
    book_at(clinic_a, patient_a, local(wednesday, 0, 10), overbook_reason="Night clinic")
    starts = {
        s.start.astimezone(BOSTON).strftime("%H:%M")
        for s in search(clinic_a, tuesday, visit_type=buffered, limit=1000)
    }
    # a 23:30 procedure and its buffer run to 00:15, into the 00:10 visit
    assert "23:15" in starts and "23:30" not in starts


@time_machine.travel(datetime.datetime(2026, 3, 2, 6, tzinfo=BOSTON), tick=False)
def test_a_visit_type_offers_only_practitioners_of_the_specialties_it_allows(clinic_a):
    from carebridge.directory.services import (
        practitioner_create,
        practitioner_role_create,
        specialty_ensure,
    )
    from carebridge.scheduling.services.setup import availability_rule_create

    organization = clinic_a.organization
    cardio = specialty_ensure(organization=organization, code="cardio", name="Cardiology")
    sports = specialty_ensure(organization=organization, code="sports", name="Sports medicine")
    cardiologist = practitioner_create(
        organization=organization,
        given_name="Kim",
        family_name="Park",
        specialties=[cardio, sports],
    )
    practitioner_role_create(practitioner=cardiologist, location=clinic_a.location)
    availability_rule_create(
        practitioner=cardiologist,
        location=clinic_a.location,
        weekday=1,
        start_time=datetime.time(9),
        end_time=datetime.time(10),
    )
    echo = visit_type_create(
        organization=organization,
        name="Echo",
        code="echo",
        duration_minutes=30,
        allowed_specialties=[cardio, sports],
    )
    tuesday = datetime.date(2026, 3, 3)

    def offered(visit_type):
        slots = search(clinic_a, tuesday, visit_type=visit_type, limit=1000)
        return {slot.practitioner_id for slot in slots}, len(slots)

    # the echo is only for the cardiologist, who holds both allowed specialties: each of
    # the three starts from 09:00 to 09:30 is offered once
    assert offered(echo) == ({cardiologist.pk}, 3)
    # a follow-up allows any specialty: both practitioners
    assert offered(clinic_a.visit_type)[0] == {cardiologist.pk, clinic_a.practitioner.pk}


@time_machine.travel(datetime.datetime(2026, 3, 2, 6, tzinfo=BOSTON), tick=False)
def test_time_off_closed_days_and_extra_hours(clinic_a):
    practitioner, location = clinic_a.practitioner, clinic_a.location
    tuesday, wednesday, saturday = (datetime.date(2026, 3, d) for d in (3, 4, 7))
    availability_exception_create(
        practitioner=practitioner,
        kind=ExceptionKind.UNAVAILABLE,
        start=local(tuesday, 0),
        end=local(tuesday, 23, 59),
        reason="Vacation",
    )
    closed_day_create(organization=clinic_a.organization, date=wednesday, reason="Inventory")
    availability_exception_create(
        practitioner=practitioner,
        kind=ExceptionKind.EXTRA_HOURS,
        location=location,
        start=local(saturday, 9),
        end=local(saturday, 10),
        reason="Flu clinic",
    )
    slots = search(clinic_a, tuesday, datetime.date(2026, 3, 8), limit=1000)
    days = {slot.start.astimezone(BOSTON).date() for slot in slots}
    assert tuesday not in days and wednesday not in days
    saturday_starts = [
        s.start.astimezone(BOSTON).strftime("%H:%M")
        for s in slots
        if s.start.astimezone(BOSTON).date() == saturday
    ]
    assert saturday_starts == ["09:00", "09:15", "09:30"]


@time_machine.travel(datetime.datetime(2026, 4, 1, 6, tzinfo=BOSTON), tick=False)
def test_public_holidays_of_the_location_country_and_region_are_closed(clinic_a):
    # Patriots' Day (20 April 2026) is a Massachusetts holiday; Thanksgiving a national one
    april = {
        s.start.astimezone(BOSTON).date()
        for s in search(
            clinic_a, datetime.date(2026, 4, 17), datetime.date(2026, 4, 21), limit=1000
        )
    }
    assert april == {datetime.date(2026, 4, 17), datetime.date(2026, 4, 21)}
    assert search(clinic_a, datetime.date(2026, 11, 26)) == []


def test_holidays_follow_the_region(clinic_a):
    from carebridge.directory.services import location_create
    from carebridge.scheduling.holidays import public_holiday

    texas = location_create(
        organization=clinic_a.organization,
        name="Austin",
        timezone="America/Chicago",
        country="US",
        state="TX",
    )
    assert public_holiday(clinic_a.location, datetime.date(2026, 4, 20)) == "Patriots' Day"
    assert public_holiday(texas, datetime.date(2026, 4, 20)) is None


@pytest.mark.parametrize(
    ("day", "hours"), [(datetime.date(2026, 3, 9), -4), (datetime.date(2026, 11, 2), -5)]
)
def test_slots_keep_wall_clock_hours_across_dst(clinic_a, day, hours):
    # the Mondays after the March and November changes in America/New_York
    with time_machine.travel(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), tick=False):
        slots = search(clinic_a, day, limit=1)
    assert slots[0].start.astimezone(BOSTON).hour == 9
    assert slots[0].start.utcoffset() == datetime.timedelta(0)
    assert slots[0].start.astimezone(BOSTON).utcoffset() == datetime.timedelta(hours=hours)


@pytest.mark.parametrize(
    ("day", "missing"),
    [
        (datetime.date(2026, 3, 8), {"02:00", "02:15", "02:30", "02:45"}),
        (datetime.date(2026, 11, 1), {"01:00", "01:15", "01:30", "01:45"}),
    ],
)
def test_skipped_and_repeated_wall_times_are_never_offered(clinic_a, day, missing):
    with time_machine.travel(datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC), tick=False):
        # given overnight extra hours on the Sunday of each DST change, recorded beforehand
        availability_exception_create(
            practitioner=clinic_a.practitioner,
            kind=ExceptionKind.EXTRA_HOURS,
            location=clinic_a.location,
            start=local(day, 0),
            end=local(day, 5),
            reason="Night clinic",
        )
        slots = search(clinic_a, day, limit=1000)
    labels = [s.start.astimezone(BOSTON).strftime("%H:%M") for s in slots]
    assert not missing & set(labels)
    assert len(labels) == len(set(labels))
    assert "00:00" in labels and "03:00" in labels


@time_machine.travel(datetime.datetime(2026, 3, 3, 10, 5, tzinfo=BOSTON), tick=False)
def test_no_slot_in_the_past(clinic_a):
    slots = search(clinic_a, datetime.date(2026, 3, 3), limit=1)
    assert slots[0].start.astimezone(BOSTON).strftime("%H:%M") == "10:15"


@time_machine.travel(datetime.datetime(2026, 3, 2, 6, tzinfo=BOSTON), tick=False)
def test_first_available_across_practitioners_is_deterministic(clinic_a, db):
    second = colleague_add(
        clinic_a, weekday=1, hours=(8, 10), given_name="Bo", family_name="Li", languages=("zh",)
    )
    first = search(clinic_a, datetime.date(2026, 3, 2), datetime.date(2026, 5, 30), limit=3)
    assert [
        (s.practitioner_id, s.start.astimezone(BOSTON).strftime("%a %H:%M")) for s in first
    ] == [
        (clinic_a.practitioner.pk, "Mon 09:00"),
        (clinic_a.practitioner.pk, "Mon 09:15"),
        (clinic_a.practitioner.pk, "Mon 09:30"),
    ]
    tuesday = search(clinic_a, datetime.date(2026, 3, 3), limit=2)
    assert [s.practitioner_id for s in tuesday] == [second.pk, second.pk]
    assert (
        search(clinic_a, datetime.date(2026, 3, 3), language="zh", limit=1)[0].practitioner_id
        == second.pk
    )


@time_machine.travel(datetime.datetime(2026, 3, 2, 6, tzinfo=BOSTON), tick=False)
def test_for_a_patient_only_times_free_of_their_other_visits(clinic_a, patient_a):
    # given the patient booked with the clinic's practitioner on Tuesday 10:00-10:30, and
    # another practitioner free all Tuesday morning
    day = datetime.date(2026, 3, 3)
    visit = book_at(clinic_a, patient_a, local(day, 10))
    second = colleague_add(clinic_a, weekday=1, hours=(9, 12))

    def starts(**kwargs):
        found = search(clinic_a, day, practitioner_ids=[second.pk], limit=1000, **kwargs)
        return {slot.start.astimezone(BOSTON).strftime("%H:%M") for slot in found}

    # then the other practitioner's 10:00 is free in general, but not for this patient
    assert {"09:30", "09:45", "10:00", "10:15", "10:30"} <= starts()
    for_patient = starts(patient_id=patient_a.pk)
    assert {"09:30", "10:30"} <= for_patient
    assert not {"09:45", "10:00", "10:15"} & for_patient
    # and moving that very visit may overlap its own time
    assert "10:00" in starts(patient_id=patient_a.pk, except_appointment_id=visit.pk)
    # a cancelled visit no longer holds the patient
    appointment_cancel(appointment=visit, actor=None, reason="patient called")
    assert "10:00" in starts(patient_id=patient_a.pk)


def test_bad_ranges_name_the_field(clinic_a):
    with pytest.raises(InvalidInput) as error:
        search(clinic_a, datetime.date(2026, 3, 3), datetime.date(2026, 3, 1))
    assert error.value.field == "end_date"
