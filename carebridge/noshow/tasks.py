"""Background work: one-line wrappers around services, enqueued with ids only."""

from django_tasks import task

from carebridge.core.queue import task_waiting
from carebridge.noshow.selectors import visits_scored_out_of_date
from carebridge.noshow.services import (
    REFRESH_DAYS,
    noshow_outreach_catch_up_all,
    noshow_outreach_refresh_all,
)

# How often the scheduler looks for visits booked, moved or confirmed since they were scored.
CATCH_UP_EVERY_SECONDS = 60


@task()
def refresh_noshow_outreach() -> int:
    return noshow_outreach_refresh_all()


@task()
def catch_up_noshow_outreach() -> int:
    return noshow_outreach_catch_up_all()


def catch_up_noshow_outreach_when_due() -> bool:
    """The scheduler's check: enqueue the catch-up when a visit ahead needs a score, unless
    one already waits to run (it will see the visit)."""
    if task_waiting(catch_up_noshow_outreach):
        return False
    if not visits_scored_out_of_date(days=REFRESH_DAYS).exists():
        return False
    catch_up_noshow_outreach.enqueue()
    return True
