"""Reminder delivery: 100,000 due reminders (half email, half SMS) delivered by one worker
process to a local SMTP sink and the file gateway, and booking latency while that runs.

The worker is a child process that runs the delivery task's body until nothing is due; the
SMTP sink is another child, so neither competes with the bookings for this process's
interpreter. Bookings go through the booking service one after another at a steady pace,
first with the outbox idle, then while the worker delivers; the figure is how much their
95th percentile grows.

`python -m bench.reminder_delivery deliver` and `... sink` are those two children.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from itertools import cycle

from bench.booking_api import _separate_slots
from bench.harness import Row, database_label, emit, milliseconds, percentile, start_django

MESSAGES = int(os.environ.get("BENCH_REMINDERS", "100000"))
RECIPIENTS = 1000
BASELINE_BOOKINGS = 200
# Between two bookings: a steady trickle, as coordinators book, rather than a flood.
BOOKING_PAUSE = 0.1
ENQUEUE_BATCH = 5000
TARGET_PER_SECOND = 500
MAX_LATENCY_GROWTH = 0.20


def main(argv: list[str]) -> None:
    if argv == ["deliver"]:
        _deliver()
    elif argv == ["sink"]:
        _sink()
    else:
        _measure()


def _measure() -> None:
    start_django()
    clinic, coordinator, patients = _clinic()
    jobs = iter(_booking_jobs(clinic, patients))
    _enqueue_reminders(clinic.organization, patients[:RECIPIENTS])
    baseline = [_book(clinic, coordinator, next(jobs)) for _ in range(BASELINE_BOOKINGS)]
    sink = subprocess.Popen(
        [sys.executable, "-m", "bench.reminder_delivery", "sink"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    port = int(sink.stdout.readline())
    worker = subprocess.Popen(
        [sys.executable, "-m", "bench.reminder_delivery", "deliver"],
        env={**os.environ, "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(port)},
        stdout=subprocess.PIPE,
        text=True,
    )
    during = []
    while worker.poll() is None:
        job = next(jobs, None)
        if job is None:
            break
        during.append(_book(clinic, coordinator, job))
    delivery = json.loads(worker.communicate()[0].splitlines()[-1])
    received = json.loads(sink.communicate("stop\n")[0])
    emit([_row(delivery, received, baseline, during)])


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
    # More patients than bookings can use: each booking has a patient of its own.
    registered = patients_register(
        organization=organization, actor=coordinator, count=3000, rng=rng, faker=faker
    )
    return clinic, coordinator, [p.patient for p in registered]


def _booking_jobs(clinic, patients) -> list[dict]:
    """appointment_book's arguments for free, separate slots, each with its own patient."""
    slots = _separate_slots(clinic)
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


def _book(clinic, coordinator, job: dict) -> float:
    """Book one visit; the seconds it took. The pause after it keeps the pace steady."""
    from carebridge.scheduling.services.appointments import appointment_book

    began = time.perf_counter()
    appointment_book(
        organization=clinic.organization,
        actor=coordinator,
        visit_type=clinic.visit_types["follow-up"],
        **job,
    )
    seconds = time.perf_counter() - began
    time.sleep(BOOKING_PAUSE)
    return seconds


def _recipients(patients) -> list[tuple[str, str, object]]:
    """(channel, address, patient) for every channel a patient agreed to, alternating."""
    by_email = [("email", p.email, p) for p in patients if p.consent_email and p.email]
    by_sms = [("sms", p.phone_mobile, p) for p in patients if p.consent_sms and p.phone_mobile]
    return [pick for pair in zip(by_email, by_sms, strict=False) for pick in pair]


def _enqueue_reminders(organization, patients) -> None:
    """MESSAGES reminders, due now, written through the outbox service in large batches."""
    from django.db import transaction

    from carebridge.notifications.constants import MessageKind
    from carebridge.notifications.services.outbox import message_enqueue

    recipients = cycle(_recipients(patients))
    for start in range(0, MESSAGES, ENQUEUE_BATCH):
        with transaction.atomic():
            for _ in range(min(ENQUEUE_BATCH, MESSAGES - start)):
                channel, address, patient = next(recipients)
                message_enqueue(
                    organization=organization,
                    kind=MessageKind.REMINDER,
                    channel=channel,
                    to_address=address,
                    subject="Reminder: your visit at Bench Clinic",
                    body_text="Bench Clinic: your visit is on Tue at 9:00. Reply C to confirm.",
                    patient=patient,
                )


def _deliver() -> None:
    """The worker: the delivery task's body, again until a run finds nothing due."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "carebridge.settings")
    django.setup()
    from carebridge.notifications.tasks import deliver_due_messages

    began = time.perf_counter()
    total: dict[str, int] = {}
    while (report := deliver_due_messages.call())["claimed"]:
        total = {name: total.get(name, 0) + value for name, value in report.items()}
    total["seconds"] = time.perf_counter() - began
    print(json.dumps(total), flush=True)


def _sink() -> None:
    """The SMTP sink: prints its port, and what it received once told to stop."""
    from carebridge.notifications.testing.smtp_sink import SmtpSink

    with SmtpSink() as sink:
        print(sink.port, flush=True)
        sys.stdin.readline()
        counts = {
            "unique": len(sink.messages),
            "receptions": sink.receptions,
            "retransmissions": sink.retransmissions,
        }
    print(json.dumps(counts), flush=True)


def _row(delivery: dict, received: dict, baseline: list[float], during: list[float]) -> Row:
    from carebridge.notifications.constants import MessageKind, MessageStatus
    from carebridge.notifications.models import OutboundMessage
    from carebridge.notifications.transports.sms_file import file_gateway_contents

    texts = file_gateway_contents()
    unsent = (
        OutboundMessage.objects.filter(kind=MessageKind.REMINDER)
        .exclude(status=MessageStatus.SENT)
        .count()
    )
    per_second = delivery["sent"] / delivery["seconds"]
    before, while_delivering = percentile(baseline, 95), percentile(during, 95)
    growth = while_delivering / before - 1
    delivered = received["unique"] + len(texts.messages)
    return Row(
        f"reminder delivery ({MESSAGES:,} due, 1 worker)",
        database_label(),
        {
            "messages/s": f"{per_second:.0f}",
            "sent": str(delivery["sent"]),
            "delivered (SMTP + SMS files)": f"{received['unique']} + {len(texts.messages)}",
            "retransmissions": str(received["retransmissions"] + texts.retransmissions),
            "reminders not sent": str(unsent),
            "booking p95 idle": milliseconds(before),
            "booking p95 delivering": milliseconds(while_delivering),
            "p95 growth": f"{growth:+.0%}",
        },
        target=f">= {TARGET_PER_SECOND} messages/s, booking p95 +{MAX_LATENCY_GROWTH:.0%} at most",
        passed=per_second >= TARGET_PER_SECOND
        and growth <= MAX_LATENCY_GROWTH
        and unsent == 0
        and delivered >= MESSAGES,
        note=f"{len(during)} bookings while delivering, {len(baseline)} before, "
        f"one every {BOOKING_PAUSE * 1000:.0f} ms plus its own time",
    )


if __name__ == "__main__":
    main(sys.argv[1:])
