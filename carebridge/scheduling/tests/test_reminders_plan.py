import dataclasses
import datetime
from zoneinfo import ZoneInfo

import pytest

from carebridge.scheduling.services.messages import DEFAULT_POLICY, patient_channels
from carebridge.scheduling.services.reminders import reminders_plan
from carebridge.scheduling.tests.messaging import NOW, VISIT, book, reachable_patient

LOS_ANGELES = ZoneInfo("America/Los_Angeles")
TWO_HOURS = dataclasses.replace(DEFAULT_POLICY, offsets=(datetime.timedelta(hours=2),))


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_quiet_hours_follow_the_patients_own_zone(clinic_a):
    # the visit is at 10:00 in Boston, 07:00 where the patient lives: 2 hours before is
    # 05:00 there, and their quiet hours end after the visit, so it goes the evening before
    patient = reachable_patient(clinic_a.organization, timezone="America/Los_Angeles")
    appointment = book(clinic_a, patient)

    (reminder,) = reminders_plan(appointment=appointment, policy=TWO_HOURS, horizon=None)

    assert reminder.due_at.astimezone(LOS_ANGELES) == datetime.datetime(
        2026, 12, 9, 20, 45, tzinfo=LOS_ANGELES
    )


def test_reminders_are_planned_within_the_horizon_only(clinic_a, time_machine):
    appointment = book(clinic_a, reachable_patient(clinic_a.organization))

    assert reminders_plan(appointment=appointment, policy=TWO_HOURS) == []
    time_machine.move_to(VISIT - datetime.timedelta(hours=26, seconds=1), tick=False)
    assert reminders_plan(appointment=appointment, policy=TWO_HOURS) == []
    time_machine.move_to(VISIT - datetime.timedelta(hours=26), tick=False)
    (reminder,) = reminders_plan(appointment=appointment, policy=TWO_HOURS)
    assert reminder.due_at == VISIT - datetime.timedelta(hours=2)


def test_without_a_zone_the_locations_applies(clinic_a):
    appointment = book(clinic_a, reachable_patient(clinic_a.organization))

    (reminder,) = reminders_plan(appointment=appointment, policy=TWO_HOURS, horizon=None)

    assert reminder.due_at == VISIT - datetime.timedelta(hours=2)


@pytest.mark.parametrize(
    ("preferred", "consent_sms", "consent_email", "expected"),
    [
        ("sms", True, True, ["sms", "email"]),
        ("email", True, True, ["email", "sms"]),
        ("phone", True, True, ["sms", "email"]),
        ("email", True, False, ["sms"]),
        ("none", True, True, []),
    ],
)
def test_channels_follow_preference_then_fall_back(
    org_a, preferred, consent_sms, consent_email, expected
):
    patient = reachable_patient(
        org_a,
        preferred_channel=preferred,
        consent_sms=consent_sms,
        consent_email=consent_email,
    )

    assert patient_channels(patient) == expected


def test_a_channel_without_an_address_is_skipped(org_a):
    patient = reachable_patient(org_a, email="", preferred_channel="email")

    assert patient_channels(patient) == ["sms"]
