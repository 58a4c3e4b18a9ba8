"""Background work of scheduling: one-line wrappers around services."""

from dataclasses import asdict

from django_tasks import task

from carebridge.core.queue import task_waiting
from carebridge.scheduling.services.backfill import backfill_advance
from carebridge.scheduling.services.reminders import reminders_queue_due_all
from carebridge.scheduling.waitlist_selectors import backfill_work_due

# How often the scheduler looks for waitlist offers to end and slots to offer again.
BACKFILL_EVERY_SECONDS = 60
# How often the scheduler queues the reminders that came within a day of being due: far
# more often than that day, so a missed run or two costs nothing.
REMINDER_SWEEP_EVERY_SECONDS = 15 * 60


@task()
def advance_backfill() -> dict[str, int]:
    """End offers whose hold ran out, offer their slots to the next patients, expire slots
    about to start and entries past their latest date."""
    return asdict(backfill_advance())


def advance_backfill_when_due() -> bool:
    """The scheduler's check: enqueue the job when a slot needs it, unless one already
    waits to run (it will see the slot)."""
    if task_waiting(advance_backfill) or not backfill_work_due():
        return False
    advance_backfill.enqueue()
    return True


@task()
def queue_due_reminders() -> int:
    """Queue the reminders that came within a day of being due; return how many."""
    return reminders_queue_due_all()


def queue_due_reminders_when_due() -> bool:
    """The scheduler's check: enqueue the sweep unless one already waits to run."""
    if task_waiting(queue_due_reminders):
        return False
    queue_due_reminders.enqueue()
    return True
