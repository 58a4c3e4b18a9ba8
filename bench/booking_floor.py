"""The booking floor: what this machine can do at best for one booking over HTTP.

A bare WSGI application, with no framework and no ORM, does the statements a booking cannot
do without: find the caller's token, resolve the four references, lock the practitioner,
check for a clash, insert the appointment, queue its confirmation (its reminders, days away,
are queued later by the sweep), and chain two audit entries (the visit and the message)
behind the organization's chain head, in one transaction. It runs under the web server
with the same processes and threads as `carebridge serve`, and the same 16 clients as the
booking benchmark post the same mix of requests (one in ten contested).

It is a ruler, not a product: the booking benchmark's target has to fit under this figure,
and the distance between the two is what the framework, the business rules and the
messages cost. PostgreSQL only, where the booking target is set.
"""

from __future__ import annotations

import datetime
import hashlib
import json
import os
import random
import signal
import subprocess
import threading
import uuid
from pathlib import Path

import psycopg

from bench.booking_api import (
    CLIENTS,
    CONTESTED_SHARE,
    REQUESTS,
    drive,
    free_port,
    throughput,
    wait_until_up,
)
from bench.harness import Row, database_label, emit

PRACTITIONERS = 30
VISIT = datetime.timedelta(minutes=20)
TOKEN = "floor-token"
MESSAGES_PER_BOOKING = 1
AUDIT_ENTRIES_PER_BOOKING = 2
_SKIPPED = "measured on PostgreSQL only, where the booking target is set"

SCHEMA = """
CREATE TABLE floor_token (id serial PRIMARY KEY, digest text UNIQUE NOT NULL);
CREATE TABLE floor_reference (id serial PRIMARY KEY, public_id uuid UNIQUE NOT NULL);
CREATE TABLE floor_appointment (
    id serial PRIMARY KEY, public_id uuid NOT NULL, practitioner_id int NOT NULL,
    patient_id int NOT NULL, starts timestamptz NOT NULL, ends timestamptz NOT NULL);
CREATE INDEX ON floor_appointment (practitioner_id, starts);
CREATE TABLE floor_message (
    id serial PRIMARY KEY, appointment_id int NOT NULL, kind int NOT NULL,
    body text NOT NULL, idempotency_key uuid UNIQUE NOT NULL);
CREATE TABLE floor_chain_head (id int PRIMARY KEY, last_hash text NOT NULL, last_sequence int);
INSERT INTO floor_chain_head VALUES (1, '', 0);
CREATE TABLE floor_audit (
    id serial PRIMARY KEY, sequence int UNIQUE NOT NULL, previous_hash text NOT NULL,
    object_id int NOT NULL);
"""


def main() -> None:
    dsn = os.environ.get("DATABASE_URL", "")
    if not dsn:
        emit([Row("booking floor (bare WSGI, raw SQL)", database_label(), note=_SKIPPED)])
        return
    jobs = _prepare(dsn)
    port = free_port()
    server = _serve(port, dsn)
    try:
        wait_until_up(port, server)
        results, wall = drive(port, TOKEN, jobs)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    emit([_row(results, wall, _double_bookings(dsn))])


