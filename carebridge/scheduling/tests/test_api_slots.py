import datetime

import pytest

from carebridge.directory.services import practitioner_create, practitioner_role_create
from carebridge.scheduling.services.setup import availability_rule_create
from carebridge.tests.api_client import ApiClient
from carebridge.tests.colleagues import colleague_add

# Monday 10 June 2030, 08:00 in Boston: the practitioner starts at 09:00.
MONDAY_MORNING = datetime.datetime(2030, 6, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def monday_morning(time_machine):
    time_machine.move_to(MONDAY_MORNING, tick=False)


@pytest.fixture
def api_b(token_b):
    return ApiClient(token_b)


def _slots(api, clinic, **params):
    response = api.get("/slots", {"visit_type": clinic.visit_type.public_id, **params})
    assert response.status_code == 200, response.content
    return response.json()


def test_first_available_slots_are_shown_in_the_locations_zone(api_a, clinic_a):
    slots = _slots(api_a, clinic_a, limit=3)

    assert [slot["start"] for slot in slots] == [
        "2030-06-10T09:00:00-04:00",
        "2030-06-10T09:15:00-04:00",
        "2030-06-10T09:30:00-04:00",
    ]
    first = slots[0]
    assert first["end"] == "2030-06-10T09:30:00-04:00"
    assert first["practitioner"]["id"] == str(clinic_a.practitioner.public_id)
    assert first["location"] == {
        "id": str(clinic_a.location.public_id),
        "name": "Clinic A Main",
        "timezone": "America/New_York",
    }
    assert first["visit_type"]["code"] == "follow-up"


def test_the_same_slot_always_has_the_same_token(api_a, clinic_a):
    first = _slots(api_a, clinic_a, limit=2)
    again = _slots(api_a, clinic_a, limit=2)

    assert [slot["token"] for slot in first] == [slot["token"] for slot in again]
    assert first[0]["token"] != first[1]["token"]


def test_slots_within_a_time_of_day_and_date_range(api_a, clinic_a):
    slots = _slots(
        api_a,
        clinic_a,
        start_date="2030-06-12",
        end_date="2030-06-12",
        time_from="14:00",
        time_to="15:00",
    )

    assert [slot["start"][11:16] for slot in slots] == ["14:00", "14:15", "14:30", "14:45"]
    assert {slot["start"][:10] for slot in slots} == {"2030-06-12"}


def test_slots_filtered_by_language_specialty_practitioner_and_location(api_a, clinic_a):
    practitioner = practitioner_create(
        organization=clinic_a.organization,
        given_name="Mei",
        family_name="Chen",
        specialties=[clinic_a.specialty],
        languages=["zh"],
    )
    practitioner_role_create(practitioner=practitioner, location=clinic_a.location)
    availability_rule_create(
        practitioner=practitioner,
        location=clinic_a.location,
        weekday=0,
        start_time=datetime.time(7),
        end_time=datetime.time(10),
    )
    chen, okafor = str(practitioner.public_id), str(clinic_a.practitioner.public_id)

    def practitioners(**params):
        return {slot["practitioner"]["id"] for slot in _slots(api_a, clinic_a, **params)}

    assert practitioners(language="zh") == {chen}
    assert practitioners(language="es") == {okafor}
    assert practitioners(practitioner=okafor) == {okafor}
    assert practitioners(specialty=clinic_a.specialty.public_id, limit=50) == {chen, okafor}
    assert practitioners(location=clinic_a.location.public_id, limit=50) == {chen, okafor}
    assert practitioners(language="de") == set()


def test_a_booked_slot_is_no_longer_offered(api_a, clinic_a, patient_a):
    first = _slots(api_a, clinic_a, limit=1)[0]
    booked = api_a.post(
        "/appointments", {"patient": str(patient_a.public_id), "slot": first["token"]}
    )
    assert booked.status_code == 201

    assert _slots(api_a, clinic_a, limit=1)[0]["start"] == "2030-06-10T09:30:00-04:00"


def test_slots_for_a_patient_skip_the_times_of_their_other_visits(api_a, clinic_a, patient_a):
    first = _slots(api_a, clinic_a, limit=1)[0]
    booked = api_a.post(
        "/appointments", {"patient": str(patient_a.public_id), "slot": first["token"]}
    )
    assert booked.status_code == 201
    colleague = str(colleague_add(clinic_a, weekday=0).public_id)

    def starts(**params):
        return [slot["start"] for slot in _slots(api_a, clinic_a, practitioner=colleague, **params)]

    # the colleague is free at 09:00, but this patient is not (their visit runs to 09:30)
    assert starts(limit=1) == ["2030-06-10T09:00:00-04:00"]
    assert starts(limit=1, patient=patient_a.public_id) == ["2030-06-10T09:30:00-04:00"]


def test_slots_for_another_organizations_patient_are_not_found(api_b, clinic_b, patient_a):
    response = api_b.get(
        "/slots", {"visit_type": clinic_b.visit_type.public_id, "patient": patient_a.public_id}
    )

    assert response.status_code == 404
    assert response.json()["field"] == "patient"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"time_from": "14:00"}, "time_to"),
        ({"time_from": "15:00", "time_to": "14:00"}, "time_to"),
        ({"time_from": "14:00Z", "time_to": "15:00"}, "time_from"),  # a time of day has no zone
        ({"time_from": "14:00", "time_to": "15:00+01:00"}, "time_to"),
        ({"start_date": "2030-06-12", "end_date": "2030-06-11"}, "end_date"),
        ({"start_date": "12 June"}, "start_date"),
        ({"limit": 0}, "limit"),
        ({"start_date": "9999-12-30"}, "start_date"),  # its default end is past year 9999
        ({"start_date": "0001-01-01", "end_date": "0001-01-05"}, "start_date"),
        ({"start_date": "2030-06-12", "end_date": "2099-06-11"}, "end_date"),
    ],
)
def test_slot_search_names_the_bad_parameter(api_a, clinic_a, params, field):
    response = api_a.get("/slots", {"visit_type": clinic_a.visit_type.public_id, **params})

    assert response.status_code == 400
    assert response.json()["field"] == field


def test_a_time_of_day_with_an_offset_is_refused_saying_why(api_a, clinic_a):
    params = {"visit_type": clinic_a.visit_type.public_id, "time_from": "09:00Z"}

    response = api_a.get("/slots", params | {"time_to": "12:00"})

    assert response.json()["message"] == (
        "time_from: a time of day at the location, written without a UTC offset or Z"
    )


def test_slot_search_needs_a_visit_type(api_a, clinic_a):
    response = api_a.get("/slots")

    assert response.status_code == 400
    assert response.json()["field"] == "visit_type"


def test_slots_for_another_organizations_visit_type_are_not_found(api_b, clinic_a):
    response = api_b.get("/slots", {"visit_type": clinic_a.visit_type.public_id})

    assert response.status_code == 404
    assert response.json()["field"] == "visit_type"


def test_slots_at_another_organizations_location_are_not_found(api_b, clinic_a, clinic_b):
    response = api_b.get(
        "/slots",
        {"visit_type": clinic_b.visit_type.public_id, "location": clinic_a.location.public_id},
    )

    assert response.status_code == 404
    assert response.json()["field"] == "location"
