"""message_enqueue writes the outbox row in the caller's transaction and asks for delivery
once that transaction commits."""

import datetime

import pytest
from django.db import transaction
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from carebridge.audit.models import AuditEntry
from carebridge.core.errors import InvalidInput
from carebridge.notifications.constants import MessageStatus
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.tasks import deliver_due_messages
from carebridge.notifications.tests.conftest import TOPIC_TYPE, ago, enqueue, visit_topic

pytestmark = pytest.mark.django_db


def delivery_tasks() -> int:
    return DBTaskResult.objects.filter(task_path=deliver_due_messages.module_path).count()


def test_writes_a_pending_row_with_its_own_key_due_now(org_a, patient_a):
    message = enqueue(org_a, patient=patient_a, topic=visit_topic("a1", "s1"))

    assert message.status == MessageStatus.PENDING
    assert len(message.idempotency_key) == 32
    assert message.next_attempt_at == message.due_at
    assert (message.topic_type, message.topic_id, message.topic_stamp) == (TOPIC_TYPE, "a1", "s1")
    assert message.to_address == patient_a.phone_mobile


def test_every_message_gets_a_different_key(org_a):
    assert enqueue(org_a).idempotency_key != enqueue(org_a).idempotency_key


def test_a_message_for_a_patient_is_audited(org_a, patient_a):
    message = enqueue(org_a, patient=patient_a)

    entry = AuditEntry.objects.get(object_type="OutboundMessage")
    assert entry.object_ref == str(message.public_id)
    assert entry.patient_ref == str(patient_a.public_id)


def test_delivery_is_asked_for_once_per_transaction_after_commit(
    org_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        enqueue(org_a)
        enqueue(org_a)
        assert delivery_tasks() == 0

    assert len(callbacks) == 1
    assert delivery_tasks() == 1


@pytest.mark.django_db(transaction=True)
def test_no_second_task_while_one_waits_to_run(org_a):
    enqueue(org_a)  # each commits on its own: no surrounding transaction here
    enqueue(org_a)
    assert delivery_tasks() == 1  # the waiting task takes the second message too

    DBTaskResult.objects.update(status=TaskResultStatus.SUCCESSFUL)
    enqueue(org_a)
    assert delivery_tasks() == 2


def test_a_future_message_waits_for_the_scheduler(org_a, django_capture_on_commit_callbacks):
    future = ago(days=-2)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        message = enqueue(org_a, due_at=future)

    assert callbacks == []
    assert message.next_attempt_at == future


def test_a_rolled_back_transaction_leaves_no_message_and_no_task(
    org_a, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        enqueue(org_a)
        raise RuntimeError("the booking failed after the message was written")

    assert callbacks == []
    assert not OutboundMessage.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [("kind", "poem"), ("channel", "fax"), ("calendar_method", "PUBLISH"), ("body_text", " ")],
)
def test_refuses_what_cannot_be_delivered(org_a, field, value):
    with pytest.raises(InvalidInput) as raised:
        enqueue(org_a, **{field: value})

    assert raised.value.field == field


def test_refuses_another_organizations_patient(org_a, patient_b):
    with pytest.raises(InvalidInput) as raised:
        enqueue(org_a, patient=patient_b, to_address="+16175550100")

    assert raised.value.field == "patient"


def test_keeps_the_due_time_it_was_given(org_a):
    due = datetime.datetime(2030, 1, 2, 15, tzinfo=datetime.UTC)
    assert enqueue(org_a, due_at=due).due_at == due


@pytest.mark.parametrize(
    ("calendar", "method"), [("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", ""), ("", "REQUEST")]
)
def test_a_calendar_and_its_method_come_together(org_a, calendar, method):
    with pytest.raises(InvalidInput) as raised:
        enqueue(org_a, calendar=calendar, calendar_method=method)

    assert raised.value.field == "calendar_method"
