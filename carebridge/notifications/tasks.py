"""Background tasks of the outbox: one-line wrappers around its services."""

from django_tasks import task

from carebridge.notifications.services.delivery import outbox_drain, worker_name


@task()
def deliver_due_messages() -> dict[str, int]:
    """Deliver every message that is due now, batch after batch."""
    return outbox_drain(worker=worker_name()).as_dict()
