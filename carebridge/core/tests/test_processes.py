import os
import subprocess
import sys

import pytest

CHILD = (
    "import django, os; django.setup();"
    "from carebridge.core.processes import yield_to_requests;"
    "before = os.getpriority(os.PRIO_PROCESS, 0), os.sched_getscheduler(0);"
    "yield_to_requests(); yield_to_requests();"
    "print(*before, os.getpriority(os.PRIO_PROCESS, 0), os.sched_getscheduler(0))"
)
linux_only = pytest.mark.skipif(
    not hasattr(os, "SCHED_IDLE"), reason="the idle scheduling class is Linux's"
)


def priority_before_and_after(**environment: str) -> tuple[tuple[int, int], tuple[int, int]]:
    """(niceness, scheduling policy) of a child process before and after."""
    completed = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "carebridge.settings", **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    niceness, policy, niceness_after, policy_after = map(int, completed.stdout.split())
    return (niceness, policy), (niceness_after, policy_after)


@linux_only
def test_background_work_runs_at_the_configured_niceness_in_the_idle_class_once():
    (niceness, _), after = priority_before_and_after(
        WORKER_NICENESS="17", WORKER_IDLE_SCHEDULING="true"
    )
    assert after == (max(niceness, 17), os.SCHED_IDLE)


@linux_only
def test_zero_and_off_leave_the_priority_alone():
    before, after = priority_before_and_after(WORKER_NICENESS="0", WORKER_IDLE_SCHEDULING="false")
    assert after == before


CHECKPOINT_CHILD = (
    "import django; django.setup();"
    "from django.db import connection;"
    "from carebridge.core.processes import yield_to_requests;"
    "pages = lambda: connection.cursor().execute('PRAGMA wal_autocheckpoint').fetchone()[0];"
    "web = pages(); yield_to_requests(); open_one = pages();"
    "connection.close(); print(web, open_one, pages())"
)


def test_on_sqlite_background_processes_checkpoint_long_before_web_processes(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-c", CHECKPOINT_CHILD],
        env=os.environ
        | {
            "DJANGO_SETTINGS_MODULE": "carebridge.settings",
            "CAREBRIDGE_HOME": str(tmp_path),
            "DATABASE_URL": "",
            "SQLITE_WEB_CHECKPOINT_PAGES": "8000",
        },
        capture_output=True,
        text=True,
        check=True,
    )
    web, already_open, opened_after = map(int, completed.stdout.split())
    # The connection open at the call and every later one.
    assert (web, already_open, opened_after) == (8000, 1000, 1000)
