"""The daily pruning job deletes finished task results older than a week, nothing else."""

import datetime

import pytest
import time_machine
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from carebridge.jobs.periodic import TASK_RESULTS_KEPT_DAYS, prune_task_results
from carebridge.notifications.tasks import deliver_due_messages

pytestmark = pytest.mark.django_db(transaction=True)
NOW = datetime.datetime(2026, 3, 2, 14, tzinfo=datetime.UTC)


def finished_task(at: datetime.datetime) -> str:
    with time_machine.travel(at, tick=False):
        result = deliver_due_messages.enqueue()
        call_command("worker", "--batch", "--interval", "0", "--no-startup-delay", verbosity=0)
    return result.id


def test_deletes_finished_results_older_than_a_week_only():
    old = finished_task(NOW - datetime.timedelta(days=TASK_RESULTS_KEPT_DAYS + 1))
    recent = finished_task(NOW - datetime.timedelta(days=1))
    with time_machine.travel(NOW, tick=False):
        waiting = deliver_due_messages.enqueue().id

        prune_task_results()

    remaining = {str(pk) for pk in DBTaskResult.objects.values_list("id", flat=True)}
    assert remaining == {str(recent), str(waiting)}
    assert str(old) not in remaining
