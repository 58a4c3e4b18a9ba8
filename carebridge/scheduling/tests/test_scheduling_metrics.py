import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from carebridge.core.errors import InvalidInput
from carebridge.scheduling.constants import AppointmentStatus, CancelledBy, ConfirmationChannel
from carebridge.scheduling.metrics import Grouping, scheduling_metrics, waitlist_metrics
from carebridge.scheduling.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_transition,
)
from carebridge.scheduling.services.confirmations import appointment_confirm
from carebridge.scheduling.tests.waitlisting import freed_slot

BOSTON = ZoneInfo("America/New_York")
WEEK = (datetime.date(2026, 11, 2), datetime.date(2026, 11, 8))
# Mon-Fri 09:00-17:00 less the 12:00-13:00 break, in a week without public holidays.
BOOKABLE_MINUTES_OF_THE_WEEK = 5 * 7 * 60


def boston(day: int, hour: int) -> datetime.datetime:
    return datetime.datetime(2026, 11, day, hour, tzinfo=BOSTON)


def _book(clinic, patient, start):
    return appointment_book(
        organization=clinic.organization,
        actor=None,
        patient=patient,
        practitioner=clinic.practitioner,
        location=clinic.location,
        visit_type=clinic.visit_type,
        start=start,
    )


@pytest.fixture
def week_of_visits(clinic_a, patient_a):
    """Five visits booked on 20 October: two kept, one no-show, one cancelled late by the
    patient, one cancelled early by the clinic; the first two confirmed."""
    with time_machine.travel(datetime.datetime(2026, 10, 20, 14, tzinfo=datetime.UTC), tick=False):
        kept, missed, late, dropped, kept_too = (
            _book(clinic_a, patient_a, start)
            for start in [boston(2, 9), boston(2, 10), boston(3, 9), boston(3, 10), boston(4, 9)]
        )
    with time_machine.travel(datetime.datetime(2026, 10, 25, 10, tzinfo=BOSTON), tick=False):
        for visit in (kept, missed):
            appointment_confirm(appointment=visit, via=ConfirmationChannel.SMS)
    with time_machine.travel(datetime.datetime(2026, 10, 30, 10, tzinfo=BOSTON), tick=False):
        appointment_cancel(
            appointment=dropped, actor=None, reason="practitioner away", cancelled_by="clinic"
        )
    with time_machine.travel(boston(3, 7), tick=False):
        appointment_cancel(
            appointment=late, actor=None, reason="feels better", cancelled_by=CancelledBy.PATIENT
        )
    with time_machine.travel(boston(20, 8), tick=False):
        for visit, status in [
            (kept, AppointmentStatus.FULFILLED),
            (missed, AppointmentStatus.NOSHOW),
            (kept_too, AppointmentStatus.FULFILLED),
        ]:
            appointment_transition(appointment=visit, actor=None, status=status)


def test_a_week_of_visits_gives_each_rate(clinic_a, week_of_visits):
    week, total = scheduling_metrics(
        organization=clinic_a.organization, start_date=WEEK[0], end_date=WEEK[1]
    )
    assert week.label == "Week of 2026-11-02"
    assert (week.scheduled, week.kept, week.noshows) == (5, 2, 1)
    assert week.noshow_rate == pytest.approx(1 / 3)
    assert week.late_cancellation_rate == pytest.approx(1 / 5)
    assert (week.confirmed, week.confirmable) == (2, 4)
    # Booked 20 October 14:00 UTC; the visits start 13, 13.04, 14, 14.04 and 15 days later.
    assert week.median_lead_days == pytest.approx(14.0)
    assert week.booked_minutes == 3 * 30
    assert week.bookable_minutes == BOOKABLE_MINUTES_OF_THE_WEEK
    assert week.utilization == pytest.approx(90 / BOOKABLE_MINUTES_OF_THE_WEEK)
    assert (total.label, total.scheduled, total.noshows) == ("All", 5, 1)


def test_grouping_by_practitioner_names_them(clinic_a, week_of_visits):
    practitioner, _ = scheduling_metrics(
        organization=clinic_a.organization,
        start_date=WEEK[0],
        end_date=WEEK[1],
        group_by=Grouping.PRACTITIONER,
    )
    assert practitioner.label == "Dr. Ana Okafor"
    assert practitioner.scheduled == 5


def test_visit_types_have_no_utilization(clinic_a, week_of_visits):
    visit_type, total = scheduling_metrics(
        organization=clinic_a.organization,
        start_date=WEEK[0],
        end_date=WEEK[1],
        group_by=Grouping.VISIT_TYPE,
    )
    assert visit_type.label == "Follow-up"
    assert visit_type.utilization is None and total.utilization is None


def test_another_clinics_visits_do_not_count(clinic_a, clinic_b, patient_b, week_of_visits):
    with time_machine.travel(datetime.datetime(2026, 10, 20, 14, tzinfo=datetime.UTC), tick=False):
        _book(clinic_b, patient_b, boston(2, 11))
    week, _ = scheduling_metrics(
        organization=clinic_a.organization, start_date=WEEK[0], end_date=WEEK[1]
    )
    assert week.scheduled == 5


def test_an_idle_week_shows_zero_use(clinic_a):
    week, total = scheduling_metrics(
        organization=clinic_a.organization, start_date=WEEK[0], end_date=WEEK[1]
    )
    assert (week.scheduled, week.utilization, week.noshow_rate) == (0, 0.0, None)
    assert total.bookable_minutes == BOOKABLE_MINUTES_OF_THE_WEEK


def test_an_unknown_grouping_names_the_field(clinic_a):
    with pytest.raises(InvalidInput) as error:
        scheduling_metrics(
            organization=clinic_a.organization,
            start_date=WEEK[0],
            end_date=WEEK[1],
            group_by="colour",
        )
    assert error.value.field == "group_by"


def test_waitlist_fill_is_grouped_by_the_week_a_slot_was_freed(clinic_a):
    monday = datetime.datetime(2026, 11, 2, 10, tzinfo=BOSTON)
    freed_slot(clinic_a, monday, "filled", 20)
    freed_slot(clinic_a, monday + datetime.timedelta(days=1), "expired")
    freed_slot(clinic_a, monday + datetime.timedelta(days=7), "filled", 60)
    first, second, total = waitlist_metrics(
        organization=clinic_a.organization,
        start_date=WEEK[0],
        end_date=datetime.date(2026, 11, 15),
    )
    assert first[0] == "Week of 2026-11-02"
    assert (first[1].filled, first[1].expired, first[1].fill_rate) == (1, 1, 0.5)
    assert (second[0], second[1].median_minutes_to_fill) == ("Week of 2026-11-09", 60)
    assert (total[0], total[1].freed, total[1].median_minutes_to_fill) == ("All", 3, 40)
