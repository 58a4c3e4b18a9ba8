"""Background tasks of the outbox: one-line wrappers around its services."""

from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from carebridge.notifications.services.delivery import outbox_drain, worker_name


@task()
def deliver_due_messages() -> dict[str, int]:
    """Deliver every message that is due now, batch after batch."""
    return outbox_drain(worker=worker_name()).as_dict()


def delivery_task_waiting() -> bool:
    """Whether a delivery task is queued and not started yet: that one will see messages
    written now. (Only the database queue is looked at; with another queue: False.)"""
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=deliver_due_messages.module_path
    ).exists()
