"""Background work: one-line wrappers around services, enqueued with ids only."""

from django_tasks import task

from carebridge.noshow.services import noshow_outreach_refresh_all


@task()
def refresh_noshow_outreach() -> int:
    return noshow_outreach_refresh_all()
