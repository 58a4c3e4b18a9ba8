import datetime

from carebridge.audit.models import AuditEntry
from carebridge.scheduling.models import ReminderOffset, ReminderPolicy
from carebridge.scheduling.services.reminders import (
    reminder_policy_override_delete,
    reminder_policy_set,
)

DAY = datetime.timedelta(days=1)


def test_removing_an_override_leaves_the_organizations_policy(clinic_a, coordinator_a):
    org, visit_type = clinic_a.organization, clinic_a.visit_type
    own = reminder_policy_set(organization=org, actor=None, offsets=[2 * DAY])
    override = reminder_policy_set(
        organization=org, actor=None, offsets=[DAY], visit_type=visit_type
    )

    assert reminder_policy_override_delete(
        organization=org, actor=coordinator_a, visit_type=visit_type
    )

    assert list(ReminderPolicy.objects.all()) == [own]
    assert not ReminderOffset.objects.filter(policy_id=override.pk).exists()
    entry = AuditEntry.objects.filter(object_type="ReminderPolicy").last()
    assert (entry.action, entry.actor_id, entry.object_ref) == (
        "delete",
        coordinator_a.pk,
        str(override.public_id),
    )


def test_without_an_override_nothing_happens(clinic_a, clinic_b):
    theirs = reminder_policy_set(
        organization=clinic_b.organization,
        actor=None,
        offsets=[DAY],
        visit_type=clinic_b.visit_type,
    )

    assert not reminder_policy_override_delete(
        organization=clinic_a.organization, actor=None, visit_type=clinic_a.visit_type
    )
    assert not reminder_policy_override_delete(
        organization=clinic_a.organization, actor=None, visit_type=clinic_b.visit_type
    )
    assert list(ReminderPolicy.objects.all()) == [theirs]
    assert not AuditEntry.objects.filter(object_type="ReminderPolicy", action="delete").exists()
