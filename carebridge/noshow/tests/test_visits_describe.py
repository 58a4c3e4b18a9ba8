import datetime

import pytest
import time_machine

from carebridge.noshow.features import age_band, visits_describe
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.services.delivery import outbox_deliver_due
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.tests.messaging import sweep

from .conftest import at, visit

pytestmark = pytest.mark.django_db


def describe(clinic, **filters):
    return visits_describe(
        organization=clinic.organization, appointments=Appointment.objects.filter(**filters)
    )


def test_history_counts_only_what_was_known_at_booking(clinic_a, patient_a):
    # given: a no-show and a kept visit early in March, a late and an early cancellation
    visit(clinic_a, patient_a, at(2, 9), booked_at=at(1, 10), outcome="noshow")
    visit(clinic_a, patient_a, at(3, 9), booked_at=at(1, 10), outcome="fulfilled")
    visit(clinic_a, patient_a, at(4, 9), booked_at=at(1, 10), cancel_at=at(3, 20))
    visit(clinic_a, patient_a, at(5, 9), booked_at=at(1, 10), cancel_at=at(1, 12))
    # a no-show after the visit below was booked is not known when it was booked
    visit(clinic_a, patient_a, at(10, 9), booked_at=at(1, 10), outcome="noshow")
    target = visit(clinic_a, patient_a, at(20, 14, 30), booked_at=at(6, 12))

    # when
    [described] = describe(clinic_a, pk=target.pk)

    # then
    assert described.inputs["prior_noshows"] == 1
    assert described.inputs["prior_kept"] == 1
    assert described.inputs["new_patient"] == 0
    assert described.inputs["prior_late_cancels"] == 1
    # 14 days and 2.5 hours on the wall clock, one hour less in real time (DST on 8 March)
    assert described.inputs["lead_days"] == pytest.approx(14 + 1.5 / 24)


def test_time_of_day_is_on_the_location_clock(clinic_a, patient_a):
    # 9 March 2026 is the Monday after the US switch to summer time.
    target = visit(clinic_a, patient_a, at(9, 9, 15), booked_at=at(2, 8))

    [described] = describe(clinic_a, pk=target.pk)

    assert (described.inputs["weekday"], described.inputs["hour"]) == ("Mon", "9")
    assert described.inputs["visit_type"] == "follow-up"
    assert described.inputs["new_patient"] == 1
    assert described.inputs["unconfirmed"] == 1


def test_groups_for_fairness_are_reported_but_not_inputs(clinic_a, patient_a):
    target = visit(clinic_a, patient_a, at(9, 10), booked_at=at(2, 8))

    [described] = describe(clinic_a, pk=target.pk)

    assert (described.language, described.age_band, described.payer_group) == (
        "es",
        "35-49",
        "unknown",
    )
    assert not {"language", "age", "payer_group"} & set(described.inputs)


@pytest.mark.parametrize(
    ("born", "band"),
    [
        ((2008, 3, 10), "0-17"),
        ((2008, 3, 9), "18-34"),
        ((1961, 3, 9), "65+"),
        ((1800, 1, 1), "65+"),  # the last band has no end: a long-past birth date still fits
        ((2026, 3, 10), "0-17"),  # born after the visit (corrected later)
    ],
)
def test_age_band_turns_on_the_birthday(born, band):
    assert age_band(datetime.date(*born), datetime.date(2026, 3, 9)) == band


def test_other_organizations_appointments_are_not_described(clinic_a, clinic_b, patient_b):
    visit(clinic_b, patient_b, at(9, 10), booked_at=at(2, 8))

    assert describe(clinic_a) == []


def test_a_few_queries_for_any_number_of_appointments(
    clinic_a, patient_a, django_assert_num_queries
):
    for day in (2, 3, 4, 5, 6, 9, 10):
        visit(clinic_a, patient_a, at(day, 11), booked_at=at(1, 8), outcome="fulfilled")

    with django_assert_num_queries(3):
        described = describe(clinic_a)

    assert [v.inputs["prior_kept"] for v in described] == [0] * 7


def test_reminders_count_when_delivered_before_the_visit(clinic_a, texting_patient, sms_outbox):
    # given: the default reminders 7 days, 2 days and 2 hours before, each queued by the
    # scheduler's sweep a day before it is due
    target = visit(clinic_a, texting_patient, at(20, 14), booked_at=at(2, 9))
    for day, hour in ((12, 15), (17, 15), (19, 13)):
        sweep(at(day, hour))

    # when: the worker delivers what is due by the 19th, then the visit's inputs are read
    with time_machine.travel(at(19, 13), tick=False):
        outbox_deliver_due(worker="test")
    [described] = describe(clinic_a, pk=target.pk)

    # then: two reminders were delivered; the one two hours before is still waiting
    assert described.inputs["reminders_sent"] == 2
    reminders = OutboundMessage.objects.filter(kind="reminder", topic_id=str(target.public_id))
    assert sorted(reminders.values_list("status", flat=True)) == ["pending", "sent", "sent"]
