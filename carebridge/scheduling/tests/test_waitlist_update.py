"""Changing a waitlist entry's preferences, priority or note."""

import datetime

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import InvalidInput
from carebridge.scheduling.services.waitlist import waitlist_update
from carebridge.scheduling.tests.messaging import NOW
from carebridge.scheduling.tests.waitlisting import waiting


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_update_changes_the_given_fields_and_audits_their_names(clinic_a):
    entry = waiting(clinic_a, 1, note="old")

    waitlist_update(
        entry=entry,
        actor=None,
        changes={"priority": "high", "time_from": datetime.time(8), "time_to": datetime.time(9)},
    )

    entry.refresh_from_db()
    assert (entry.priority, entry.time_from, entry.note) == ("high", datetime.time(8), "old")
    audit = AuditEntry.objects.filter(object_ref=str(entry.public_id), action="update").get()
    assert audit.detail == "changed: priority, time_from, time_to"


def test_update_refuses_fields_it_does_not_edit_and_broken_values(clinic_a):
    entry = waiting(clinic_a, 1)

    with pytest.raises(InvalidInput) as unknown:
        waitlist_update(entry=entry, actor=None, changes={"status": "booked"})
    with pytest.raises(InvalidInput) as broken:
        waitlist_update(entry=entry, actor=None, changes={"weekdays": [9]})

    assert (unknown.value.field, broken.value.field) == ("status", "weekdays")


def test_an_entry_whose_latest_date_passed_can_still_change_other_fields(clinic_a, time_machine):
    entry = waiting(clinic_a, 1, latest_date=datetime.date(2026, 12, 1))
    time_machine.move_to(NOW + datetime.timedelta(days=5), tick=False)

    waitlist_update(entry=entry, actor=None, changes={"note": "call first"})
    with pytest.raises(InvalidInput) as caught:
        waitlist_update(
            entry=entry, actor=None, changes={"latest_date": datetime.date(2026, 12, 2)}
        )

    assert caught.value.field == "latest_date"
