"""Many HTTP clients book the same slots at the same instant, over real connections.

Each round, every client waits at a barrier and then asks for one of a few slots; for each
slot exactly one booking may win, and everyone else must get a clean 409.
"""

import datetime
import itertools
import threading
from collections import Counter, defaultdict

import pytest
import requests

from carebridge.accounts.services import token_issue
from carebridge.audit.services import audit_verify
from carebridge.patients.services import patient_create
from carebridge.scheduling.constants import ACTIVE_STATUSES
from carebridge.scheduling.models import Appointment, AppointmentFieldChange, AppointmentHistory

CLIENTS = 18
ROUNDS = 3
SLOTS_PER_ROUND = 3
# Only so that a hung server fails the test instead of hanging it; never reached when healthy.
HANG = 120


def _patients(organization, count):
    return [
        patient_create(
            organization=organization,
            actor=None,
            fields={
                "given_name": f"Racer{index}",
                "family_name": "Tester",
                "birth_date": datetime.date(1980, 1, 1) + datetime.timedelta(days=index),
            },
        )
        for index in range(count)
    ]


def _apart(slots: list[dict], count: int) -> list[dict]:
    """The earliest `count` slots that do not overlap each other."""
    chosen: list[dict] = []
    for slot in slots:
        start = datetime.datetime.fromisoformat(slot["start"])
        if not chosen or start >= datetime.datetime.fromisoformat(chosen[-1]["end"]):
            chosen.append(slot)
    assert len(chosen) >= count, "not enough free slots to race for"
    return chosen[:count]


def _race_round(url: str, token: str, bookings: list[dict]) -> list[requests.Response]:
    """Send every booking at once from its own thread and connection."""
    barrier = threading.Barrier(len(bookings))
    answers: list = [None] * len(bookings)

    def book(index: int) -> None:
        with requests.Session() as session:
            session.headers["Authorization"] = f"Bearer {token}"
            barrier.wait()
            try:
                answers[index] = session.post(
                    f"{url}/api/appointments", json=bookings[index], timeout=HANG
                )
            except requests.RequestException as error:
                answers[index] = error

    threads = [threading.Thread(target=book, args=(index,)) for index in range(len(bookings))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def _assert_no_overlaps(appointments: list[Appointment]) -> None:
    by_practitioner = defaultdict(list)
    for appointment in appointments:
        by_practitioner[appointment.practitioner_id].append(appointment)
    for booked in by_practitioner.values():
        booked.sort(key=lambda a: a.blocked_start)
        for earlier, later in itertools.pairwise(booked):
            assert earlier.blocked_end <= later.blocked_start


@pytest.mark.race
@pytest.mark.django_db(transaction=True)
def test_concurrent_clients_book_each_slot_exactly_once(live_server, clinic_a, coordinator_a):
    token = token_issue(user=coordinator_a)[1]
    patients = _patients(clinic_a.organization, CLIENTS * ROUNDS)
    found = requests.get(
        f"{live_server.url}/api/slots",
        params={"visit_type": str(clinic_a.visit_type.public_id), "limit": 100},
        headers={"Authorization": f"Bearer {token}"},
        timeout=HANG,
    )
    assert found.status_code == 200
    rounds = _apart(found.json(), ROUNDS * SLOTS_PER_ROUND)

    winners: Counter = Counter()
    for number in range(ROUNDS):
        slots = rounds[number * SLOTS_PER_ROUND : (number + 1) * SLOTS_PER_ROUND]
        bookings = [
            {
                "patient": str(patients[number * CLIENTS + index].public_id),
                "slot": slots[index % SLOTS_PER_ROUND]["token"],
            }
            for index in range(CLIENTS)
        ]
        answers = _race_round(live_server.url, token, bookings)

        for booking, answer in zip(bookings, answers, strict=True):
            assert isinstance(answer, requests.Response), answer
            assert answer.status_code in (201, 409), answer.text
            if answer.status_code == 201:
                winners[booking["slot"]] += 1
            else:
                assert answer.json()["code"] == "slot_taken"
                assert answer.json()["field"] == "start"
        assert [winners[slot["token"]] for slot in slots] == [1] * SLOTS_PER_ROUND

    appointments = list(Appointment.objects.all())
    assert len(appointments) == ROUNDS * SLOTS_PER_ROUND
    assert all(a.status in ACTIVE_STATUSES for a in appointments)
    _assert_no_overlaps(appointments)
    # Losing bookings leave nothing behind: one history entry per appointment, no stray rows.
    assert AppointmentHistory.objects.count() == len(appointments)
    assert not AppointmentFieldChange.objects.exclude(history__in=AppointmentHistory.objects.all())
    assert audit_verify(organization_id=clinic_a.organization.pk) == []