def _prepare(dsn: str) -> list[dict]:
    """The floor's tables, its references and the booking requests, as booking_api makes
    them: distinct patients, separate slots, one request in ten for a slot another wants."""
    rng = random.Random(4)
    patients = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(REQUESTS)]
    practitioners = [str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(PRACTITIONERS)]
    location, visit_type = (str(uuid.UUID(int=rng.getrandbits(128))) for _ in range(2))
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(SCHEMA)
        connection.execute("INSERT INTO floor_token (digest) VALUES (%s)", [_digest(TOKEN)])
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO floor_reference (public_id) VALUES (%s)",
                [[ref] for ref in [*patients, *practitioners, location, visit_type]],
            )
    first_day = datetime.datetime.now(datetime.UTC).replace(
        hour=13, minute=0, second=0, microsecond=0
    ) + datetime.timedelta(days=1)
    slots = [
        (practitioner, first_day + datetime.timedelta(days=day) + VISIT * index)
        for practitioner in practitioners
        for day in range(90)
        for index in range(18)
    ]
    wanted = len(patients) - len(patients) // CONTESTED_SHARE
    chosen = rng.sample(slots, wanted)
    chosen += rng.sample(chosen, len(patients) - wanted)
    rng.shuffle(chosen)
    return [
        {
            "patient": patient,
            "practitioner": practitioner,
            "location": location,
            "visit_type": visit_type,
            "start": start.isoformat(),
        }
        for patient, (practitioner, start) in zip(patients, chosen, strict=True)
    ]


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _serve(port: int, dsn: str) -> subprocess.Popen:
    """The web server as `carebridge serve` runs it: same processes, threads and settings."""
    from carebridge.core.management.commands.serve import web_server_command

    return subprocess.Popen(
        web_server_command("bench.booking_floor:application", "127.0.0.1", str(port)),
        env={**os.environ, "FLOOR_DSN": dsn},
        cwd=Path(__file__).resolve().parent.parent,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


_connections = threading.local()
_REFERENCES = ", ".join(["(SELECT id FROM floor_reference WHERE public_id = %s)"] * 4)


def _connection() -> psycopg.Connection:
    if getattr(_connections, "current", None) is None:
        _connections.current = psycopg.connect(os.environ["FLOOR_DSN"], autocommit=True)
    return _connections.current


def application(environ, start_response):
    """The floor's WSGI entry point: a GET (the health probe, the clients' first request)
    answers at once, a POST books."""
    if environ["REQUEST_METHOD"] == "GET":
        return _answer(start_response, "200 OK", {"ok": True})
    length = int(environ.get("CONTENT_LENGTH") or 0)
    request = json.loads(environ["wsgi.input"].read(length))
    bearer = environ.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ")
    connection = _connection()
    if (
        connection.execute(
            "SELECT id FROM floor_token WHERE digest = %s", [_digest(bearer)]
        ).fetchone()
        is None
    ):
        return _answer(start_response, "401 Unauthorized", {"detail": "unknown token"})
    with connection.transaction():
        booked = _book(connection, request)
    if booked is None:
        return _answer(start_response, "409 Conflict", {"detail": "start: slot taken"})
    return _answer(start_response, "201 Created", {"id": booked, "start": request["start"]})


def _book(connection: psycopg.Connection, request: dict) -> int | None:
    patient, practitioner, _, _ = connection.execute(
        f"SELECT {_REFERENCES}",
        [request[name] for name in ("patient", "practitioner", "location", "visit_type")],
    ).fetchone()
    connection.execute("SELECT id FROM floor_reference WHERE id = %s FOR UPDATE", [practitioner])
    start = datetime.datetime.fromisoformat(request["start"])
    clash = connection.execute(
        "SELECT 1 FROM floor_appointment"
        " WHERE practitioner_id = %s AND starts < %s AND ends > %s LIMIT 1",
        [practitioner, start + VISIT, start],
    ).fetchone()
    if clash:
        return None
    [appointment] = connection.execute(
        "INSERT INTO floor_appointment (public_id, practitioner_id, patient_id, starts, ends)"
        " VALUES (%s, %s, %s, %s, %s) RETURNING id",
        [uuid.uuid4(), practitioner, patient, start, start + VISIT],
    ).fetchone()
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO floor_message (appointment_id, kind, body, idempotency_key)"
            " VALUES (%s, %s, %s, %s)",
            [
                [appointment, kind, f"Your visit on {start:%A %d %B at %H:%M}.", uuid.uuid4()]
                for kind in range(MESSAGES_PER_BOOKING)
            ],
        )
    _chain(connection, appointment)
    return appointment


def _chain(connection: psycopg.Connection, appointment: int) -> None:
    last_hash, sequence = connection.execute(
        "SELECT last_hash, last_sequence FROM floor_chain_head WHERE id = 1 FOR UPDATE"
    ).fetchone()
    entries = []
    for offset in range(1, AUDIT_ENTRIES_PER_BOOKING + 1):
        entries.append([sequence + offset, last_hash, appointment])
        last_hash = _digest(f"{last_hash}{sequence + offset}{appointment}")
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO floor_audit (sequence, previous_hash, object_id) VALUES (%s, %s, %s)",
            entries,
        )
    connection.execute(
        "UPDATE floor_chain_head SET last_hash = %s, last_sequence = %s WHERE id = 1",
        [last_hash, sequence + AUDIT_ENTRIES_PER_BOOKING],
    )


def _answer(start_response, status: str, body: dict) -> list[bytes]:
    content = json.dumps(body).encode()
    start_response(
        status, [("Content-Type", "application/json"), ("Content-Length", str(len(content)))]
    )
    return [content]


def _double_bookings(dsn: str) -> int:
    with psycopg.connect(dsn) as connection:
        return connection.execute(
            "SELECT count(*) FROM floor_appointment a JOIN floor_appointment b"
            " ON a.practitioner_id = b.practitioner_id AND a.id < b.id"
            " AND a.starts < b.ends AND b.starts < a.ends"
        ).fetchone()[0]


def _row(results, wall: float, double_bookings: int) -> Row:
    return Row(
        f"booking floor (bare WSGI, raw SQL, {CLIENTS} clients)",
        database_label(),
        throughput(results, wall) | {"double bookings": str(double_bookings)},
        target="- (what this machine can do at best; the booking target must fit under it)",
        note=f"{len(results)} requests; per booking {MESSAGES_PER_BOOKING} queued message(s) and "
        f"{AUDIT_ENTRIES_PER_BOOKING} audit entries, no framework",
    )


if __name__ == "__main__":
    main()
