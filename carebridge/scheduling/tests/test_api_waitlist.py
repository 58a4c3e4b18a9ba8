"""The waitlist over the JSON API: list, create, read, change and remove entries."""

import pytest

from carebridge.accounts.services import token_issue, user_create
from carebridge.audit.models import AuditEntry
from carebridge.scheduling.models import WaitlistEntry
from carebridge.scheduling.tests.messaging import NOW
from carebridge.scheduling.tests.waitlisting import waiting
from carebridge.tests.api_client import ApiClient, queries_for


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def api_b(token_b):
    return ApiClient(token_b)


@pytest.fixture
def entry(api_a, clinic_a, patient_a):
    response = api_a.post(
        "/waitlist",
        {
            "patient": str(patient_a.public_id),
            "visit_type": str(clinic_a.visit_type.public_id),
            "practitioner": str(clinic_a.practitioner.public_id),
            "weekdays": [0, 2],
            "time_from": "09:00",
            "time_to": "12:00",
            "latest_date": "2026-12-31",
            "priority": "high",
            "note": "Prefers mornings",
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def test_create_returns_the_entry(entry, patient_a, clinic_a):
    assert entry["patient"]["id"] == str(patient_a.public_id)
    assert entry["visit_type"]["code"] == "follow-up"
    assert entry["practitioner"]["display_name"] == "Dr. Ana Okafor"
    assert (entry["location"], entry["specialty"]) == (None, None)
    assert (entry["weekdays"], entry["time_from"], entry["time_to"]) == (
        [0, 2],
        "09:00:00",
        "12:00:00",
    )
    assert (entry["priority"], entry["status"], entry["appointment"]) == ("high", "waiting", None)
    assert entry["created_at"].startswith("2026-11-30T12:00:00")
    assert entry["joined_at"].startswith("2026-11-30T12:00:00")
    stored = WaitlistEntry.objects.get(public_id=entry["id"])
    assert stored.created_by.username == "coord-a"
    assert AuditEntry.objects.filter(object_ref=entry["id"], action="create").exists()


def test_a_second_entry_for_the_same_visit_type_is_a_conflict(api_a, entry, clinic_a, patient_a):
    response = api_a.post(
        "/waitlist",
        {"patient": str(patient_a.public_id), "visit_type": str(clinic_a.visit_type.public_id)},
    )

    assert response.status_code == 409
    assert response.json()["code"] == "already_waiting"
    assert response.json()["field"] == "visit_type"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weekdays": [7]}, "weekdays"),
        ({"time_from": "10:00"}, "time_to"),
        ({"time_from": "10:00", "time_to": "09:00"}, "time_to"),
        ({"time_from": "09:00", "time_to": "00:00:00Z"}, "time_to"),
        ({"earliest_date": "2027-01-10", "latest_date": "2027-01-01"}, "latest_date"),
        ({"latest_date": "2026-01-01"}, "latest_date"),
        ({"priority": "someday"}, "priority"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_invalid_preferences_name_the_field(api_a, clinic_a, patient_a, changes, field):
    body = {"patient": str(patient_a.public_id), "visit_type": str(clinic_a.visit_type.public_id)}

    response = api_a.post("/waitlist", body | changes)

    assert response.status_code == 400, response.content
    assert response.json()["field"] == field


def test_another_organizations_reference_is_not_found(api_a, clinic_a, clinic_b, patient_a):
    response = api_a.post(
        "/waitlist",
        {
            "patient": str(patient_a.public_id),
            "visit_type": str(clinic_a.visit_type.public_id),
            "location": str(clinic_b.location.public_id),
        },
    )

    assert response.status_code == 404
    assert response.json()["field"] == "location"


def test_list_in_offer_order_with_filters(api_a, entry, clinic_a):
    urgent = waiting(clinic_a, 1, priority="urgent")
    routine = waiting(clinic_a, 2)

    response = api_a.get("/waitlist")

    body = response.json()
    assert [item["id"] for item in body["items"]] == [
        str(urgent.public_id),
        entry["id"],
        str(routine.public_id),
    ]
    assert body["total"] == 3
    only_high = api_a.get(
        "/waitlist",
        {
            "status": "waiting",
            "visit_type": str(clinic_a.visit_type.public_id),
            "limit": 1,
            "offset": 1,
        },
    )
    assert [item["id"] for item in only_high.json()["items"]] == [entry["id"]]
    assert api_a.get("/waitlist", {"status": "booked"}).json()["total"] == 0


def test_the_list_does_not_query_once_per_entry(api_a, clinic_a):
    for n in range(3):
        waiting(clinic_a, n)
    few = queries_for(lambda: api_a.get("/waitlist"))
    for n in range(3, 9):
        waiting(clinic_a, n)

    assert queries_for(lambda: api_a.get("/waitlist")) == few


def test_patch_changes_only_what_is_sent(api_a, entry):
    response = api_a.patch(f"/waitlist/{entry['id']}", {"priority": "urgent", "practitioner": None})

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["priority"], body["practitioner"], body["note"]) == (
        "urgent",
        None,
        "Prefers mornings",
    )
    assert body["weekdays"] == [0, 2]


def test_delete_removes_the_entry_and_keeps_it_readable(api_a, entry):
    response = api_a.send("DELETE", f"/waitlist/{entry['id']}?reason=booked+elsewhere")

    assert response.status_code == 204
    read = api_a.get(f"/waitlist/{entry['id']}").json()
    assert read["status"] == "removed"
    changed = api_a.patch(f"/waitlist/{entry['id']}", {"note": "again"})
    assert changed.status_code == 422
    assert changed.json()["code"] == "entry_closed"


def test_another_organization_gets_404(api_b, entry):
    assert api_b.get(f"/waitlist/{entry['id']}").status_code == 404
    assert api_b.patch(f"/waitlist/{entry['id']}", {"note": "x"}).status_code == 404
    assert api_b.send("DELETE", f"/waitlist/{entry['id']}").status_code == 404
    assert api_b.get("/waitlist").json()["total"] == 0


def test_roles_that_do_not_book_may_read_but_not_manage(clinic_a, entry):
    doctor = user_create(
        organization=clinic_a.organization, username="doc", password="x" * 20, role="billing"
    )
    api = ApiClient(token_issue(user=doctor)[1])

    assert api.get(f"/waitlist/{entry['id']}").status_code == 200
    assert api.patch(f"/waitlist/{entry['id']}", {"note": "x"}).status_code == 403


def test_without_a_token_the_answer_is_401():
    assert ApiClient().get("/waitlist").status_code == 401


def test_the_schema_documents_the_waitlist(api_a):
    schema = api_a.client.get("/api/openapi.json").json()

    assert {"get", "post"} <= set(schema["paths"]["/api/waitlist"])
    assert {"get", "patch", "delete"} <= set(schema["paths"]["/api/waitlist/{entry_id}"])
