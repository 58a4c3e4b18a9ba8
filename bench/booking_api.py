"""Booking through the JSON API: 16 clients against the real server, then a double-booking
audit of the database.

`carebridge serve` (granian plus the task worker, as shipped) runs as a child process on a
free loopback port. Each client posts bookings for distinct patients; one request in ten
goes for a slot another request also wants, so some 409s are expected and exactly one of
each contested pair may win.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from itertools import pairwise
from pathlib import Path

from bench.harness import Row, database_label, emit, milliseconds, percentile, start_django

CLIENTS = 16
REQUESTS = int(os.environ.get("BENCH_BOOKINGS", "3000"))
WARM_UP = REQUESTS // 10
CONTESTED_SHARE = 10
TARGET_PER_SECOND = 300


def main() -> None:
    start_django()
    clinic, patients, token = booking_clinic()
    warm_up, jobs = booking_jobs(clinic, patients)
    port = free_port()
    server = _serve(port)
    try:
        wait_until_up(port, server)
        settle(port, token, warm_up)
        results, wall = drive(port, token, jobs)
        memory = _peak_memory(server.pid)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    emit([_row(results, wall, memory, _double_bookings(clinic.organization))])


def settle(port: int, token: str, warm_up: list[dict]) -> None:
    """Bring the clinic to the state of one in use before measuring: some bookings made and
    table statistics that know them (as autovacuum keeps them in a running clinic).

    Measured from empty tables, PostgreSQL keeps the plans it made for them while they fill:
    each new booking's history rows were checked against their parent by scanning the whole
    history table, about a millisecond of server time per booking by the end of a run.
    ANALYZE makes every server connection plan its statements afresh.
    """
    from carebridge.core.maintenance import database_analyze

    drive(port, token, warm_up)
    database_analyze()


def booking_clinic():
    from carebridge.accounts.constants import Role
    from carebridge.accounts.services import organization_create, token_issue
    from carebridge.demo.clinic import clinic_build, name_faker
    from carebridge.demo.people import patients_register
    from carebridge.demo.staff import staff_create

    organization = organization_create(
        slug="bench", name="Bench Clinic", timezone="America/New_York"
    )
    coordinator = staff_create(organization=organization)[Role.COORDINATOR][0]
    rng, faker = random.Random(3), name_faker(3)
    clinic = clinic_build(organization=organization, practitioners=30, rng=rng, faker=faker)
    patients = patients_register(
        organization=organization,
        actor=coordinator,
        count=WARM_UP + REQUESTS,
        rng=rng,
        faker=faker,
    )
    return clinic, [p.patient for p in patients], token_issue(user=coordinator)[1]


def booking_jobs(clinic, patients) -> tuple[list[dict], list[dict]]:
    """Warm-up requests, each for a slot of its own, then the measured ones: one booking
    request per patient; every tenth wants a slot another measured request wants."""
    slots = separate_slots(clinic)
    warm_patients, patients = patients[:WARM_UP], patients[WARM_UP:]
    wanted = len(patients) - len(patients) // CONTESTED_SHARE
    if len(slots) < WARM_UP + wanted:
        sys.exit(f"only {len(slots)} free slots for {WARM_UP + wanted} bookings")
    rng = random.Random(4)
    picked = rng.sample(slots, WARM_UP + wanted)
    warm_slots, chosen = picked[:WARM_UP], picked[WARM_UP:]
    chosen += rng.sample(chosen, len(patients) - wanted)
    rng.shuffle(chosen)
    return _requests(clinic, warm_patients, warm_slots), _requests(clinic, patients, chosen)


def _requests(clinic, patients, slots) -> list[dict]:
    visit_type = clinic.visit_types["follow-up"]
    practitioners = {c.practitioner.pk: c.practitioner for c in clinic.clinicians}
    locations = {location.pk: location for location in clinic.locations}
    return [
        {
            "patient": str(patient.public_id),
            "practitioner": str(practitioners[slot.practitioner_id].public_id),
            "location": str(locations[slot.location_id].public_id),
            "visit_type": str(visit_type.public_id),
            "start": slot.start.isoformat(),
        }
        for patient, slot in zip(patients, slots, strict=True)
    ]


def separate_slots(clinic):
    """Free follow-up slots over 90 days that do not overlap each other."""
    from carebridge.core import clock
    from carebridge.scheduling.availability import slot_search

    today = clock.now().date()
    slots = []
    for clinician in clinic.clinicians:
        free = slot_search(
            organization=clinic.organization,
            visit_type=clinic.visit_types["follow-up"],
            start_date=today + datetime.timedelta(days=1),
            end_date=today + datetime.timedelta(days=90),
            practitioner_ids=[clinician.practitioner.pk],
            limit=1000,
        )
        last_end = None
        for slot in free:
            if last_end is None or slot.start >= last_end:
                slots.append(slot)
                last_end = slot.end
    return slots


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _serve(port: int) -> subprocess.Popen:
    from django.conf import settings

    command = shutil.which("carebridge", path=str(Path(sys.executable).parent))
    log = (settings.CAREBRIDGE_HOME / "serve.log").open("w")
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port)}
    return subprocess.Popen([command, "serve"], env=env, stdout=subprocess.DEVNULL, stderr=log)


def wait_until_up(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit("the server exited before answering; see serve.log in its CAREBRIDGE_HOME")
        probe = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        try:
            probe.request("GET", "/healthz")
            if probe.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.2)
        finally:
            probe.close()
    sys.exit("the server did not answer within 60 s")


def drive(port: int, token: str, jobs: list[dict]) -> tuple[list[tuple[int, float]], float]:
    """Post every job from CLIENTS threads; (status, seconds) per request and the wall time."""
    path = "/api/appointments"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    pending = iter(jobs)
    lock = threading.Lock()
    results: list[tuple[int, float]] = []
    surprises: list[str] = []
    start_together = threading.Barrier(CLIENTS + 1)

    def client():
        # http.client with one kept-alive connection per client: a lighter client than a
        # full HTTP library leaves more of the shared cores to the server being measured.
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        connection.request("GET", "/api/visit-types", headers=headers)
        connection.getresponse().read()
        start_together.wait()
        while True:
            with lock:
                job = next(pending, None)
            if job is None:
                connection.close()
                return
            began = time.perf_counter()
            connection.request("POST", path, body=json.dumps(job), headers=headers)
            response = connection.getresponse()
            body = response.read()
            with lock:
                results.append((response.status, time.perf_counter() - began))
                if response.status not in (201, 409) and not surprises:
                    surprises.append(f"{response.status} {body[:300]!r}")

    threads = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in threads:
        thread.start()
    start_together.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    for surprise in surprises:
        print(f"first unexpected answer: {surprise}", file=sys.stderr)
    return results, time.perf_counter() - began


def _peak_memory(pid: int) -> int:
    """Sum of the peak resident memory (VmHWM) of the server and all its descendants, in KiB."""
    total, queue = 0, [pid]
    while queue:
        current = queue.pop()
        proc = Path(f"/proc/{current}")
        try:
            status = (proc / "status").read_text()
            children = [
                int(child)
                for task in (proc / "task").iterdir()
                for child in (task / "children").read_text().split()
            ]
        except OSError:
            continue
        total += next(
            (int(line.split()[1]) for line in status.splitlines() if line.startswith("VmHWM")), 0
        )
        queue += children
    return total


def _double_bookings(organization) -> int:
    """Overlapping active appointments of one practitioner or one patient, counted afresh."""
    from carebridge.scheduling.constants import ACTIVE_STATUSES
    from carebridge.scheduling.models import Appointment

    active = Appointment.objects.filter(organization=organization, status__in=ACTIVE_STATUSES)
    overlaps = 0
    for owner, start, end in (
        ("practitioner_id", "blocked_start", "blocked_end"),
        ("patient_id", "start", "end"),
    ):
        ranges = sorted(active.values_list(owner, start, end))
        overlaps += sum(
            1
            for (who, _, ends), (next_who, next_starts, _) in pairwise(ranges)
            if who == next_who and next_starts < ends
        )
    return overlaps


def throughput(results: list[tuple[int, float]], wall: float) -> dict[str, str]:
    """Bookings and requests per second, latency and bookings made, from `drive`'s results."""
    booked = sum(1 for status, _ in results if status == 201)
    latencies = [seconds for _, seconds in results]
    return {
        "bookings/s": f"{booked / wall:.0f}",
        "requests/s": f"{len(results) / wall:.0f}",
        "p50": milliseconds(percentile(latencies, 50)),
        "p95": milliseconds(percentile(latencies, 95)),
        "booked": str(booked),
    }


def _row(results, wall: float, memory_kib: int, double_bookings: int) -> Row:
    booked = sum(1 for status, _ in results if status == 201)
    conflicts = sum(1 for status, _ in results if status == 409)
    others = len(results) - booked - conflicts
    per_second = booked / wall
    return Row(
        f"booking via HTTP API ({CLIENTS} clients)",
        database_label(),
        throughput(results, wall)
        | {
            "409": str(conflicts),
            "other errors": str(others),
            "double bookings": str(double_bookings),
            "server peak RSS": f"{memory_kib / 1024:.0f} MiB",
        },
        target=f">= {TARGET_PER_SECOND} bookings/s, 0 double bookings",
        passed=per_second >= TARGET_PER_SECOND and double_bookings == 0 and others == 0,
        note=f"{len(results)} requests, 1 in {CONTESTED_SHARE} for a contested slot;"
        f" measured after {WARM_UP} bookings and ANALYZE",
    )


if __name__ == "__main__":
    main()
