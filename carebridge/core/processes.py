"""How background processes share a machine with the web server."""

import os

from django.conf import settings
from django.db import connections
from django.db.backends.signals import connection_created

# SQLite's own default. A checkpoint copies the write-ahead log into the database file and
# syncs it, a few milliseconds once the log holds this much, paid by the commit that finds
# the log this long: a background process with many small commits should pay it, not a
# booking (web processes wait for SQLITE_WEB_CHECKPOINT_PAGES, see settings).
BACKGROUND_CHECKPOINT_PAGES = 1000


def yield_to_requests() -> None:
    """Make this process give way to the web server: run it at niceness WORKER_NICENESS at
    least and, where the system has it and WORKER_IDLE_SCHEDULING is on, in the idle
    scheduling class (delivering 100,000 reminders may take a core for minutes, and a
    coordinator's booking should not wait behind it); on SQLite let its commits checkpoint
    the write-ahead log before a web process's would. Calling it again changes nothing.

    Call it before starting threads: Linux keeps priorities per thread, and a new thread
    takes its creator's."""
    current = os.getpriority(os.PRIO_PROCESS, 0)
    if current < settings.WORKER_NICENESS:
        os.setpriority(os.PRIO_PROCESS, 0, settings.WORKER_NICENESS)
    if settings.WORKER_IDLE_SCHEDULING and hasattr(os, "SCHED_IDLE"):
        # Niceness only shrinks a share: a web process that wakes up (a booking's reply
        # from the database, about fifteen per booking) may still wait for the worker's
        # time slice to end. A waking process takes the core from an idle-class one at
        # once, and the kernel counts a core that runs only idle-class work as free when
        # placing it.
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
    connection_created.connect(_checkpoint_early, dispatch_uid="checkpoint_early")
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None:
            _checkpoint_early(connection=connection)


def _checkpoint_early(*, connection, **signal_arguments) -> None:
    # On the driver's connection, as Django applies init_command: not through a cursor of
    # Django's, which test runners refuse outside database tests and query logs would show.
    if connection.vendor == "sqlite":
        connection.connection.execute(f"PRAGMA wal_autocheckpoint = {BACKGROUND_CHECKPOINT_PAGES}")
