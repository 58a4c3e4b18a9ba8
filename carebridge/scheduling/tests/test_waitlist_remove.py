"""Taking entries off the waitlist."""

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import DomainError
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.waitlist import waitlist_remove, waitlist_update
from carebridge.scheduling.tests.messaging import NOW, book, reachable_patient
from carebridge.scheduling.tests.waitlisting import offer_messages, offers_of, waiting


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


def test_remove_ends_the_offer_held_and_withdraws_its_unsent_message(clinic_a):
    entry = waiting(clinic_a, 1)
    visit = book(clinic_a, reachable_patient(clinic_a.organization, mrn="V-1"))
    appointment_cancel(appointment=visit, actor=None, reason="away")
    offer = offers_of(entry)[0]

    waitlist_remove(entry=entry, actor=None, reason="found a visit elsewhere")

    entry.refresh_from_db()
    offer.refresh_from_db()
    assert (entry.status, entry.closed_at, offer.status) == ("removed", NOW, "expired")
    assert [m.status for m in offer_messages(offer)] == ["withdrawn"]
    assert AuditEntry.objects.filter(
        object_ref=str(entry.public_id), detail="removed: found a visit elsewhere"
    ).exists()


def test_a_removed_entry_cannot_change_and_removing_again_changes_nothing(clinic_a):
    entry = waiting(clinic_a, 1)
    waitlist_remove(entry=entry, actor=None)

    with pytest.raises(DomainError) as caught:
        waitlist_update(entry=entry, actor=None, changes={"note": "again"})
    again = waitlist_remove(entry=entry, actor=None)

    assert caught.value.code == "entry_closed"
    assert again.status == "removed"
    assert AuditEntry.objects.filter(object_ref=str(entry.public_id), action="update").count() == 1
