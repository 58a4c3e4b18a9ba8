"""Reminder delivery: 100,000 due reminders delivered by one worker process (`carebridge
deliver_messages`) to a local SMTP sink and the file gateway, and booking latency while
that runs.

The reminders are about real visits (the delivery loop re-checks each visit before
sending) and go by email or SMS as each patient agreed. The SMTP sink runs in a child
process of its own, so that neither it nor the worker competes with the bookings for this
process's interpreter. Bookings go through the booking service one after another at a
steady pace, in windows of WINDOW bookings: the worker is paused (SIGSTOP, at a moment it
holds no transaction) for one window and delivers through the next, turn about, until
the reminders are out. The figure is how much the bookings' 95th percentile grows from
the paused windows to the delivering ones. Taking the two kinds of window turn about
keeps a machine whose speed drifts over minutes (seen here: an idle p95 from 11 to 15 ms
between runs of the same code, and from -3 % to +27 % growth when the idle bookings were
taken before and after the delivery) from passing or failing the run on its own. The
messages per second count only the time the worker ran.

`python -m bench.reminder_delivery sink` is the sink's child process.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from itertools import cycle, islice
from pathlib import Path

from bench.booking_api import separate_slots
from bench.harness import Row, database_label, emit, milliseconds, percentile, start_django

MESSAGES = int(os.environ.get("BENCH_REMINDERS", "100000"))
PATIENTS = 6000  # one per booking, more than the bookings can use
VISITS_REMINDED = 100
# Bookings in one paused or one delivering window: about four seconds each.
WINDOW = 40
# Between two bookings: a steady trickle, as coordinators book, rather than a flood.
BOOKING_PAUSE = 0.1
# After the worker is paused or resumed, before the window's first booking.
SETTLE_SECONDS = 0.1
UNSENT_LOOK_EVERY = 10
ENQUEUE_BATCH = 5000
TARGET_PER_SECOND = 500
MAX_LATENCY_GROWTH = 0.20


def main(argv: list[str]) -> None:
    if argv == ["sink"]:
        _sink()
    else:
        _measure()


def _measure() -> None:
    start_django()
    clinic, coordinator, patients = _clinic()
    jobs = iter(_booking_jobs(clinic, patients))
    visits = [_book(clinic, coordinator, next(jobs)) for _ in range(VISITS_REMINDED)]
    reminders = _enqueue_reminders(clinic.organization, visits)
    sink = subprocess.Popen(
        [sys.executable, "-m", "bench.reminder_delivery", "sink"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    port = int(sink.stdout.readline())
    worker = subprocess.Popen(
        [shutil.which("carebridge", path=str(Path(sys.executable).parent)), "deliver_messages"],
        env={**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)},
        stdout=subprocess.PIPE,
        text=True,
    )
    began = time.perf_counter()
    paused, delivering, paused_seconds = _windows(clinic, coordinator, jobs, worker, reminders)
    delivery = _report(worker.communicate()[0])
    running = time.perf_counter() - began - paused_seconds
    received = json.loads(sink.communicate("stop\n")[0])
    unsent = _unsent(reminders).count()
    emit([_row(delivery, running, received, unsent, paused, delivering)])


def _windows(clinic, coordinator, jobs, worker, reminders) -> tuple[list, list, float]:
    """Bookings in paused and delivering windows, turn about, until the reminders are out
    (or the bookings run out); the worker is left running. Returns the paused windows'
    booking times, the delivering ones', and how long the worker was paused in all."""
    paused, delivering, paused_seconds = [], [], 0.0
    while worker.poll() is None:
        stopped_at = _pause(worker)
        window = _timed_bookings(clinic, coordinator, jobs, WINDOW)
        worker.send_signal(signal.SIGCONT)
        paused_seconds += time.perf_counter() - stopped_at
        if len(window) < WINDOW:
            break
        paused += window
        time.sleep(SETTLE_SECONDS)
        # Confirmations of bookings are due at once, so the worker delivers until bookings
        # stop: the window ends when the reminders are out. The look for an unsent reminder
        # reads the delivered ones first (12 ms of the database's time by the end of a run),
        # so it is taken every tenth booking, about once a second.
        window, done = [], False
        while len(window) < WINDOW and not done:
            window += _timed_bookings(clinic, coordinator, jobs, UNSENT_LOOK_EVERY)
            done = worker.poll() is not None or not _unsent(reminders).exists()
        delivering += window
        if done or len(window) < WINDOW:
            break
    return paused, delivering, paused_seconds


