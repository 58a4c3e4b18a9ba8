import os
import subprocess
import sys

import pytest

CHILD = (
    "import django, os; django.setup();"
    "from carebridge.core.processes import yield_to_requests;"
    "before = os.getpriority(os.PRIO_PROCESS, 0); yield_to_requests(); yield_to_requests();"
    "print(before, os.getpriority(os.PRIO_PROCESS, 0), os.sched_getscheduler(0))"
)


def priority_before_and_after(**environment: str) -> tuple[int, int, int]:
    completed = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "carebridge.settings", **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    before, after, policy = completed.stdout.split()
    return int(before), int(after), int(policy)


def test_background_work_runs_at_the_configured_niceness_once():
    before, after, _ = priority_before_and_after(WORKER_NICENESS="17")
    assert after == max(before, 17)


def test_zero_leaves_the_niceness_alone():
    before, after, _ = priority_before_and_after(WORKER_NICENESS="0")
    assert after == before


@pytest.mark.skipif(not hasattr(os, "SCHED_IDLE"), reason="the idle policy is Linux's")
def test_background_work_runs_under_the_idle_policy_unless_turned_off():
    assert priority_before_and_after(WORKER_IDLE_POLICY="true")[2] == os.SCHED_IDLE
    assert priority_before_and_after(WORKER_IDLE_POLICY="false")[2] == os.sched_getscheduler(0)
