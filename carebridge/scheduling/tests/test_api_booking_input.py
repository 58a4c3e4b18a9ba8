"""A booking's input read as the client meant it: a slot token and what is sent beside it,
and the names of bad list filters."""

import datetime

import pytest

from carebridge.scheduling.models import Appointment

# Monday 10 June 2030, 08:00 in Boston: the practitioner starts at 09:00.
MONDAY_MORNING = datetime.datetime(2030, 6, 10, 12, 0, tzinfo=datetime.UTC)
# An id that is not the slot's (fixed, so parallel workers collect the same tests).
ELSEWHERE = "3f1b2c4d-0000-4000-8000-000000000001"


@pytest.fixture(autouse=True)
def monday_morning(time_machine):
    time_machine.move_to(MONDAY_MORNING, tick=False)


@pytest.fixture
def slot(api_a, clinic_a) -> dict:
    """The first free slot of Monday, 09:00."""
    response = api_a.get("/slots", {"visit_type": clinic_a.visit_type.public_id, "limit": 1})
    return response.json()[0]


def test_fields_beside_a_slot_token_may_repeat_it(api_a, clinic_a, patient_a, slot):
    response = api_a.post(
        "/appointments",
        {
            "patient": str(patient_a.public_id),
            "slot": slot["token"],
            "practitioner": str(clinic_a.practitioner.public_id),
            "location": str(clinic_a.location.public_id),
            "visit_type": str(clinic_a.visit_type.public_id),
            "start": slot["start"],
        },
    )

    assert response.status_code == 201, response.content


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("practitioner", ELSEWHERE),
        ("location", ELSEWHERE),
        ("visit_type", ELSEWHERE),
        ("start", "2030-06-11T09:00:00-04:00"),
    ],
)
def test_fields_beside_a_slot_token_that_contradict_it_are_refused(
    api_a, patient_a, slot, field, value
):
    booking = {"patient": str(patient_a.public_id), "slot": slot["token"], field: value}

    response = api_a.post("/appointments", booking)

    assert response.status_code == 400
    assert response.json()["field"] == field
    assert "slot" in response.json()["message"]
    assert not Appointment.objects.exists()


def test_a_move_beside_a_slot_token_is_checked_too(api_a, patient_a, slot):
    booked = api_a.post(
        "/appointments", {"patient": str(patient_a.public_id), "slot": slot["token"]}
    )
    moved = api_a.post(
        f"/appointments/{booked.json()['id']}/reschedule",
        {"slot": slot["token"], "start": "2030-06-11T09:00:00-04:00", "version": 1},
    )

    assert moved.status_code == 400
    assert moved.json()["field"] == "start"


@pytest.mark.parametrize("query", ["status=bogus", "status=booked&status=bogus"])
def test_a_bad_repeated_filter_is_named_as_sent(api_a, query):
    response = api_a.get(f"/appointments?{query}")

    assert response.status_code == 400
    assert response.json()["field"] == "status"
    assert [error["field"] for error in response.json()["errors"]] == ["status"]


@pytest.mark.parametrize(
    ("path", "start", "end"),
    [
        ("/appointments", "start_from", "start_before"),
        ("/messages", "due_from", "due_before"),
        ("/inbound", "received_from", "received_before"),
    ],
)
def test_a_time_window_that_holds_no_time_is_refused(api_a, path, start, end):
    window = {start: "2030-06-12T00:00:00Z", end: "2030-06-11T00:00:00Z"}

    response = api_a.get(path, window)

    assert response.status_code == 400
    assert response.json()["field"] == end
    assert response.json()["message"] == f"{end}: must be after {start}"


def test_a_reason_of_spaces_for_a_move_is_no_reason(api_a, patient_a, slot, clinic_a):
    booked = api_a.post(
        "/appointments", {"patient": str(patient_a.public_id), "slot": slot["token"]}
    )
    later = api_a.get("/slots", {"visit_type": clinic_a.visit_type.public_id, "limit": 3}).json()

    moved = api_a.post(
        f"/appointments/{booked.json()['id']}/reschedule",
        {"slot": later[-1]["token"], "reason": "   ", "version": 1},
    )

    assert moved.status_code == 200, moved.content
    history = Appointment.objects.get().history.order_by("version")
    assert [entry.reason for entry in history] == ["", ""]
