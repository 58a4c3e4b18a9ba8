"""Search as you type shows the first 20 matches and says so when more patients match."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from carebridge.patients.services import patient_create
from carebridge.web.tests.conftest import htmx

MORE_MATCH = "The first 20 matches are shown and more patients match"


def register_smiths(organization, count: int) -> None:
    for number in range(count):
        patient_create(
            organization=organization,
            actor=None,
            fields={
                "given_name": "Amy",
                "family_name": "Smith",
                "birth_date": datetime.date(1980, 1, 1) + datetime.timedelta(days=number),
            },
        )


@pytest.mark.parametrize(("mode", "row"), [("", 'href="/patients/'), ("pick", 'type="radio"')])
def test_more_matches_than_are_shown_are_announced(coordinator_client, org_a, mode, row):
    register_smiths(org_a, 21)
    response = coordinator_client.get("/patients/", {"q": "smith", "mode": mode}, **htmx())
    html = response.content.decode()
    assert html.count(row) == 20
    assert MORE_MATCH in html


@pytest.mark.parametrize(("mode", "row"), [("", 'href="/patients/'), ("pick", 'type="radio"')])
def test_no_notice_when_every_match_is_shown(coordinator_client, org_a, mode, row):
    register_smiths(org_a, 20)
    response = coordinator_client.get("/patients/", {"q": "smith", "mode": mode}, **htmx())
    html = response.content.decode()
    assert html.count(row) == 20
    assert "more patients match" not in html


def test_knowing_that_more_match_counts_nothing(coordinator_client, org_a):
    # counting every match of a short prefix would scan them all on each keystroke
    register_smiths(org_a, 21)
    with CaptureQueriesContext(connection) as queries:
        coordinator_client.get("/patients/", {"q": "s"}, **htmx())
    assert not [query for query in queries if "COUNT(" in query["sql"].upper()]
