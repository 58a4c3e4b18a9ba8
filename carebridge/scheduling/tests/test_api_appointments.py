import datetime

import pytest

from carebridge.patients.services import patient_create
from carebridge.scheduling.services.setup import visit_type_create
from carebridge.tests.api_client import ApiClient, queries_for

# A search may look far ahead ("everything before 2100"), not past what can be searched.
SEARCHABLE = "outside the years 1900 to 2999 that can be searched"

# Monday 10 June 2030, 08:00 in Boston: the practitioner starts at 09:00.
MONDAY_MORNING = datetime.datetime(2030, 6, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def monday_morning(time_machine):
    time_machine.move_to(MONDAY_MORNING, tick=False)


@pytest.fixture
def api_b(token_b):
    return ApiClient(token_b)


@pytest.fixture
def slots(api_a, clinic_a):
    """The first free slots of Monday: 09:00, 09:15, 09:30 …"""
    response = api_a.get("/slots", {"visit_type": clinic_a.visit_type.public_id, "limit": 10})
    return [slot["token"] for slot in response.json()]


@pytest.fixture
def appointment(api_a, patient_a, slots):
    """José at 09:00 on Monday."""
    response = api_a.post("/appointments", {"patient": str(patient_a.public_id), "slot": slots[0]})
    assert response.status_code == 201, response.content
    return response.json()


@pytest.fixture
def other_patient(org_a):
    return patient_create(
        organization=org_a,
        actor=None,
        fields={
            "given_name": "Ida",
            "family_name": "Berg",
            "birth_date": datetime.date(1966, 2, 3),
        },
    )


def _explicit(clinic, patient, start: str) -> dict:
    return {
        "patient": str(patient.public_id),
        "practitioner": str(clinic.practitioner.public_id),
        "location": str(clinic.location.public_id),
        "visit_type": str(clinic.visit_type.public_id),
        "start": start,
    }


def test_book_into_a_slot(appointment, patient_a, clinic_a):
    assert appointment["status"] == "booked"
    assert appointment["start"] == "2030-06-10T09:00:00-04:00"
    assert appointment["end"] == "2030-06-10T09:30:00-04:00"
    assert appointment["patient"]["id"] == str(patient_a.public_id)
    assert appointment["practitioner"]["display_name"] == "Dr. Ana Okafor"
    assert appointment["booking_channel"] == "api"
    assert appointment["version"] == 1


def test_book_at_an_explicit_time(api_a, clinic_a, patient_a):
    response = api_a.post("/appointments", _explicit(clinic_a, patient_a, "2030-06-11T14:00:00Z"))

    assert response.status_code == 201
    assert response.json()["start"] == "2030-06-11T10:00:00-04:00"


def test_book_a_taken_slot_is_a_conflict(api_a, appointment, other_patient, slots):
    response = api_a.post(
        "/appointments", {"patient": str(other_patient.public_id), "slot": slots[0]}
    )

    assert response.status_code == 409
    assert response.json()["code"] == "slot_taken"
    assert response.json()["field"] == "start"


def test_book_a_patient_twice_at_once_is_a_conflict(api_a, appointment, patient_a, clinic_a):
    other_time = _explicit(clinic_a, patient_a, "2030-06-10T09:15:00-04:00")

    response = api_a.post("/appointments", other_time | {"overbook_reason": "urgent"})

    assert response.status_code == 409
    assert response.json()["code"] == "patient_busy"


def test_book_outside_working_hours_breaks_a_rule(api_a, clinic_a, patient_a):
    saturday = _explicit(clinic_a, patient_a, "2030-06-15T10:00:00-04:00")

    response = api_a.post("/appointments", saturday)

    assert response.status_code == 422
    assert response.json()["code"] == "outside_availability"
    assert response.json()["field"] == "start"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"start": "2030-06-11T14:00:00"}, "start"),
        ({"start": None}, "start"),
        ({"visit_type": None}, "visit_type"),
        ({"practitioner": "someone"}, "practitioner"),
        ({"start": "2001-01-01T09:00:00Z"}, "start"),
        ({"notes": "x" * 4001}, "notes"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_book_names_the_bad_field(api_a, clinic_a, patient_a, change, field):
    body = _explicit(clinic_a, patient_a, "2030-06-11T14:00:00Z") | change

    response = api_a.post("/appointments", {k: v for k, v in body.items() if v is not None})

    assert response.status_code == 400
    assert response.json()["field"] == field


def test_book_with_a_forged_slot_token_is_refused(api_a, patient_a, slots):
    forged = slots[0][:-2] + ("AA" if not slots[0].endswith("AA") else "BB")

    response = api_a.post("/appointments", {"patient": str(patient_a.public_id), "slot": forged})

    assert response.status_code == 400
    assert response.json()["field"] == "slot"


def test_book_for_another_organizations_patient_is_not_found(api_b, clinic_b, patient_a):
    response = api_b.post("/appointments", _explicit(clinic_b, patient_a, "2030-06-11T14:00:00Z"))

    assert response.status_code == 404
    assert response.json()["field"] == "patient"


def test_book_into_another_organizations_slot_is_not_found(api_b, patient_b, slots):
    response = api_b.post("/appointments", {"patient": str(patient_b.public_id), "slot": slots[0]})

    assert response.status_code == 404
    assert response.json()["field"] == "practitioner"


def test_list_filters_by_patient_status_and_time(api_a, appointment, other_patient, slots):
    api_a.post("/appointments", {"patient": str(other_patient.public_id), "slot": slots[4]})

    def starts(**params):
        response = api_a.get("/appointments", params)
        assert response.status_code == 200, response.content
        return [item["start"][11:16] for item in response.json()["items"]]

    assert starts() == ["09:00", "10:00"]
    assert starts(patient=str(other_patient.public_id)) == ["10:00"]
    assert starts(start_from="2030-06-10T09:30:00-04:00") == ["10:00"]
    assert starts(start_before="2030-06-10T13:30:00Z") == ["09:00"]
    assert starts(status="cancelled") == []
    assert starts(status=["booked", "cancelled"], limit=1, offset=1) == ["10:00"]


@pytest.mark.parametrize("field", ["start_from", "start_before"])
@pytest.mark.parametrize(
    ("value", "reason"),
    [
        # Valid where they were typed, but out of what dates hold once read in UTC.
        ("0001-01-01T00:30:00+14:00", SEARCHABLE),
        ("9999-12-31T23:00:00-12:00", SEARCHABLE),
        ("3000-01-01T00:00:00Z", SEARCHABLE),
    ],
)
def test_list_refuses_a_mistyped_year_naming_the_filter(api_a, clinic_a, field, value, reason):
    response = api_a.get("/appointments", {field: value})

    assert response.status_code == 400, response.content
    assert response.json()["field"] == field
    assert response.json()["message"] == f"{field}: {reason}"


def test_list_runs_a_fixed_number_of_queries(api_a, appointment, other_patient, slots):
    one = queries_for(lambda: api_a.get("/appointments"))
    api_a.post("/appointments", {"patient": str(other_patient.public_id), "slot": slots[4]})

    assert queries_for(lambda: api_a.get("/appointments")) == one


def test_list_never_shows_another_organizations_appointments(api_b, appointment):
    response = api_b.get("/appointments")

    assert response.status_code == 200
    assert response.json()["items"] == []


def test_list_filtered_by_another_organizations_patient_is_not_found(api_b, patient_a):
    response = api_b.get("/appointments", {"patient": str(patient_a.public_id)})

    assert response.status_code == 404
    assert response.json()["field"] == "patient"


def test_read_includes_the_history(api_a, appointment, slots):
    url = f"/appointments/{appointment['id']}"
    api_a.post(f"{url}/reschedule", {"slot": slots[2], "reason": "patient asked", "version": 1})

    response = api_a.get(url)

    assert response.status_code == 200
    history = response.json()["history"]
    assert [entry["action"] for entry in history] == ["book", "reschedule"]
    assert history[1]["reason"] == "patient asked"
    assert history[1]["changed_by"] == "coord-a"
    assert {change["field"] for change in history[1]["changes"]} == {"start", "end"}


def test_read_of_another_organizations_appointment_is_not_found(api_b, appointment):
    response = api_b.get(f"/appointments/{appointment['id']}")

    assert response.status_code == 404


def test_reschedule_into_another_slot(api_a, appointment, slots):
    response = api_a.post(
        f"/appointments/{appointment['id']}/reschedule", {"slot": slots[3], "version": 1}
    )

    assert response.status_code == 200
    assert response.json()["start"] == "2030-06-10T09:45:00-04:00"
    assert response.json()["version"] == 2


def test_reschedule_from_a_stale_version_is_refused(api_a, appointment, slots):
    url = f"/appointments/{appointment['id']}/reschedule"
    api_a.post(url, {"slot": slots[3], "version": 1})

    response = api_a.post(url, {"slot": slots[5], "version": 1})

    assert response.status_code == 412
    assert response.json()["code"] == "stale_version"


def test_reschedule_into_a_slot_of_another_visit_type_is_refused(api_a, appointment, clinic_a):
    longer = visit_type_create(
        organization=clinic_a.organization, name="New patient", code="new", duration_minutes=60
    )
    slot = api_a.get("/slots", {"visit_type": longer.public_id, "limit": 1}).json()[0]

    response = api_a.post(f"/appointments/{appointment['id']}/reschedule", {"slot": slot["token"]})

    assert response.status_code == 400
    assert response.json()["field"] == "slot"


def test_reschedule_of_another_organizations_appointment_is_not_found(api_b, appointment, clinic_b):
    response = api_b.post(
        f"/appointments/{appointment['id']}/reschedule",
        {
            "practitioner": str(clinic_b.practitioner.public_id),
            "location": str(clinic_b.location.public_id),
            "start": "2030-06-11T14:00:00Z",
        },
    )

    assert response.status_code == 404


def test_cancel_records_why_and_frees_the_slot(api_a, appointment, other_patient, slots):
    response = api_a.post(
        f"/appointments/{appointment['id']}/cancel",
        {"reason": "feeling better", "cancelled_by": "patient", "version": 1},
    )

    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert response.json()["cancellation_reason"] == "feeling better"
    assert response.json()["cancelled_by"] == "patient"
    rebooked = api_a.post(
        "/appointments", {"patient": str(other_patient.public_id), "slot": slots[0]}
    )
    assert rebooked.status_code == 201


def test_cancel_needs_a_reason(api_a, appointment):
    response = api_a.post(f"/appointments/{appointment['id']}/cancel", {"reason": ""})

    assert response.status_code == 400
    assert response.json()["field"] == "reason"


def test_cancel_of_another_organizations_appointment_is_not_found(api_b, appointment):
    response = api_b.post(f"/appointments/{appointment['id']}/cancel", {"reason": "mistake"})

    assert response.status_code == 404


def test_status_change_along_the_lifecycle(api_a, appointment):
    response = api_a.post(f"/appointments/{appointment['id']}/status", {"status": "arrived"})

    assert response.status_code == 200
    assert response.json()["status"] == "arrived"


@pytest.mark.parametrize(
    ("status", "code"), [("pending", "illegal_transition"), ("noshow", "too_early")]
)
def test_status_change_against_the_rules_is_refused(api_a, appointment, status, code):
    response = api_a.post(f"/appointments/{appointment['id']}/status", {"status": status})

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert response.json()["field"] == "status"


def test_status_must_be_a_known_status(api_a, appointment):
    response = api_a.post(f"/appointments/{appointment['id']}/status", {"status": "teleported"})

    assert response.status_code == 400
    assert response.json()["field"] == "status"


def test_status_change_of_another_organizations_appointment_is_not_found(api_b, appointment):
    response = api_b.post(f"/appointments/{appointment['id']}/status", {"status": "arrived"})

    assert response.status_code == 404


def test_notes_are_replaced(api_a, appointment):
    response = api_a.send(
        "PUT", f"/appointments/{appointment['id']}/notes", {"notes": "bring x-rays", "version": 1}
    )

    assert response.status_code == 200
    assert response.json()["notes"] == "bring x-rays"


def test_notes_of_another_organizations_appointment_are_not_found(api_b, appointment):
    response = api_b.send("PUT", f"/appointments/{appointment['id']}/notes", {"notes": "hi"})

    assert response.status_code == 404


def test_list_may_look_far_ahead(api_a, appointment):
    response = api_a.get("/appointments", {"start_before": "2100-01-01T00:00:00Z"})

    assert response.status_code == 200, response.content
    assert [item["id"] for item in response.json()["items"]] == [appointment["id"]]
