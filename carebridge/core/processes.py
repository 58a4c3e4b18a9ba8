"""How background processes share a machine with the web server."""

import os

from django.conf import settings


def yield_to_requests() -> None:
    """Run this process at niceness WORKER_NICENESS at least: delivering 100,000 reminders
    may take a core for minutes, and a coordinator's booking should not wait behind it.
    Calling it again changes nothing."""
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if current < settings.WORKER_NICENESS:
        os.setpriority(os.PRIO_PROCESS, 0, settings.WORKER_NICENESS)
