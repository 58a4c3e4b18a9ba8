"""Time off and extra hours over the JSON API: record, list, read, take back."""

import pytest

from carebridge.accounts.services import token_issue, user_create
from carebridge.directory.services import location_create
from carebridge.scheduling.models import AvailabilityException
from carebridge.scheduling.tests.messaging import NOW, VISIT, book, reachable_patient
from carebridge.tests.api_client import ApiClient, queries_for
from conftest import PASSWORD


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


def day_off(clinic, **changes) -> dict:
    return {
        "practitioner": str(clinic.practitioner.public_id),
        "start": "2026-12-10T00:00:00-05:00",
        "end": "2026-12-11T00:00:00-05:00",
        "reason": "Conference",
        **changes,
    }


def test_time_off_is_recorded_with_the_visits_to_move(api_a, clinic_a, coordinator_a):
    visit = book(clinic_a, reachable_patient(clinic_a.organization), VISIT)

    response = api_a.post("/time-off", day_off(clinic_a))

    assert response.status_code == 201, response.content
    body = response.json()
    assert body["kind"] == "unavailable" and body["location"] is None
    assert body["practitioner"]["id"] == str(clinic_a.practitioner.public_id)
    assert (body["start"], body["end"]) == (
        "2026-12-10T00:00:00-05:00",
        "2026-12-11T00:00:00-05:00",
    )
    assert body["visits"] == [str(visit.public_id)]
    assert AvailabilityException.objects.get().created_by == coordinator_a
    assert api_a.get(f"/time-off/{body['id']}").json() == body
    assert api_a.get("/time-off").json() == [body]


def test_extra_hours_come_back_in_the_location_zone(api_a, clinic_a):
    response = api_a.post(
        "/time-off",
        day_off(
            clinic_a,
            kind="extra",
            location=str(clinic_a.location.public_id),
            start="2026-12-12T14:00:00Z",
            end="2026-12-12T17:00:00Z",
        ),
    )

    assert response.status_code == 201, response.content
    assert response.json()["start"] == "2026-12-12T09:00:00-05:00"
    assert response.json()["location"]["id"] == str(clinic_a.location.public_id)


@pytest.mark.parametrize(
    ("changes", "status", "field"),
    [
        ({"end": "2026-12-09T00:00:00-05:00"}, 400, "end"),
        (
            {"start": "2026-11-02T00:00:00-05:00", "end": "2026-11-03T00:00:00-05:00"},
            400,
            "end",
        ),  # already over: refused here as on the page
        ({"kind": "extra"}, 400, "location"),
        ({"start": "2026-12-10T00:00:00"}, 400, "start"),  # no offset: whose midnight?
        ({"kind": "holiday"}, 400, "kind"),
        ({"practitioner": "6f1c2b1e-0000-4000-8000-000000000000"}, 404, "practitioner"),
        ({"hours": 3}, 400, "hours"),
    ],
)
def test_bad_input_names_the_field_and_records_nothing(api_a, clinic_a, changes, status, field):
    response = api_a.post("/time-off", day_off(clinic_a, **changes))

    assert response.status_code == status, response.content
    body = response.json()
    assert field in [body["field"], *(problem["field"] for problem in body.get("errors") or [])]
    assert not AvailabilityException.objects.exists()


@pytest.mark.parametrize(
    ("start", "end"),
    [
        # within year 9999 where typed, in year 10000 in UTC
        ("9999-12-31T20:00:00-12:00", "9999-12-31T23:00:00-12:00"),
        ("9999-06-01T00:00:00-05:00", "9999-06-02T00:00:00-05:00"),
    ],
)
def test_a_mistyped_year_is_refused_as_booking_refuses_it(api_a, clinic_a, start, end):
    response = api_a.post("/time-off", day_off(clinic_a, start=start, end=end))

    assert response.status_code == 400, response.content
    assert {(problem["field"], problem["message"]) for problem in response.json()["errors"]} == {
        ("start", "start: more than 5 years ahead; check the year"),
        ("end", "end: more than 5 years ahead; check the year"),
    }
    assert not AvailabilityException.objects.exists()


def test_time_off_only_at_a_location_where_the_practitioner_works(api_a, clinic_a):
    annex = location_create(
        organization=clinic_a.organization, name="Annex", timezone="America/New_York"
    )

    response = api_a.post("/time-off", day_off(clinic_a, location=str(annex.public_id)))

    assert response.status_code == 400, response.content
    assert response.json()["field"] == "location"
    assert response.json()["message"] == "location: Dr. Ana Okafor does not work at Annex"
    assert not AvailabilityException.objects.exists()


def test_another_clinic_sees_none_of_it(api_a, clinic_a, clinic_b, token_b):
    entry = api_a.post("/time-off", day_off(clinic_a)).json()
    other = ApiClient(token_b)

    assert other.get("/time-off").json() == []
    assert other.get(f"/time-off/{entry['id']}").status_code == 404
    assert other.send("DELETE", f"/time-off/{entry['id']}").status_code == 404
    assert other.post("/time-off", day_off(clinic_a)).status_code == 404
    assert (
        api_a.get("/time-off", {"practitioner": str(clinic_b.practitioner.public_id)}).status_code
        == 404
    )
    assert AvailabilityException.objects.count() == 1


def test_taking_back(api_a, clinic_a):
    away = api_a.post("/time-off", day_off(clinic_a)).json()
    extra = api_a.post(
        "/time-off",
        day_off(
            clinic_a,
            kind="extra",
            location=str(clinic_a.location.public_id),
            start="2026-12-12T09:00:00-05:00",
            end="2026-12-12T12:00:00-05:00",
        ),
    ).json()
    book(clinic_a, reachable_patient(clinic_a.organization), VISIT.replace(day=12))

    assert api_a.send("DELETE", f"/time-off/{away['id']}").status_code == 204
    refused = api_a.send("DELETE", f"/time-off/{extra['id']}")
    assert refused.status_code == 409 and "booked in these extra hours" in refused.json()["message"]
    assert [entry["id"] for entry in api_a.get("/time-off").json()] == [extra["id"]]


def test_roles(clinic_a, clinician_a):
    doctor = ApiClient(token_issue(user=clinician_a)[1])
    billing = user_create(
        organization=clinic_a.organization, username="bill", password=PASSWORD, role="billing"
    )
    clerk = ApiClient(token_issue(user=billing)[1])

    assert doctor.get("/time-off").status_code == 200
    assert doctor.post("/time-off", day_off(clinic_a)).status_code == 403
    assert clerk.get("/time-off").status_code == 403


def test_the_list_does_not_query_per_entry(api_a, clinic_a):
    api_a.post("/time-off", day_off(clinic_a))
    one = queries_for(lambda: api_a.get("/time-off"))
    for day in (14, 15, 16):
        api_a.post(
            "/time-off",
            day_off(
                clinic_a,
                start=f"2026-12-{day}T00:00:00-05:00",
                end=f"2026-12-{day}T12:00:00-05:00",
            ),
        )

    assert queries_for(lambda: api_a.get("/time-off")) == one
