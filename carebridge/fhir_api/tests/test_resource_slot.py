import datetime
import re
import uuid

import pytest

from carebridge.core.errors import NotFound
from carebridge.fhir_api.interactions import slot as slot_interactions
from carebridge.fhir_api.resources.schedule import schedule_id
from carebridge.fhir_api.resources.slot import SlotKey, parse_slot_id, slot_id
from carebridge.fhir_api.tests.fhir_http import (
    MONDAY,
    FhirClient,
    at,
    outcome_issue,
    slot_id_at,
    validated,
)
from carebridge.scheduling.services.appointments import appointment_book

FHIR_ID = re.compile(r"^[A-Za-z0-9\-.]{1,64}$")


pytestmark = pytest.mark.usefixtures("monday_morning")


def monday_slots(fhir: FhirClient, **params) -> dict:
    query = {"start": [f"ge{MONDAY}", f"lt{MONDAY + datetime.timedelta(days=1)}"], **params}
    response = fhir.get("Slot", query)
    assert response.status_code == 200, response.json()
    return validated(response.json())


def book(clinic, patient, start):
    return appointment_book(
        organization=clinic.organization,
        actor=None,
        patient=patient,
        practitioner=clinic.practitioner,
        location=clinic.location,
        visit_type=clinic.visit_type,
        start=start,
    )


def test_slot_id_round_trips_inside_fhirs_id_limit():
    key = SlotKey(uuid.uuid4(), uuid.uuid4(), at(MONDAY, 9).astimezone(datetime.UTC))

    value = slot_id(key)

    assert FHIR_ID.match(value)
    assert parse_slot_id(value) == key
    assert parse_slot_id(value.upper()) == key


@pytest.mark.parametrize("value", ["", "abc", "not base32!", "a" * 64])
def test_a_malformed_slot_id_is_not_found(value):
    with pytest.raises(NotFound):
        parse_slot_id(value)


LAST_SECOND_PYTHON_KNOWS = datetime.datetime.max.replace(tzinfo=datetime.UTC)


@pytest.mark.parametrize(
    "start",
    [
        b"\xff" * 5,
        int(LAST_SECOND_PYTHON_KNOWS.timestamp()).to_bytes(5, "big"),
        int(at(MONDAY.replace(year=2040), 9).timestamp()).to_bytes(5, "big"),
    ],
    ids=["past-the-last-year", "the-last-second", "past-the-booking-horizon"],
)
def test_a_slot_id_with_a_start_never_offered_is_not_found(fhir_a, clinic_a, start):
    response = fhir_a.get(f"Slot/{slot_id_at(clinic_a, start)}")

    assert response.status_code == 404
    assert outcome_issue(response)["code"] == "not-found"


def test_search_offers_the_free_times_of_the_day(fhir_a, clinic_a):
    bundle = monday_slots(fhir_a, _count="100")

    slots = [entry["resource"] for entry in bundle["entry"]]
    schedule = f"Schedule/{schedule_id(clinic_a.practitioner, clinic_a.location)}"
    assert slots[0]["start"] == "2030-03-04T09:00:00-05:00"
    assert slots[0]["end"] == "2030-03-04T09:30:00-05:00"
    assert {slot["schedule"]["reference"] for slot in slots} == {schedule}
    assert {slot["status"] for slot in slots} == {"free"}
    assert "2030-03-04T12:00:00-05:00" not in {slot["start"] for slot in slots}
    assert bundle["total"] == len(slots)


def test_booked_time_shows_busy_and_is_no_longer_free(fhir_a, clinic_a, patient_a):
    book(clinic_a, patient_a, at(MONDAY, 9))

    free = monday_slots(fhir_a, status="free")
    busy = monday_slots(fhir_a, status="busy")

    assert "2030-03-04T09:00:00-05:00" not in {e["resource"]["start"] for e in free["entry"]}
    assert [e["resource"]["start"] for e in busy["entry"]] == ["2030-03-04T09:00:00-05:00"]


