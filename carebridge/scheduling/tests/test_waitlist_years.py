"""A waitlist entry's dates fall in the years every date a clinic is given does (1900 to
five years ahead): a mistyped year is refused, naming the field, whichever way it comes."""

import datetime

import pytest

from carebridge.core.errors import InvalidInput
from carebridge.scheduling.models import WaitlistEntry
from carebridge.scheduling.services.waitlist import waitlist_update
from carebridge.scheduling.tests.messaging import NOW
from carebridge.scheduling.tests.waitlisting import waiting

MISTYPED = [
    ("earliest_date", datetime.date(1, 1, 1), "earliest_date: before 1900; check the year"),
    (
        "latest_date",
        datetime.date(9999, 12, 31),
        "latest_date: more than 5 years ahead; check the year",
    ),
]


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.mark.parametrize(("field", "day", "reason"), MISTYPED)
def test_adding_refuses_a_mistyped_year(clinic_a, field, day, reason):
    with pytest.raises(InvalidInput) as caught:
        waiting(clinic_a, 1, **{field: day})

    assert (caught.value.field, caught.value.message) == (field, reason)
    assert not WaitlistEntry.objects.exists()


@pytest.mark.parametrize(("field", "day", "reason"), MISTYPED)
def test_changing_refuses_a_mistyped_year(clinic_a, field, day, reason):
    entry = waiting(clinic_a, 1)

    with pytest.raises(InvalidInput) as caught:
        waitlist_update(entry=entry, actor=None, changes={field: day})

    entry.refresh_from_db()
    assert (caught.value.field, caught.value.message) == (field, reason)
    assert getattr(entry, field) is None


def test_five_years_ahead_is_still_taken(clinic_a):
    last_day = NOW.date() + datetime.timedelta(days=5 * 365)

    entry = waiting(clinic_a, 1, latest_date=last_day)

    assert entry.latest_date == last_day


@pytest.mark.parametrize(
    ("typed", "field", "shown"),
    [
        ({"earliest_date": "0001-01-01"}, "earliest_date", "before 1900; check the year"),
        ({"latest_date": "9999-12-31"}, "latest_date", "more than 5 years ahead; check the year"),
    ],
)
def test_the_form_shows_the_mistyped_year_on_its_field(
    client, coordinator_a, clinic_a, patient_a, typed, field, shown
):
    client.force_login(coordinator_a)

    response = client.post(
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
    assert not WaitlistEntry.objects.exists()


@pytest.mark.parametrize(("field", "day", "reason"), MISTYPED)
def test_the_api_refuses_a_mistyped_year_naming_the_field(
    api_a, clinic_a, patient_a, field, day, reason
):
    body = {"patient": str(patient_a.public_id), "visit_type": str(clinic_a.visit_type.public_id)}

    created = api_a.post("/waitlist", body | {field: day.isoformat()})
    entry = waiting(clinic_a, 1)
    changed = api_a.patch(f"/waitlist/{entry.public_id}", {field: day.isoformat()})

    for response in (created, changed):
        assert response.status_code == 400, response.content
        assert (response.json()["field"], response.json()["message"]) == (field, reason)