def _pause(worker: subprocess.Popen) -> float:
    """Stop the worker at a moment it holds no transaction (a stopped holder would make the
    bookings wait for it); the moment it stopped."""
    while True:
        worker.send_signal(signal.SIGSTOP)
        stopped_at = time.perf_counter()
        time.sleep(SETTLE_SECONDS)
        if not _worker_in_transaction():
            return stopped_at
        worker.send_signal(signal.SIGCONT)
        time.sleep(0.01)


def _worker_in_transaction() -> bool:
    """Whether another connection to the database is in the middle of a statement or holds
    a transaction open (on SQLite: holds the write lock)."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                " AND backend_type = 'client backend' AND pid <> pg_backend_pid()"
                " AND state <> 'idle'"
            )
            return cursor.fetchone()[0] > 0
    probe = sqlite3.connect(connection.settings_dict["NAME"], timeout=0, isolation_level=None)
    try:
        probe.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError:
        return True
    else:
        probe.execute("ROLLBACK")
        return False
    finally:
        probe.close()


def _clinic():
    from carebridge.accounts.constants import Role
    from carebridge.accounts.services import organization_create
    from carebridge.demo.clinic import clinic_build, name_faker
    from carebridge.demo.people import patients_register
    from carebridge.demo.staff import staff_create

    organization = organization_create(
        slug="bench", name="Bench Clinic", timezone="America/New_York"
    )
    coordinator = staff_create(organization=organization)[Role.COORDINATOR][0]
    rng, faker = random.Random(5), name_faker(5)
    clinic = clinic_build(organization=organization, practitioners=30, rng=rng, faker=faker)
    registered = patients_register(
        organization=organization, actor=coordinator, count=PATIENTS, rng=rng, faker=faker
    )
    return clinic, coordinator, [p.patient for p in registered]


def _booking_jobs(clinic, patients) -> list[dict]:
    """appointment_book's arguments for free, separate slots, each with its own patient."""
    slots = separate_slots(clinic)
    random.Random(6).shuffle(slots)
    practitioners = {c.practitioner.pk: c.practitioner for c in clinic.clinicians}
    locations = {location.pk: location for location in clinic.locations}
    return [
        {
            "patient": patient,
            "practitioner": practitioners[slot.practitioner_id],
            "location": locations[slot.location_id],
            "start": slot.start,
        }
        for patient, slot in zip(patients, slots, strict=False)
    ]


def _book(clinic, coordinator, job: dict):
    from carebridge.scheduling.services.appointments import appointment_book

    return appointment_book(
        organization=clinic.organization,
        actor=coordinator,
        visit_type=clinic.visit_types["follow-up"],
        **job,
    )


def _timed_bookings(clinic, coordinator, jobs, count: int) -> list[float]:
    """Book up to `count` visits (fewer when the jobs run out); the seconds each took. The
    pause after each keeps the pace steady."""
    seconds = []
    for job in islice(jobs, count):
        began = time.perf_counter()
        _book(clinic, coordinator, job)
        seconds.append(time.perf_counter() - began)
        time.sleep(BOOKING_PAUSE)
    return seconds


def _recipients(visits) -> list[tuple]:
    """(channel, address, visit) for each channel a visit's patient agreed to."""
    picks = []
    for visit in visits:
        patient = visit.patient
        if patient.consent_email and patient.email:
            picks.append(("email", patient.email, visit))
        if patient.consent_sms and patient.phone_mobile:
            picks.append(("sms", patient.phone_mobile, visit))
    return picks


