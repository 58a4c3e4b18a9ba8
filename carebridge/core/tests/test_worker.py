"""`carebridge worker` is the database task worker: it runs what services enqueued."""

import pytest
from django.core.management import call_command
from django_tasks import task
from django_tasks.base import TaskResultStatus

from carebridge.accounts.selectors import organization_by_slug
from carebridge.accounts.services import organization_create


@task()
def clinic_name(slug: str) -> str:
    return organization_by_slug(slug=slug).name


@pytest.mark.django_db(transaction=True)
def test_runs_queued_tasks_and_exits_in_batch_mode():
    organization_create(slug="north", name="North Clinic")
    queued = clinic_name.enqueue("north")

    call_command("worker", "--batch", "--interval", "0", "--no-startup-delay")

    queued.refresh()
    assert queued.status == TaskResultStatus.SUCCESSFUL
    assert queued.return_value == "North Clinic"
