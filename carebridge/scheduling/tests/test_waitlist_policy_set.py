"""A clinic's waitlist policy: batch size, hold time and minimum lead."""

import datetime

import pytest

from carebridge.core.errors import InvalidInput
from carebridge.scheduling.models import WaitlistPolicy
from carebridge.scheduling.services.backfill import backfill_rules
from carebridge.scheduling.services.waitlist import waitlist_policy_set


def test_without_a_policy_the_defaults_apply(org_a):
    rules = backfill_rules(org_a.pk)

    assert (rules.batch_size, rules.hold, rules.min_lead) == (
        3,
        datetime.timedelta(minutes=30),
        datetime.timedelta(minutes=60),
    )


def test_setting_twice_keeps_one_row_with_the_latest_values(org_a, org_b, coordinator_a):
    waitlist_policy_set(
        organization=org_a, actor=coordinator_a, batch_size=2, hold_minutes=20, min_lead_minutes=0
    )
    waitlist_policy_set(
        organization=org_a, actor=coordinator_a, batch_size=5, hold_minutes=15, min_lead_minutes=90
    )

    assert WaitlistPolicy.objects.filter(organization=org_a).count() == 1
    rules = backfill_rules(org_a.pk)
    assert (rules.batch_size, rules.hold, rules.min_lead) == (
        5,
        datetime.timedelta(minutes=15),
        datetime.timedelta(minutes=90),
    )
    assert backfill_rules(org_b.pk).batch_size == 3


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"batch_size": 0}, "batch_size"),
        ({"batch_size": 21}, "batch_size"),
        ({"hold_minutes": 4}, "hold_minutes"),
        ({"min_lead_minutes": -1}, "min_lead_minutes"),
        ({"min_lead_minutes": 7 * 24 * 60 + 1}, "min_lead_minutes"),
    ],
)
def test_out_of_range_values_name_the_field(org_a, values, field):
    good = {"batch_size": 3, "hold_minutes": 30, "min_lead_minutes": 60}

    with pytest.raises(InvalidInput) as caught:
        waitlist_policy_set(organization=org_a, actor=None, **(good | values))

    assert caught.value.field == field
    assert not WaitlistPolicy.objects.exists()
