"""Weekly hours kept by a clinic admin: add them, end them, and the visits left in hours
that end."""

import datetime

import pytest

from carebridge.accounts.services import user_create
from carebridge.audit.models import AuditEntry
from carebridge.core.errors import InvalidInput
from carebridge.directory.models import PractitionerRole
from carebridge.directory.services import location_create
from carebridge.scheduling.availability import slot_search
from carebridge.scheduling.constants import RuleKind
from carebridge.scheduling.models import AvailabilityRule
from carebridge.scheduling.selectors import visits_in_hours_after
from carebridge.scheduling.services.weekly_hours import weekly_hours_add, weekly_hours_end
from carebridge.scheduling.tests.messaging import NEW_YORK, NOW, book, reachable_patient
from conftest import PASSWORD

THURSDAY = datetime.date(2026, 12, 10)
SATURDAY = datetime.date(2026, 12, 12)


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def admin(client, org_a):
    user = user_create(organization=org_a, username="boss", password=PASSWORD, role="admin")
    client.force_login(user)
    return client


def at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), NEW_YORK)


def free_starts(clinic, day, location=None) -> list[datetime.datetime]:
    slots = slot_search(
        organization=clinic.organization,
        visit_type=clinic.visit_type,
        start_date=day,
        end_date=day,
        location_id=location.pk if location else None,
    )
    return [slot.start for slot in slots]


def thursday_rule(clinic) -> AvailabilityRule:
    return AvailabilityRule.objects.get(
        practitioner=clinic.practitioner, weekday=3, kind=RuleKind.WORKING
    )


def test_hours_added_at_a_new_location_make_the_practitioner_bookable_there(clinic_a):
    annex = location_create(
        organization=clinic_a.organization, name="Annex", timezone="America/New_York"
    )

    weekly_hours_add(
        practitioner=clinic_a.practitioner,
        location=annex,
        weekdays=[5],
        start_time=datetime.time(9),
        end_time=datetime.time(12),
    )

    assert PractitionerRole.objects.filter(practitioner=clinic_a.practitioner, location=annex)
    assert free_starts(clinic_a, SATURDAY, annex)[0] == at(SATURDAY, 9)


def test_a_break_takes_time_out_of_the_day(clinic_a):
    weekly_hours_add(
        practitioner=clinic_a.practitioner,
        location=clinic_a.location,
        weekdays=[3],
        start_time=datetime.time(15),
        end_time=datetime.time(17),
        kind=RuleKind.BREAK,
    )

    assert max(free_starts(clinic_a, THURSDAY)) == at(THURSDAY, 14) + datetime.timedelta(minutes=30)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"weekdays": []}, "weekdays", "choose at least one day"),
        ({"end_time": datetime.time(8)}, "end_time", "must be after start_time"),
        ({"weekdays": [0, 3]}, "start_time", "works at Clinic A Main on Mondays 09:00"),
        # the years booking refuses: mistyped
        (
            {"effective_from": datetime.date(1, 1, 1)},
            "effective_from",
            "effective_from: before 1900; check the year",
        ),
        (
            {"effective_from": datetime.date(9999, 12, 31)},
            "effective_from",
            "effective_from: more than 5 years ahead; check the year",
        ),
        (
            {"effective_until": datetime.date(9999, 12, 31)},
            "effective_until",
            "effective_until: more than 5 years ahead; check the year",
        ),
        (
            {"effective_until": datetime.date(2020, 1, 1)},
            "effective_until",
            "effective_until: These hours are already over.",
        ),
    ],
)
def test_bad_hours_are_refused_naming_the_field(clinic_a, changes, field, message):
    annex = location_create(
        organization=clinic_a.organization, name="Annex", timezone="America/New_York"
    )
    before = AvailabilityRule.objects.count()
    values = {
        "practitioner": clinic_a.practitioner,
        "location": annex,
        "weekdays": [5],
        "start_time": datetime.time(10),
        "end_time": datetime.time(14),
        **changes,
    }

    with pytest.raises(InvalidInput, match=message) as refused:
        weekly_hours_add(**values)

    assert refused.value.field == field
    assert AvailabilityRule.objects.count() == before


