"""The scheduler's look into the database task queue, shared by its periodic checks."""

from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult


def task_waiting(task: Task) -> bool:
    """Whether `task` is queued and not started yet: that run will see whatever is due now.
    (Only the database queue is looked at; with another queue: False.)"""
    return DBTaskResult.objects.filter(
        status=TaskResultStatus.READY, task_path=task.module_path
    ).exists()
