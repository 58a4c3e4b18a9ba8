"""The message and reply searches behind the JSON API and FHIR: scoped to the clinic,
newest first, every patient's message shown audited, order keys unaudited."""

import datetime

import pytest

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import NotFound
from carebridge.fhir_api.tests.messages import queued, reply
from carebridge.notifications.message_search import (
    InboundQuery,
    MessageQuery,
    access_inbound,
    inbound_order_keys,
    inbound_search,
    message_order_keys,
    message_search,
    messages_shown,
)
from carebridge.notifications.tests.conftest import enqueue

NOW = datetime.datetime(2030, 6, 10, 12, 0, tzinfo=datetime.UTC)
HOUR = datetime.timedelta(hours=1)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)


def query_entries() -> int:
    return AuditEntry.objects.filter(action="query").count()


def test_newest_due_first_and_only_the_clinics_own(org_a, org_b, patient_a, coordinator_a):
    later = queued(org_a, patient=patient_a, due_at=NOW + HOUR)
    earlier = queued(org_a, patient=patient_a, due_at=NOW - HOUR)
    enqueue(org_b)

    found, total = message_search(
        organization=org_a, actor=coordinator_a, query=MessageQuery(), with_total=True
    )

    assert (found, total) == ([later, earlier], 2)


def test_shown_messages_about_a_patient_are_audited(org_a, patient_a, coordinator_a):
    ours = queued(org_a, patient=patient_a)
    enqueue(org_a)  # to a number, about nobody

    message_search(organization=org_a, actor=coordinator_a, query=MessageQuery())

    audited = AuditEntry.objects.filter(action="query", object_type="OutboundMessage")
    assert list(audited.values_list("object_ref", "patient_ref")) == [
        (str(ours.public_id), str(patient_a.public_id))
    ]


def test_order_keys_are_not_audited_and_loading_them_is(org_a, patient_a, coordinator_a):
    message = queued(org_a, patient=patient_a)
    before = query_entries()

    keys, total = message_order_keys(organization=org_a, query=MessageQuery(), limit=10)
    unaudited = query_entries()
    shown = messages_shown(organization=org_a, actor=coordinator_a, keys=[pk for _, pk in keys])

    assert (keys, total) == ([(message.due_at, message.pk)], 1)
    assert unaudited == before
    assert shown == {message.pk: message}
    assert query_entries() == before + 1


def test_replies_by_attention_and_clinic(org_a, org_b, patient_a, coordinator_a, coordinator_b):
    unclear = reply(patient_a, "is there parking?")

    ours, _ = inbound_search(
        organization=org_a, actor=coordinator_a, query=InboundQuery(needs_attention=True)
    )
    settled, _ = inbound_search(
        organization=org_a, actor=coordinator_a, query=InboundQuery(needs_attention=False)
    )
    theirs, _ = inbound_order_keys(organization=org_b, query=InboundQuery(), limit=10)

    assert (ours, settled, theirs) == ([unclear], [], [])
    with pytest.raises(NotFound):
        access_inbound(organization=org_b, actor=coordinator_b, public_id=unclear.public_id)
    assert AuditEntry.objects.filter(
        organization=org_b, object_ref=str(unclear.public_id), outcome="denied"
    ).exists()
