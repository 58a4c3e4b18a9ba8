"""Weekly hours over the JSON API: read them, add them, end them."""

import datetime

import pytest

from carebridge.accounts.services import token_issue, user_create
from carebridge.directory.services import location_create
from carebridge.scheduling.models import AvailabilityRule
from carebridge.scheduling.tests.messaging import NEW_YORK, NOW, book, reachable_patient
from carebridge.tests.api_client import ApiClient
from conftest import PASSWORD

THURSDAY = datetime.date(2026, 12, 10)


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def admin_api(org_a) -> ApiClient:
    user = user_create(organization=org_a, username="boss", password=PASSWORD, role="admin")
    return ApiClient(token_issue(user=user)[1])


def hours_path(clinic) -> str:
    return f"/practitioners/{clinic.practitioner.public_id}/hours"


def test_everyone_who_books_reads_the_hours(api_a, clinic_a):
    hours = api_a.get(hours_path(clinic_a)).json()

    assert len(hours) == 10  # Monday to Friday, each with its lunch break
    thursday = [h for h in hours if h["weekday"] == 3 and h["kind"] == "working"]
    assert thursday[0]["start_time"] == "09:00:00" and thursday[0]["end_time"] == "17:00:00"
    assert thursday[0]["location"]["name"] == "Clinic A Main"


def test_an_admin_adds_hours_at_a_new_location(admin_api, clinic_a):
    annex = location_create(
        organization=clinic_a.organization, name="Annex", timezone="America/New_York"
    )

    response = admin_api.post(
        hours_path(clinic_a),
        {
            "location": str(annex.public_id),
            "weekdays": [5, 6],
            "start_time": "09:00",
            "end_time": "12:00",
        },
    )

    assert response.status_code == 201, response.content
    assert [h["weekday"] for h in response.json()] == [5, 6]
    assert AvailabilityRule.objects.filter(location=annex).count() == 2


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weekdays": []}, "weekdays"),
        ({"weekdays": [7]}, "weekdays"),
        ({"weekdays": [0]}, "start_time"),  # overlaps Monday at Clinic A Main
        ({"end_time": "08:00"}, "end_time"),
        ({"start_time": "10:00-05:00"}, "start_time"),
        ({"location": "6f1c2b1e-0000-4000-8000-000000000000"}, "location"),
        ({"effective_from": "0001-01-01"}, "effective_from"),  # mistyped years
        ({"effective_from": "9999-12-31"}, "effective_from"),
        ({"effective_until": "2020-01-01"}, "effective_until"),  # already over
    ],
)
def test_bad_hours_are_refused_naming_the_field(admin_api, clinic_a, changes, field):
    annex = location_create(
        organization=clinic_a.organization, name="Annex", timezone="America/New_York"
    )
    before = AvailabilityRule.objects.count()
    payload = {
        "location": str(annex.public_id),
        "weekdays": [5],
        "start_time": "10:00",
        "end_time": "14:00",
        **changes,
    }

    response = admin_api.post(hours_path(clinic_a), payload)

    body = response.json()
    assert response.status_code in (400, 404), body
    named = [body["field"], *(problem["field"] for problem in body.get("errors") or [])]
    assert any(name and name.split(".")[0] == field for name in named)  # weekdays.0 for [7]
    assert AvailabilityRule.objects.count() == before


def test_ending_hours_lists_the_visits_to_move(admin_api, clinic_a):
    visit = book(
        clinic_a,
        reachable_patient(clinic_a.organization),
        datetime.datetime.combine(THURSDAY, datetime.time(10), NEW_YORK),
    )
    rule = AvailabilityRule.objects.get(
        practitioner=clinic_a.practitioner, weekday=3, kind="working"
    )

    response = admin_api.post(f"/weekly-hours/{rule.public_id}/end", {"last_day": "2026-12-07"})

    assert response.status_code == 200, response.content
    assert response.json()["hours"]["effective_until"] == "2026-12-07"
    assert response.json()["visits_after"] == [str(visit.public_id)]


@pytest.mark.parametrize(
    ("last_day", "reason"),
    [
        ("0001-01-01", "before 1900; check the year"),
        ("9999-12-31", "more than 5 years ahead; check the year"),
    ],
)
def test_ending_hours_in_a_mistyped_year_is_refused(admin_api, clinic_a, last_day, reason):
    rule = AvailabilityRule.objects.get(
        practitioner=clinic_a.practitioner, weekday=3, kind="working"
    )

    response = admin_api.post(f"/weekly-hours/{rule.public_id}/end", {"last_day": last_day})

    assert response.status_code == 400, response.content
    assert response.json()["field"] == "last_day"
    assert response.json()["message"] == f"last_day: {reason}"
    rule.refresh_from_db()
    assert rule.effective_until is None


def test_coordinators_may_not_change_hours_nor_anyone_another_clinics(
    api_a, admin_api, clinic_a, clinic_b
):
    rule = AvailabilityRule.objects.filter(practitioner=clinic_b.practitioner).first()

    assert (
        api_a.post(f"/weekly-hours/{rule.public_id}/end", {"last_day": "2026-12-07"}).status_code
        == 403
    )
    assert (
        admin_api.post(
            f"/weekly-hours/{rule.public_id}/end", {"last_day": "2026-12-07"}
        ).status_code
        == 404
    )
    assert admin_api.get(hours_path(clinic_b)).status_code == 404
    rule.refresh_from_db()
    assert rule.effective_until is None
