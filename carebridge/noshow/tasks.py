"""Background work: one-line wrappers around services, enqueued with ids only."""

from django_tasks import task

from carebridge.noshow.services import noshow_scores_refresh_all


@task()
def refresh_noshow_scores() -> int:
    return noshow_scores_refresh_all()
