"""How background processes share a machine with the web server."""

import os

from django.conf import settings


def yield_to_requests() -> None:
    """Run this process at niceness WORKER_NICENESS at least and, where the kernel offers
    it and WORKER_IDLE_POLICY is on, under the idle scheduling policy: delivering 100,000
    reminders may take a core for minutes, and a coordinator's booking should not wait
    behind it. Calling it again changes nothing.

    Niceness alone weighs processes of one login session against each other: with Linux's
    session autogroups on, PostgreSQL's server processes form a group of their own that
    shares the cores half and half with the worker's group however nice the worker is. A
    process under the idle policy gives way at once to any other that wakes up, in any
    group, and still has the cores whenever nothing else wants them.
    """
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if current < settings.WORKER_NICENESS:
        os.setpriority(os.PRIO_PROCESS, 0, settings.WORKER_NICENESS)
    idle_policy = getattr(os, "SCHED_IDLE", None)
    if settings.WORKER_IDLE_POLICY and idle_policy is not None:
        os.sched_setscheduler(0, idle_policy, os.sched_param(0))
