"""The periodic jobs the scheduler runs. Add a job here: a name, how often, what to call
(a quick check that enqueues a task, or a short idempotent service)."""

from __future__ import annotations

from django.core.management import call_command

from carebridge.jobs.scheduler import Job
from carebridge.noshow.tasks import (
    CATCH_UP_EVERY_SECONDS,
    catch_up_noshow_outreach_when_due,
    refresh_noshow_outreach,
)
from carebridge.notifications.selectors import outbox_has_due
from carebridge.notifications.tasks import deliver_due_messages, delivery_task_waiting
from carebridge.scheduling.tasks import (
    BACKFILL_EVERY_SECONDS,
    REMINDER_SWEEP_EVERY_SECONDS,
    advance_backfill_when_due,
    queue_due_reminders_when_due,
)

DELIVERY_EVERY_SECONDS = 15
NOSHOW_EVERY_SECONDS = 24 * 3600
PRUNE_EVERY_SECONDS = 24 * 3600
# Finished task results are kept this long for looking into, then deleted: a booking
# enqueues one delivery task, so the table would otherwise grow without end.
TASK_RESULTS_KEPT_DAYS = 7


def deliver_due_messages_when_due() -> bool:
    """Enqueue delivery when messages have come due since the last look (reminders planned
    for now, retries whose wait is over, rows a dead worker held), unless a delivery task
    is already waiting to run: that one will see them. Returns whether it enqueued."""
    if delivery_task_waiting() or not outbox_has_due():
        return False
    deliver_due_messages.enqueue()
    return True


def prune_task_results() -> None:
    call_command(
        "prune_db_task_results", "--min-age-days", str(TASK_RESULTS_KEPT_DAYS), verbosity=0
    )


JOBS = (
    Job("deliver-due-messages", DELIVERY_EVERY_SECONDS, deliver_due_messages_when_due),
    # Reminders are queued a day before they are due (see scheduling.services.reminders).
    Job("queue-due-reminders", REMINDER_SWEEP_EVERY_SECONDS, queue_due_reminders_when_due),
    # Daily: rescore the visits ahead and queue extra reminders for the high risks.
    Job("noshow-outreach", NOSHOW_EVERY_SECONDS, refresh_noshow_outreach.enqueue),
    # Within a minute: score visits booked, moved or confirmed since the last scoring.
    Job("noshow-catch-up", CATCH_UP_EVERY_SECONDS, catch_up_noshow_outreach_when_due),
    # Waitlist offers whose hold ran out cascade to the next patients.
    Job("waitlist-backfill", BACKFILL_EVERY_SECONDS, advance_backfill_when_due),
    Job("prune-task-results", PRUNE_EVERY_SECONDS, prune_task_results),
)