def _enqueue_reminders(organization, visits) -> range:
    """MESSAGES reminders about `visits`, due now, written through the outbox service in
    large transactions; the range of their primary keys."""
    from django.db import transaction

    from carebridge.notifications.constants import MessageKind
    from carebridge.notifications.services.outbox import message_enqueue
    from carebridge.scheduling.services.messages import visit_topic

    recipients = cycle(_recipients(visits))
    keys = []
    for start in range(0, MESSAGES, ENQUEUE_BATCH):
        with transaction.atomic():
            for _ in range(min(ENQUEUE_BATCH, MESSAGES - start)):
                channel, address, visit = next(recipients)
                [message] = message_enqueue(
                    organization=organization,
                    kind=MessageKind.REMINDER,
                    channel=channel,
                    to_address=address,
                    subject="Reminder: your visit at Bench Clinic",
                    body_text="Bench Clinic: your visit is on Tue at 9:00. Reply C to confirm.",
                    patient=visit.patient,
                    topic=visit_topic(visit),
                )
                keys.append(message.pk)
    return range(min(keys), max(keys) + 1)


def _unsent(reminders: range):
    """The reminders written by this benchmark that have not gone out."""
    from carebridge.notifications.constants import MessageStatus
    from carebridge.notifications.models import OutboundMessage

    return OutboundMessage.objects.filter(pk__gte=reminders.start, pk__lt=reminders.stop).exclude(
        status=MessageStatus.SENT
    )


def _report(output: str) -> dict[str, int]:
    """deliver_messages' closing line, `claimed=... sent=...`, as numbers."""
    last_line = output.strip().splitlines()[-1]
    return {name: int(value) for name, value in (pair.split("=") for pair in last_line.split())}


def _sink() -> None:
    """The SMTP sink: prints its port, and what it received once told to stop.

    It stands in for the clinic's mail relay, which runs on another machine: it must not
    take the CPU from the bookings being measured, nor be starved by the worker it serves,
    so it runs at the worker's priority.
    """
    from carebridge.core.processes import yield_to_requests
    from carebridge.notifications.testing.smtp_sink import SmtpSink

    yield_to_requests()

    with SmtpSink() as sink:
        print(sink.port, flush=True)
        sys.stdin.readline()
        counts = {
            "unique": sink.unique,
            "receptions": sink.receptions,
            "retransmissions": sink.retransmissions,
        }
    print(json.dumps(counts), flush=True)


def _row(delivery, running_seconds, received, unsent, paused, delivering) -> Row:
    from carebridge.notifications.transports.sms_file import file_gateway_contents

    texts = file_gateway_contents()
    per_second = delivery["sent"] / running_seconds
    idle, while_delivering = percentile(paused, 95), percentile(delivering, 95)
    growth = while_delivering / idle - 1
    return Row(
        f"reminder delivery ({MESSAGES:,} due, 1 worker)",
        database_label(),
        {
            "messages/s": f"{per_second:.0f}",
            "sent": str(delivery["sent"]),
            "emails + texts received": f"{received['unique']} + {len(texts.messages)}",
            "retransmissions": str(received["retransmissions"] + texts.retransmissions),
            "reminders not sent": str(unsent),
            "booking p50 paused / delivering": f"{milliseconds(percentile(paused, 50))} / "
            f"{milliseconds(percentile(delivering, 50))}",
            "booking p95 paused": milliseconds(idle),
            "booking p95 delivering": milliseconds(while_delivering),
            "p95 growth": f"{growth:+.0%}",
        },
        target=f">= {TARGET_PER_SECOND} messages/s, booking p95 +{MAX_LATENCY_GROWTH:.0%} at most",
        passed=per_second >= TARGET_PER_SECOND and growth <= MAX_LATENCY_GROWTH and not unsent,
        note=f"{len(paused)} bookings with the worker paused and {len(delivering)} while it "
        f"delivered (confirmations included in sent), in windows of {WINDOW} taken turn "
        f"about; one every {BOOKING_PAUSE * 1000:.0f} ms plus its own time; messages/s over "
        "the worker's running time",
    )


if __name__ == "__main__":
    main(sys.argv[1:])
