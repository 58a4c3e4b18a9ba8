"""Find a time with From or To left empty: From means today, To means some weeks after
From but never past the last day a search may name (2031-03-01, five years from the frozen
Monday), so an empty field is never what an error is about."""

import pytest

from carebridge.web.tests.conftest import MONDAY

pytestmark = pytest.mark.usefixtures("frozen_monday")


def search(client, clinic, **dates):
    return client.get("/find/", {"visit_type": str(clinic.visit_type.public_id), **dates})


def test_an_empty_to_near_the_last_searchable_day_stops_at_that_day(coordinator_client, clinic_a):
    # when From is two days before the last day a search may name, and To is empty
    response = search(coordinator_client, clinic_a, start_date="2031-02-27")

    # then the search runs to that last day instead of 60 days on
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thu, Feb 27 · 9:00 AM EST" in html
    assert 'id="id_end_date_error"' not in html


def test_from_on_the_last_searchable_day_with_an_empty_to_finds_nothing_without_error(
    coordinator_client, clinic_a
):
    response = search(coordinator_client, clinic_a, start_date="2031-03-01")

    assert response.status_code == 200
    assert "Nothing free in that range" in response.content.decode()


def test_to_before_today_with_an_empty_from_is_explained_in_terms_of_today(
    coordinator_client, clinic_a
):
    yesterday = MONDAY.replace(day=1)

    response = search(coordinator_client, clinic_a, end_date=yesterday.isoformat())

    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_end_date_error"' in html
    assert "Must be today or later when “From” is empty." in html


def test_to_today_with_an_empty_from_searches_today(coordinator_client, clinic_a):
    response = search(coordinator_client, clinic_a, end_date=MONDAY.isoformat())

    assert response.status_code == 200
    assert "Mon, Mar 2 · 9:00 AM EST" in response.content.decode()
