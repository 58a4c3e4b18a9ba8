import datetime

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import InvalidInput
from carebridge.scheduling.models import ReminderPolicy
from carebridge.scheduling.services.messages import DEFAULT_POLICY, Policy, policy_for
from carebridge.scheduling.services.reminders import reminder_policy_set
from carebridge.scheduling.tests.messaging import book, reachable_patient

DAY = datetime.timedelta(days=1)


def test_setting_again_replaces_the_offsets(org_a, coordinator_a):
    reminder_policy_set(organization=org_a, actor=coordinator_a, offsets=[7 * DAY, DAY])

    policy = reminder_policy_set(
        organization=org_a,
        actor=coordinator_a,
        offsets=[3 * DAY, 3 * DAY, datetime.timedelta(hours=4)],
        quiet_start=datetime.time(20),
    )

    assert ReminderPolicy.objects.filter(organization=org_a).count() == 1
    assert list(policy.offsets.values_list("minutes_before", flat=True)) == [4320, 240]
    assert policy.quiet_start == datetime.time(20)
    entry = AuditEntry.objects.filter(object_type="ReminderPolicy").last()
    assert (entry.actor_id, entry.detail) == (coordinator_a.pk, "offsets (minutes): 4320, 240")


def test_offsets_must_be_positive(org_a):
    with pytest.raises(InvalidInput) as error:
        reminder_policy_set(organization=org_a, actor=None, offsets=[DAY, -DAY])
    assert error.value.field == "offsets"


def test_another_organizations_visit_type_is_refused(org_a, clinic_b):
    with pytest.raises(InvalidInput) as error:
        reminder_policy_set(
            organization=org_a, actor=None, offsets=[DAY], visit_type=clinic_b.visit_type
        )
    assert error.value.field == "visit_type"


def test_without_a_policy_the_defaults_apply(clinic_a, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC), tick=False)
    appointment = book(clinic_a, reachable_patient(clinic_a.organization))

    assert policy_for(appointment) == DEFAULT_POLICY


def test_the_visit_types_policy_replaces_the_clinics_whole(clinic_a, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC), tick=False)
    organization = clinic_a.organization
    reminder_policy_set(organization=organization, actor=None, offsets=[7 * DAY, DAY])
    reminder_policy_set(
        organization=organization,
        actor=None,
        offsets=[DAY, 3 * DAY],
        visit_type=clinic_a.visit_type,
        confirm_on_booking=False,
        quiet_start=datetime.time(22, 30),
        quiet_end=datetime.time(7, 15),
        sms_shows_visit_type=True,
    )
    appointment = book(clinic_a, reachable_patient(organization))

    assert policy_for(appointment) == Policy(
        offsets=(3 * DAY, DAY),
        confirm_on_booking=False,
        quiet_start=datetime.time(22, 30),
        quiet_end=datetime.time(7, 15),
        sms_shows_visit_type=True,
    )
