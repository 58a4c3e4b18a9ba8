import pytest
import time_machine

from carebridge.directory.services import practitioner_create
from carebridge.tests.colleagues import colleague_add
from carebridge.web.tests.conftest import at, book

pytestmark = pytest.mark.usefixtures("frozen_monday")


def search(client, clinic, **extra):
    return client.get("/find/", {"visit_type": str(clinic.visit_type.public_id), **extra})


def test_lists_the_earliest_free_times_in_the_locations_zone(
    coordinator_client, clinic_a, patient_a
):
    book(clinic_a, patient_a, at(9, day=at(9).date().replace(day=2)))
    response = search(coordinator_client, clinic_a, patient=str(patient_a.public_id))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Mon, Mar 2 · 9:30 AM EST" in html
    assert "Mon, Mar 2 · 9:00 AM EST" not in html
    assert 'value="2026-03-02T09:30"' in html and "Book José" in html


def test_a_patients_offers_skip_the_times_of_their_other_visits(
    coordinator_client, clinic_a, patient_a
):
    # given the patient booked on Monday 9:00, and a second practitioner free from 9:00
    monday = at(9).date().replace(day=2)
    book(clinic_a, patient_a, at(9, day=monday))
    colleague_add(clinic_a, weekday=monday.weekday(), hours=(9, 12))
    # the second practitioner's 9:00 is offered to others, not to this patient
    assert "Mon, Mar 2 · 9:00 AM EST" in search(coordinator_client, clinic_a).content.decode()
    html = search(coordinator_client, clinic_a, patient=str(patient_a.public_id)).content.decode()
    assert "Mon, Mar 2 · 9:00 AM EST" not in html and "Mon, Mar 2 · 9:30 AM EST" in html


def test_time_of_day_and_dates_narrow_the_search(coordinator_client, clinic_a):
    response = search(
        coordinator_client, clinic_a, start_date="2026-03-04", time_from="14:00", time_to="16:00"
    )
    html = response.content.decode()
    assert "Wed, Mar 4 · 2:00 PM EST" in html
    assert "Choose a patient on the left" in html


def test_reversed_dates_are_explained(coordinator_client, clinic_a):
    response = search(coordinator_client, clinic_a, start_date="2026-03-09", end_date="2026-03-04")
    assert response.status_code == 400
    assert 'id="id_end_date_error"' in response.content.decode()


@pytest.mark.parametrize("field", ["start_date", "end_date"])
def test_a_date_in_a_mistyped_year_is_explained(coordinator_client, clinic_a, field):
    response = search(coordinator_client, clinic_a, **{field: "9999-12-31"})

    assert response.status_code == 400
    html = response.content.decode()
    assert f'id="id_{field}_error"' in html and "check the year" in html


def test_other_organizations_visit_type_is_not_offered(coordinator_client, clinic_a, clinic_b):
    response = search(coordinator_client, clinic_b)
    assert response.status_code == 400
    assert "Earliest times" in response.content.decode()


def test_anonymous_is_sent_to_login(client, clinic_a):
    assert search(client, clinic_a).status_code == 302


def test_language_is_chosen_among_those_the_clinics_practitioners_speak(
    coordinator_client, clinic_a, clinic_b
):
    practitioner_create(
        organization=clinic_b.organization, given_name="Lev", family_name="Orlov", languages=["ru"]
    )
    colleague_add(clinic_a, weekday=0, languages=("zh",))

    html = coordinator_client.get("/find/").content.decode()

    english = html.index('<option value="en">English · en</option>')
    spanish = html.index('<option value="es">Spanish · es</option>')
    chinese = html.index('<option value="zh">Chinese · zh</option>')
    assert chinese < english < spanish  # by name, not by tag
    assert 'value="ru"' not in html  # another clinic's practitioner speaks it


def test_a_language_nobody_speaks_is_refused_naming_the_field(coordinator_client, clinic_a):
    response = search(coordinator_client, clinic_a, language="tlh")

    assert response.status_code == 400
    assert 'id="id_language_error"' in response.content.decode()


def test_searching_by_language_offers_only_who_speaks_it(coordinator_client, clinic_a):
    monday = at(9).date().replace(day=2)
    colleague_add(clinic_a, weekday=monday.weekday(), hours=(8, 9))

    html = search(coordinator_client, clinic_a, language="es").content.decode()

    assert "Mon, Mar 2 · 9:00 AM EST" in html  # the clinic's Spanish-speaking practitioner
    assert "Mon, Mar 2 · 8:00 AM EST" not in html  # the colleague speaks no Spanish


def test_from_defaults_to_the_clinics_today_when_utc_is_already_tomorrow(
    coordinator_client, coordinator_a, clinic_a
):
    # given a colleague working Monday evenings, and 7:08 PM on Monday in Boston (Tuesday in UTC)
    monday = at(9).date().replace(day=2)
    colleague_add(clinic_a, weekday=monday.weekday(), hours=(9, 22))
    with time_machine.travel(at(19, 8, day=monday), tick=False):
        coordinator_client.force_login(coordinator_a)  # the idle session ended meanwhile
        html = search(coordinator_client, clinic_a).content.decode()
    # the rest of Monday evening is offered
    assert "Mon, Mar 2 · 7:30 PM EST" in html