def test_start_prefixes_narrow_the_window(fhir_a, clinic_a):
    bundle = validated(
        fhir_a.get(
            "Slot", {"start": ["gt2030-03-04T15:30:00-05:00", "le2030-03-04T16:30:00-05:00"]}
        ).json()
    )

    assert [e["resource"]["start"] for e in bundle["entry"]] == [
        "2030-03-04T15:45:00-05:00",
        "2030-03-04T16:00:00-05:00",
        "2030-03-04T16:15:00-05:00",
        "2030-03-04T16:30:00-05:00",
    ]


def test_service_type_filters_by_visit_type_code(fhir_a, clinic_a):
    known = monday_slots(fhir_a, **{"service-type": "urn:carebridge:visit-type|follow-up"})
    unknown = monday_slots(fhir_a, **{"service-type": "surgery"})

    assert known["total"] > 0
    assert unknown["total"] == 0


def test_a_slot_found_can_be_read_back_until_it_is_taken(fhir_a, clinic_a, patient_a):
    found = monday_slots(fhir_a, _count="1")["entry"][0]["resource"]

    before = fhir_a.get(f"Slot/{found['id']}")
    book(clinic_a, patient_a, at(MONDAY, 9))
    after = fhir_a.get(f"Slot/{found['id']}")

    assert validated(before.json()) == found
    assert validated(after.json())["status"] == "busy"


def test_a_slot_no_longer_offered_is_not_found(fhir_a, clinic_a):
    key = SlotKey(
        schedule_id(clinic_a.practitioner, clinic_a.location),
        clinic_a.visit_type.public_id,
        at(MONDAY, 12),  # lunch break
    )

    response = fhir_a.get(f"Slot/{slot_id(key)}")

    assert response.status_code == 404


def test_other_organization_gets_404_and_sees_none_of_their_slots(fhir_a, clinic_a, token_b):
    theirs = monday_slots(FhirClient(token_b), _count="1")["entry"][0]["resource"]

    response = fhir_a.get(f"Slot/{theirs['id']}")
    ours = monday_slots(fhir_a, _count="100")
    by_their_schedule = monday_slots(fhir_a, schedule=theirs["schedule"]["reference"])

    assert response.status_code == 404
    assert outcome_issue(response)["code"] == "not-found"
    assert theirs["schedule"] not in [e["resource"]["schedule"] for e in ours["entry"]]
    assert by_their_schedule["total"] == 0


def test_paging_links_cover_every_slot(fhir_a, clinic_a):
    everything = monday_slots(fhir_a, _count="100")
    first = monday_slots(fhir_a, _count="5")
    next_url = next(link["url"] for link in first["link"] if link["relation"] == "next")

    second = validated(fhir_a.client.get(next_url, headers=fhir_a.headers).json())

    starts = [e["resource"]["start"] for e in everything["entry"]]
    assert [e["resource"]["start"] for e in first["entry"] + second["entry"]] == starts[:10]


@pytest.mark.parametrize(
    "window",
    [["ge2046-03-05", "lt2046-03-08"], ["ge1901-03-05", "lt1901-03-08"]],
)
def test_no_time_is_free_beyond_the_booking_horizon_nor_in_the_past(fhir_a, clinic_a, window):
    response = fhir_a.get("Slot", {"start": window, "status": "free"})

    assert response.status_code == 200
    assert validated(response.json())["total"] == 0


def test_a_window_over_31_days_is_refused(fhir_a, clinic_a):
    response = fhir_a.get("Slot", {"start": ["ge2030-03-04", "lt2030-05-01"]})

    assert response.status_code == 400
    assert outcome_issue(response)["expression"] == ["start"]


def test_unsupported_date_prefix_is_refused(fhir_a, clinic_a):
    response = fhir_a.get("Slot", {"start": "sa2030-03-04"})

    assert response.status_code == 400
    assert "sa" in outcome_issue(response)["diagnostics"]


def test_a_search_the_engine_cannot_answer_in_full_is_refused(fhir_a, clinic_a, monkeypatch):
    monkeypatch.setattr(slot_interactions, "ENGINE_LIMIT", 5)

    response = fhir_a.get("Slot", {"start": f"ge{MONDAY}"})

    assert response.status_code == 400
    assert "narrow" in outcome_issue(response)["diagnostics"]
