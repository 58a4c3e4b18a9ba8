"""Reminder policies are read once per revision of the clinic's messaging settings, and
every way of changing them gives it a new revision."""

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.accounts.models import Organization
from carebridge.scheduling.models import ReminderOffset, ReminderPolicy
from carebridge.scheduling.services.messages import DEFAULT_POLICY, policy_for
from carebridge.scheduling.services.reminders import (
    reminder_policy_override_delete,
    reminder_policy_set,
)
from carebridge.scheduling.tests.messaging import VISIT, book, reachable_patient

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


def revision(organization) -> int:
    return Organization.objects.get(pk=organization.pk).messaging_revision


def policy_reads(queries) -> int:
    table = connection.ops.quote_name(ReminderPolicy._meta.db_table)
    return sum(f"FROM {table}" in query["sql"] for query in queries)


def test_each_kind_of_write_renews_the_revision_even_past_the_services(org_a, clinic_b):
    seen = [revision(org_a)]
    policy = ReminderPolicy.objects.create(organization=org_a)
    seen.append(revision(org_a))
    offset = ReminderOffset.objects.create(policy=policy, minutes_before=60)
    seen.append(revision(org_a))
    ReminderOffset.objects.filter(pk=offset.pk).update(minutes_before=90)
    seen.append(revision(org_a))
    ReminderPolicy.objects.filter(pk=policy.pk).update(confirm_on_booking=False)
    seen.append(revision(org_a))
    policy.delete()  # with its offset
    seen.append(revision(org_a))

    assert len(set(seen)) == len(seen)  # every step gave a new one
    assert revision(clinic_b.organization) == 0  # another clinic's is not touched


def test_bookings_read_the_policy_once_until_it_changes(clinic_a, time_machine):
    time_machine.move_to(datetime.datetime(2026, 11, 30, 12, tzinfo=datetime.UTC), tick=False)
    organization = clinic_a.organization
    with CaptureQueriesContext(connection) as queries:
        first = book(clinic_a, reachable_patient(organization, mrn="M-1"))
        second = book(clinic_a, reachable_patient(organization, mrn="M-2"), VISIT + HOUR)
    assert policy_reads(queries) == 1
    assert policy_for(first) == policy_for(second) == DEFAULT_POLICY

    reminder_policy_set(organization=organization, actor=None, offsets=[3 * DAY])
    assert organization.messaging_revision == revision(organization)  # this copy knows
    third = book(
        clinic_a, reachable_patient(organization, mrn="M-3"), VISIT + 3 * HOUR
    )  # after the lunch break
    assert policy_for(third).offsets == (3 * DAY,)

    reminder_policy_set(
        organization=organization, actor=None, offsets=[DAY], visit_type=clinic_a.visit_type
    )
    assert policy_for(third).offsets == (DAY,)
    reminder_policy_override_delete(
        organization=organization, actor=None, visit_type=clinic_a.visit_type
    )
    assert policy_for(third).offsets == (3 * DAY,)