def test_hours_ending_today_where_the_location_is_are_not_over(clinic_a, time_machine):
    # 22:00 on Monday 30 November in Boston: already Tuesday in UTC.
    time_machine.move_to(datetime.datetime(2026, 12, 1, 3, 0, tzinfo=datetime.UTC), tick=False)
    values = {
        "practitioner": clinic_a.practitioner,
        "location": clinic_a.location,
        "weekdays": [5],
        "start_time": datetime.time(9),
        "end_time": datetime.time(12),
    }

    with pytest.raises(InvalidInput, match="already over") as refused:
        weekly_hours_add(**values, effective_until=datetime.date(2026, 11, 29))

    assert refused.value.field == "effective_until"
    [added] = weekly_hours_add(**values, effective_until=datetime.date(2026, 11, 30))
    assert added.effective_until == datetime.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("last_day", "message"),
    [
        (datetime.date(1, 1, 1), "last_day: before 1900; check the year"),
        (datetime.date(9999, 12, 31), "last_day: more than 5 years ahead; check the year"),
        (
            datetime.date(2026, 11, 29),
            "last_day: 2026-11-29 is past; hours can end today (2026-11-30) at the earliest",
        ),
    ],
)
def test_ending_hours_in_a_mistyped_year_or_on_a_past_day_is_refused(clinic_a, last_day, message):
    rule = thursday_rule(clinic_a)

    with pytest.raises(InvalidInput) as refused:
        weekly_hours_end(rule=rule, last_day=last_day)

    assert (refused.value.field, refused.value.message) == ("last_day", message)
    rule.refresh_from_db()
    assert rule.effective_until is None


def test_hours_can_end_today_in_the_location_calendar(clinic_a):
    # The clock stands at 07:00 on Monday 30 November in New York, the location's zone.
    rule = weekly_hours_end(rule=thursday_rule(clinic_a), last_day=datetime.date(2026, 11, 30))

    assert rule.effective_until == datetime.date(2026, 11, 30)
    assert not free_starts(clinic_a, THURSDAY)


def test_hours_elsewhere_on_other_dates_do_not_clash(clinic_a):
    weekly_hours_end(rule=thursday_rule(clinic_a), last_day=THURSDAY)
    annex = location_create(
        organization=clinic_a.organization, name="Annex", timezone="America/New_York"
    )

    weekly_hours_add(
        practitioner=clinic_a.practitioner,
        location=annex,
        weekdays=[3],
        start_time=datetime.time(9),
        end_time=datetime.time(17),
        effective_from=THURSDAY + datetime.timedelta(days=1),
    )

    next_thursday = THURSDAY + datetime.timedelta(weeks=1)
    assert free_starts(clinic_a, next_thursday, annex)
    assert not free_starts(clinic_a, next_thursday, clinic_a.location)


def test_ended_hours_stay_on_record_and_the_visits_after_are_named(clinic_a):
    patient = reachable_patient(clinic_a.organization)
    kept = book(clinic_a, patient, at(THURSDAY, 10))
    later = book(
        clinic_a,
        reachable_patient(clinic_a.organization, mrn="M-2"),
        at(THURSDAY + datetime.timedelta(weeks=1), 10),
    )
    rule = thursday_rule(clinic_a)

    assert visits_in_hours_after(rule=rule, last_day=THURSDAY, actor=None) == [later]
    weekly_hours_end(rule=rule, last_day=THURSDAY)

    rule.refresh_from_db()
    assert rule.effective_until == THURSDAY
    assert free_starts(clinic_a, THURSDAY)  # still works that day
    assert not free_starts(clinic_a, THURSDAY + datetime.timedelta(weeks=1))
    assert kept.start == at(THURSDAY, 10)
    with pytest.raises(InvalidInput, match="already end on 2026-12-10"):
        weekly_hours_end(rule=rule, last_day=THURSDAY + datetime.timedelta(days=3))


def test_hours_ended_before_they_begin_are_removed(clinic_a):
    [future] = weekly_hours_add(
        practitioner=clinic_a.practitioner,
        location=clinic_a.location,
        weekdays=[5],
        start_time=datetime.time(9),
        end_time=datetime.time(12),
        effective_from=SATURDAY,
    )

    assert weekly_hours_end(rule=future, last_day=SATURDAY - datetime.timedelta(days=1)) is None
    assert not AvailabilityRule.objects.filter(pk=future.pk).exists()


