"""Background tasks of the outbox (one-line wrappers around its services), and the look for
a delivery task that is waiting."""

import functools

from django.db import connection
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from carebridge.core.db import quoted_column
from carebridge.notifications.services.delivery import outbox_drain, worker_name


@task()
def deliver_due_messages() -> dict[str, int]:
    """Deliver every message that is due now, batch after batch."""
    return outbox_drain(worker=worker_name()).as_dict()


def delivery_task_waiting() -> bool:
    """Whether a delivery task is queued and not started yet: that one will see messages
    written now. (Only the database queue is looked at; with another queue: False.)

    Written out: every booking asks after it commits, and building the ORM's query cost
    more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(
            _waiting_sql(), [TaskResultStatus.READY.value, deliver_due_messages.module_path]
        )
        return cursor.fetchone() is not None


@functools.cache
def _waiting_sql() -> str:
    meta = DBTaskResult._meta
    return (
        f"SELECT 1 FROM {connection.ops.quote_name(meta.db_table)}"  # noqa: S608
        f" WHERE {quoted_column(meta, 'status')} = %s"
        f" AND {quoted_column(meta, 'task_path')} = %s LIMIT 1"
    )
