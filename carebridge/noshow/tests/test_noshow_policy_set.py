import pytest

from carebridge.core.errors import InvalidInput
from carebridge.noshow.models import NoShowPolicy
from carebridge.noshow.selectors import noshow_policy
from carebridge.noshow.services import noshow_policy_set

pytestmark = pytest.mark.django_db
VALID = {
    "medium_from": 0.2,
    "high_from": 0.4,
    "overbook_cap": 2,
    "call_days": 3,
    "extra_reminder_hours": 48,
}


def test_creates_then_changes_the_one_policy(org_a, org_b):
    noshow_policy_set(organization=org_a, **VALID)
    noshow_policy_set(organization=org_a, **(VALID | {"call_days": 5}))

    policy = noshow_policy(organization=org_a)
    assert (policy.medium_from, policy.high_from, policy.call_days) == (0.2, 0.4, 5)
    assert NoShowPolicy.objects.count() == 1
    assert noshow_policy(organization=org_b).pk is None  # the other clinic keeps defaults


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"medium_from": 0.5}, "high_from"),
        ({"high_from": 1.0}, "high_from"),
        ({"medium_from": 0.0}, "high_from"),
        ({"overbook_cap": 11}, "overbook_cap"),
        ({"call_days": 0}, "call_days"),
        ({"extra_reminder_hours": -1}, "extra_reminder_hours"),
    ],
)
def test_out_of_range_values_are_named(org_a, change, field):
    with pytest.raises(InvalidInput) as error:
        noshow_policy_set(organization=org_a, **(VALID | change))

    assert error.value.field == field
    assert not NoShowPolicy.objects.exists()
