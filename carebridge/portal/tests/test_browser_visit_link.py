"""A patient's visit link in a real browser: the page's buttons must work for someone who
opened it from a message, with the browser's own Origin and cookie handling."""

import re

import pytest
from playwright.sync_api import expect

from carebridge.scheduling.links import visit_links
from carebridge.scheduling.models import RescheduleOffer
from carebridge.scheduling.tests.messaging import NOW, VISIT, book, reachable_patient
from carebridge.tests.browser import BROWSER_TEST

pytestmark = BROWSER_TEST


@pytest.fixture
def appointment(clinic_a, time_machine):
    time_machine.move_to(NOW, tick=True)
    return book(clinic_a, reachable_patient(clinic_a.organization))


def visit_page(live_server, appointment) -> str:
    url = visit_links(appointment_public_id=str(appointment.public_id), expires_at=VISIT)
    return live_server.url + re.sub(r"^https?://[^/]+", "", url["manage_url"])


def test_patient_confirms_from_the_link(live_server, appointment, page):
    page.goto(visit_page(live_server, appointment))
    page.get_by_role("button", name="I will come").click()

    expect(page.locator("main")).to_contain_text("your visit is confirmed")
    appointment.refresh_from_db()
    assert appointment.confirmed_via == "link"


def test_patient_moves_the_visit_to_an_offered_time(live_server, appointment, page):
    page.goto(visit_page(live_server, appointment))
    page.get_by_role("button", name="Find another time").click()
    expect(page.locator("main")).to_contain_text("These times are free")
    page.locator("main form button").first.click()

    expect(page.locator("main")).to_contain_text("your visit has moved")
    appointment.refresh_from_db()
    assert appointment.start == RescheduleOffer.objects.get().options.get(number=1).start
