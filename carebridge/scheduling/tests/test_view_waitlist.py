"""The coordinator's waitlist page: entries, offers in flight, outcomes; add and remove."""

import datetime
import re

import pytest

from carebridge.accounts.services import user_create
from carebridge.core import clock
from carebridge.scheduling.models import WaitlistEntry, WaitlistPolicy
from carebridge.scheduling.services.appointments import appointment_cancel
from carebridge.scheduling.services.setup import visit_type_create
from carebridge.scheduling.services.waitlist import waitlist_offer_accept
from carebridge.scheduling.tests.messaging import NOW, VISIT, book, reachable_patient
from carebridge.scheduling.tests.waitlisting import offers_of, waiting
from carebridge.tests.api_client import queries_for


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def staff(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


def free_the_visit(clinic, mrn="V-1", start=VISIT):
    visit = book(clinic, reachable_patient(clinic.organization, mrn=mrn), start)
    appointment_cancel(appointment=visit, actor=None, reason="away")


def test_the_page_lists_entries_offers_and_outcomes(staff, clinic_a, time_machine):
    taker = waiting(clinic_a, 1, priority="urgent", weekdays=[3], note="Knee pain")
    waiting(clinic_a, 2)
    free_the_visit(clinic_a)
    time_machine.move_to(NOW + datetime.timedelta(minutes=12), tick=False)
    waitlist_offer_accept(offer=offers_of(taker)[0], via="link")
    free_the_visit(clinic_a, "V-2", VISIT + datetime.timedelta(hours=1))

    html = staff.get("/waitlist/").content.decode()

    assert "Wait2" in html and "Knee pain" not in html  # the booked entry left the list
    assert "Offers in flight" in html and "Thu 2026-12-10 11:00" in html  # Boston time
    assert "Filled" in html and "12 min" in html
    assert "fill rate 100%" in html
    booked = staff.get("/waitlist/?status=booked").content.decode()
    assert "Knee pain" in booked and "Patients (1)" in booked


def test_time_waiting_counts_from_when_the_patient_joined(staff, clinic_a):
    with clock.pinned(NOW - datetime.timedelta(days=15)):
        waiting(clinic_a, 1)

    html = staff.get("/waitlist/").content.decode()

    assert "2\xa0weeks, 1\xa0day" in html


def test_filter_by_visit_type(staff, clinic_a):
    physical = visit_type_create(
        organization=clinic_a.organization, name="Physical", code="physical", duration_minutes=60
    )
    waiting(clinic_a, 1)
    waiting(clinic_a, 2, visit_type=physical)

    html = staff.get(f"/waitlist/?visit_type={physical.public_id}").content.decode()

    assert "Wait2" in html and "Wait1" not in html


def test_an_unknown_filter_value_is_a_400(staff, clinic_b):
    assert staff.get(f"/waitlist/?visit_type={clinic_b.visit_type.public_id}").status_code == 400


def test_the_page_does_not_query_per_row(staff, clinic_a):
    waiting(clinic_a, 1)
    free_the_visit(clinic_a)
    few = queries_for(lambda: staff.get("/waitlist/"))
    for n in range(2, 6):
        waiting(clinic_a, n)
    free_the_visit(clinic_a, "V-2", VISIT + datetime.timedelta(hours=1))

    assert queries_for(lambda: staff.get("/waitlist/")) <= few + 2


def test_the_weekday_boxes_are_a_group_under_their_legend(staff):
    html = staff.get("/waitlist/new/").content.decode()

    group = re.search(r"<fieldset class=\"field\">\s*<legend>Weekdays.*?</fieldset>", html, re.S)
    assert group is not None
    assert group.group().count('type="checkbox"') == 7


def test_add_a_patient_with_preferences(staff, clinic_a, patient_a):
    form = staff.get(f"/waitlist/new/?patient={patient_a.public_id}").content.decode()
    assert "Álvarez" in form

    response = staff.post(
        "/waitlist/new/",
        {
            "patient": str(patient_a.public_id),
            "visit_type": str(clinic_a.visit_type.public_id),
            "priority": "high",
            "location": str(clinic_a.location.public_id),
            "weekdays": ["0", "4"],
            "time_from": "08:00",
            "time_to": "12:00",
            "latest_date": "2027-01-31",
            "note": "Any morning",
        },
    )

    assert response.status_code == 302
    entry = WaitlistEntry.objects.get(patient=patient_a)
    assert (entry.priority, entry.weekdays, entry.location) == ("high", [0, 4], clinic_a.location)
    assert entry.time_from == datetime.time(8) and entry.created_by.username == "coord-a"


def test_a_broken_rule_is_shown_next_to_its_field(staff, clinic_a, patient_a):
    response = staff.post(
        "/waitlist/new/",
        {
            "patient": str(patient_a.public_id),
            "visit_type": str(clinic_a.visit_type.public_id),
            "priority": "routine",
            "time_from": "12:00",
            "time_to": "08:00",
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors["time_to"] == ["must be after “From (local time)”"]
    shown = '<p class="field-error" id="id_time_to_error">must be after “From (local time)”</p>'
    assert shown in response.content.decode()
    assert not WaitlistEntry.objects.exists()


@pytest.mark.parametrize(
    ("typed", "field", "shown"),
    [
        ({"latest_date": "2026-11-01"}, "latest_date", "is in the past"),
        (
            {"earliest_date": "2026-12-20", "latest_date": "2026-12-18"},
            "latest_date",
            "must not be before “Earliest date”",
        ),
        (
            {"time_from": "08:00"},
            "time_to",
            "give “From (local time)” and “Until (local time)” together",
        ),
    ],
)
def test_a_broken_rule_speaks_of_the_fields_by_their_labels(
    staff, clinic_a, patient_a, typed, field, shown
):
    response = staff.post(
        "/waitlist/new/",
        {
            "patient": str(patient_a.public_id),
            "visit_type": str(clinic_a.visit_type.public_id),
            "priority": "routine",
            **typed,
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [shown]
    assert f"{field}: " not in response.content.decode()


def test_a_patient_already_waiting_is_told_without_the_fields_name(staff, clinic_a):
    entry = waiting(clinic_a, 1)

    response = staff.post(
        "/waitlist/new/",
        {
            "patient": str(entry.patient.public_id),
            "visit_type": str(clinic_a.visit_type.public_id),
            "priority": "routine",
        },
    )

    errors = response.context["form"].errors["visit_type"]
    assert errors[0].startswith(f"{entry.patient.display_name} is already waiting for")
    assert "visit_type:" not in response.content.decode()


def test_remove_takes_the_entry_off_the_list(staff, clinic_a):
    entry = waiting(clinic_a, 1)

    response = staff.post(f"/waitlist/{entry.public_id}/remove/")

    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == "removed"


def test_removing_an_entry_no_longer_open_says_why_without_a_field_name(staff, clinic_a):
    entry = waiting(clinic_a, 1)
    WaitlistEntry.objects.filter(pk=entry.pk).update(status="booked")

    response = staff.post(f"/waitlist/{entry.public_id}/remove/", follow=True)

    shown = [str(message) for message in response.context["messages"]]
    assert shown == ["a booked entry is no longer on the waitlist"]


def test_another_organization_gets_404(client, coordinator_b, clinic_a):
    entry = waiting(clinic_a, 1)
    client.force_login(coordinator_b)

    assert client.post(f"/waitlist/{entry.public_id}/remove/").status_code == 404
    assert "Wait1" not in client.get("/waitlist/").content.decode()
    entry.refresh_from_db()
    assert entry.status == "waiting"


def test_roles_that_do_not_book_see_but_do_not_manage(client, clinic_a):
    entry = waiting(clinic_a, 1)
    billing = user_create(
        organization=clinic_a.organization, username="bill", password="x" * 20, role="billing"
    )
    client.force_login(billing)

    page = client.get("/waitlist/").content.decode()

    assert "Wait1" in page and "Add to waitlist" not in page
    assert client.get("/waitlist/new/").status_code == 403
    assert client.post(f"/waitlist/{entry.public_id}/remove/").status_code == 403


def test_staff_must_log_in(client):
    response = client.get("/waitlist/")

    assert response.status_code == 302 and "login" in response["Location"]


def test_clinic_admins_set_the_policy(client, clinic_a):
    admin = user_create(
        organization=clinic_a.organization, username="boss", password="x" * 20, role="admin"
    )
    client.force_login(admin)

    response = client.post(
        "/waitlist/policy/", {"batch_size": "2", "hold_minutes": "15", "min_lead_minutes": "120"}
    )

    assert response.status_code == 302
    policy = WaitlistPolicy.objects.get(organization=clinic_a.organization)
    assert (policy.batch_size, policy.hold_minutes, policy.min_lead_minutes) == (2, 15, 120)
    refused = client.post(
        "/waitlist/policy/", {"batch_size": "99", "hold_minutes": "15", "min_lead_minutes": "0"}
    )
    assert refused.status_code == 400 and "from 1 to 20" in refused.content.decode()


def test_coordinators_see_the_policy_but_do_not_set_it(staff):
    page = staff.get("/waitlist/").content.decode()

    assert "3 patients at a time, each offer held 30 minutes" in page
    assert staff.post("/waitlist/policy/", {"batch_size": "2"}).status_code == 403
