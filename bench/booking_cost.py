"""What one booking costs the application, in CPU instructions counted by valgrind.

The HTTP benchmark's bookings per second move by up to 40 % between runs of the same code on
a shared two-core machine, more than most single changes save. An instruction count does
not move: the same code and data give the same count within a fraction of a percent, so
a change to the booking path can be weighed in one run. It is a ruler, like the booking
floor, not a target.

The count covers what the web process does for a booking: Django, the API, the business
rules and the database driver, called through the WSGI application as the server calls
it, with the same requests as the HTTP benchmark (one in ten for a contested slot).
PostgreSQL's own work is not in it (the statements per booking, besides BEGIN and COMMIT,
say how much it is asked to do); SQLite's is, as SQLite runs inside the process. The
benchmark reruns itself under `valgrind --tool=callgrind`, with counting switched on only
around the measured bookings.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from bench.booking_api import CONTESTED_SHARE
from bench.harness import Row, database_label, emit, start_django

# The HTTP benchmark's clinic and requests, fewer of them: under valgrind a booking takes
# about a quarter of a second. A tenth as many again warm up first (see booking_api).
BOOKINGS = int(os.environ.get("BENCH_COST_BOOKINGS", "400"))
_UNDER_VALGRIND = "CAREBRIDGE_BENCH_UNDER_VALGRIND"
_COUNTED_PREFIX = "BOOKING-COST "
_NAME = "booking cost in-process (callgrind)"


def main() -> None:
    if os.environ.get(_UNDER_VALGRIND):
        _measure()
        return
    if not shutil.which("valgrind") or not shutil.which("callgrind_control"):
        emit([Row(_NAME, database_label(), note="skipped: valgrind is not installed")])
        return
    emit([_counted_row()])


def _counted_row() -> Row:
    with tempfile.TemporaryDirectory(prefix="carebridge-bench-cost-") as folder:
        counts = Path(folder) / "callgrind.out"
        command = ["valgrind", "--tool=callgrind", "--instr-atstart=no"]
        command += [f"--callgrind-out-file={counts}", sys.executable, "-m", "bench.booking_cost"]
        completed = subprocess.run(
            command,
            env={**os.environ, _UNDER_VALGRIND: "1", "BENCH_BOOKINGS": str(BOOKINGS)},
            capture_output=True,
            text=True,
            check=False,
        )
        measured = _measured(completed.stdout)
        if completed.returncode or measured is None or not counts.exists():
            last_words = (completed.stderr or completed.stdout).strip().splitlines()[-1:]
            return Row(_NAME, database_label(), note=f"failed: {' '.join(last_words)}")
        instructions = _total_instructions(counts.read_text())
    requests = measured["requests"]
    return Row(
        _NAME,
        database_label(),
        {
            "instructions/request": f"{instructions / requests / 1e6:.2f} M",
            "statements/booking": f"{measured['statements'] / measured['warm_requests']:.1f}",
            "booked": str(measured["booked"]),
            "409": str(requests - measured["booked"]),
        },
        target="- (a ruler: the same count on every run of the same code)",
        note=f"{requests} booking requests, 1 in {CONTESTED_SHARE} for a contested slot, after"
        f" {measured['warm_requests']} warm-up bookings; the application's process only (no web"
        " server; SQLite's work included, PostgreSQL's not)",
    )


def _measured(output: str) -> dict | None:
    for line in reversed(output.splitlines()):
        if line.startswith(_COUNTED_PREFIX):
            return json.loads(line[len(_COUNTED_PREFIX) :])
    return None


def _total_instructions(callgrind_output: str) -> int:
    found = re.search(r"^totals: (\d+)", callgrind_output, re.MULTILINE)
    if found is None:
        raise ValueError("callgrind wrote no totals")
    return int(found.group(1))


def _measure() -> None:
    """Under valgrind: book the warm-up requests (counting their statements), then the
    measured ones with instruction counting on."""
    start_django()
    from django.db import connection

    from bench.booking_api import booking_clinic, booking_jobs
    from carebridge.core.maintenance import database_analyze
    from carebridge.wsgi import application

    clinic, patients, token = booking_clinic()
    warm_up, jobs = booking_jobs(clinic, patients)
    statements = []
    # execute_wrapper, not CaptureQueriesContext: each request starts a new query log
    with connection.execute_wrapper(
        lambda execute, sql, *rest: statements.append(sql) or execute(sql, *rest)
    ):
        warm_statuses = [_post(application, token, job) for job in warm_up]
    database_analyze()
    _count_instructions("on")
    statuses = [_post(application, token, job) for job in jobs]
    _count_instructions("off")
    unexpected = sorted(set(statuses + warm_statuses) - {201, 409})
    if unexpected:
        sys.exit(f"unexpected answers: {unexpected}")
    print(
        _COUNTED_PREFIX
        + json.dumps(
            {
                "requests": len(statuses),
                "booked": statuses.count(201),
                "warm_requests": len(warm_statuses),
                "statements": len(statements),
            }
        )
    )


def _count_instructions(switch: str) -> None:
    subprocess.run(
        ["callgrind_control", "--instr=" + switch, str(os.getpid())],
        check=True,
        capture_output=True,
    )


def _post(application, token: str, job: dict) -> int:
    """One booking request through the WSGI application, as the web server makes it (the
    import stays out of the counted requests)."""
    body = json.dumps(job).encode()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": "/api/appointments",
        "QUERY_STRING": "",
        "CONTENT_TYPE": "application/json",
        "CONTENT_LENGTH": str(len(body)),
        "HTTP_AUTHORIZATION": f"Bearer {token}",
        "HTTP_HOST": "127.0.0.1",
        "REMOTE_ADDR": "127.0.0.1",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.input": io.BytesIO(body),
        "wsgi.url_scheme": "http",
        "wsgi.errors": sys.stderr,
    }
    answer: list[str] = []
    response = application(environ, lambda status, headers, *_: answer.append(status))
    try:
        b"".join(response)
    finally:
        response.close()
    return int(answer[0].split()[0])


if __name__ == "__main__":
    main()
