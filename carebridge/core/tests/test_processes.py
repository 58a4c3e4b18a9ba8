import os
import subprocess
import sys

CHILD = (
    "import django, os; django.setup();"
    "from carebridge.core.processes import yield_to_requests;"
    "before = os.getpriority(os.PRIO_PROCESS, 0); yield_to_requests(); yield_to_requests();"
    "print(before, os.getpriority(os.PRIO_PROCESS, 0))"
)


def niceness_before_and_after(**environment: str) -> tuple[int, int]:
    completed = subprocess.run(
        [sys.executable, "-c", CHILD],
        env=os.environ | {"DJANGO_SETTINGS_MODULE": "carebridge.settings", **environment},
        capture_output=True,
        text=True,
        check=True,
    )
    before, after = completed.stdout.split()
    return int(before), int(after)


def test_background_work_runs_at_the_configured_niceness_once():
    before, after = niceness_before_and_after(WORKER_NICENESS="17")
    assert after == max(before, 17)


def test_zero_leaves_the_priority_alone():
    before, after = niceness_before_and_after(WORKER_NICENESS="0")
    assert after == before