# the page


def test_everyone_who_books_sees_the_hours_only_admins_change_them(client, coordinator_a, clinic_a):
    client.force_login(coordinator_a)

    page = client.get("/schedule/hours/").content.decode()

    assert (
        "Weekly hours: Dr. Ana Okafor" in page and "Thursday" in page and "09:00\u201317:00" in page
    )
    assert "Add hours" not in page and ">End<" not in page
    assert client.post("/schedule/hours/", {}).status_code == 403
    assert (
        client.post(f"/schedule/hours/{thursday_rule(clinic_a).public_id}/end/").status_code == 403
    )


def test_an_admin_adds_saturday_mornings(admin, clinic_a):
    response = admin.post(
        f"/schedule/hours/?practitioner={clinic_a.practitioner.public_id}",
        {
            "location": str(clinic_a.location.public_id),
            "weekdays": ["5"],
            "start_time": "09:00",
            "end_time": "12:00",
            "kind": "working",
        },
        follow=True,
    )

    assert "Dr. Ana Okafor: hours added on Saturday." in response.content.decode()
    assert free_starts(clinic_a, SATURDAY)[0] == at(SATURDAY, 9)


def test_bad_hours_come_back_with_the_field_named(admin, clinic_a):
    response = admin.post(
        f"/schedule/hours/?practitioner={clinic_a.practitioner.public_id}",
        {
            "location": str(clinic_a.location.public_id),
            "start_time": "12:00",
            "end_time": "09:00",
            "kind": "working",
        },
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert errors["weekdays"] == ["Choose at least one day."]


@pytest.mark.parametrize(
    ("typed", "field", "shown"),
    [
        ({"start_time": "12:00", "end_time": "09:00"}, "end_time", "must be after “From”"),
        (
            {"effective_from": "2026-12-20", "effective_until": "2026-12-18"},
            "effective_until",
            "before “Starting”",
        ),
    ],
)
def test_bad_hours_speak_of_the_fields_by_their_labels(admin, clinic_a, typed, field, shown):
    response = admin.post(
        f"/schedule/hours/?practitioner={clinic_a.practitioner.public_id}",
        {
            "location": str(clinic_a.location.public_id),
            "weekdays": ["5"],
            "start_time": "09:00",
            "end_time": "12:00",
            "kind": "working",
            **typed,
        },
    )

    assert response.status_code == 400
    assert response.context["form"].errors[field] == [shown]


def test_ending_hours_names_the_visits_left_in_them(admin, clinic_a):
    visit = book(
        clinic_a, reachable_patient(clinic_a.organization, family_name="Moreno"), at(THURSDAY, 10)
    )
    rule = thursday_rule(clinic_a)

    response = admin.post(
        f"/schedule/hours/{rule.public_id}/end/", {"last_day": "2026-12-07"}, follow=True
    )

    html = response.content.decode()
    assert "Thursday 09:00\u201317:00 at Clinic A Main: end after Mon 2026-12-07." in html
    assert (
        "1 booked visit lies in these hours after that day; move them:"
        " Thu 2026-12-10 10:00 Rosa Moreno" in html
    )
    shown = AuditEntry.objects.filter(action="query", object_ref=str(visit.public_id))
    assert shown.get().actor.username == "boss"


def test_a_mistyped_last_day_on_the_page_is_refused_before_any_visit_is_read(admin, clinic_a):
    rule = thursday_rule(clinic_a)

    response = admin.post(
        f"/schedule/hours/{rule.public_id}/end/", {"last_day": "9999-12-31"}, follow=True
    )

    assert "More than 5 years ahead; check the year" in response.content.decode()
    rule.refresh_from_db()
    assert rule.effective_until is None
    assert not AuditEntry.objects.filter(action="query").exists()


def test_another_clinics_practitioner_or_hours_are_not_found(admin, clinic_b):
    rule = thursday_rule(clinic_b)

    assert (
        admin.get(f"/schedule/hours/?practitioner={clinic_b.practitioner.public_id}").status_code
        == 404
    )
    assert (
        admin.post(f"/schedule/hours/{rule.public_id}/end/", {"last_day": "2026-12-07"}).status_code
        == 404
    )
    rule.refresh_from_db()
    assert rule.effective_until is None
