"""The staff pages and a patient's visit link on a phone, in a real browser: the page never
scrolls sideways (the board and tables scroll in their own boxes), the menu stays on the
screen, a tapped free time shows its booking form, and the patient's buttons are big enough
to tap."""

import datetime

import pytest
from playwright.sync_api import Page, expect

from carebridge.directory.services import practitioner_create, practitioner_role_create
from carebridge.portal.tests.test_browser_visit_link import visit_page
from carebridge.scheduling.services.setup import availability_rule_create
from carebridge.scheduling.tests.messaging import NOW, VISIT, book, reachable_patient
from carebridge.tests.browser import BROWSER_TEST
from carebridge.web.tests.test_browser_booking_journey import click_and_settle, log_in

pytestmark = BROWSER_TEST

PHONE = {"width": 390, "height": 844}
# Apple's and Google's guidelines: a tap target at least 44 CSS pixels tall.
TAP_HEIGHT = 44


@pytest.fixture
def appointment(clinic_a, time_machine):
    """A visit on a board of four practitioners: wider than a phone."""
    time_machine.move_to(NOW, tick=True)
    for family_name in ("Berg", "Chen", "Dube"):
        practitioner = practitioner_create(
            organization=clinic_a.organization,
            given_name="Sam",
            family_name=family_name,
            prefix="Dr.",
            specialties=[clinic_a.specialty],
        )
        practitioner_role_create(
            practitioner=practitioner, location=clinic_a.location, specialty=clinic_a.specialty
        )
        availability_rule_create(
            practitioner=practitioner,
            location=clinic_a.location,
            weekday=VISIT.weekday(),
            start_time=datetime.time(9),
            end_time=datetime.time(17),
        )
    return book(clinic_a, reachable_patient(clinic_a.organization))


def assert_fits_the_screen(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    for link in page.locator(".mainnav a").all():
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], link.inner_text()
        assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], link.inner_text()


def test_staff_pages_fit_a_phone(live_server, appointment, coordinator_a, page):
    page.set_viewport_size(PHONE)
    log_in(page, live_server.url, coordinator_a.username)

    # the board scrolls inside its own box, not the page
    page.goto(f"{live_server.url}/?date={VISIT.date().isoformat()}")
    board = page.locator(".board")
    expect(board).to_be_visible()
    assert_fits_the_screen(page)
    assert board.evaluate("element => element.scrollWidth > element.clientWidth")

    # a tapped free time brings its booking form, below the board, onto the screen
    click_and_settle(page, page.locator(".cell.free").first)
    expect(page.locator("#panel")).to_contain_text("Book an appointment")
    assert 0 <= page.locator("#panel").bounding_box()["y"] < PHONE["height"] / 2

    page.goto(f"{live_server.url}/patients/{appointment.patient.public_id}/")
    expect(page.get_by_role("heading", name="Rosa Diaz")).to_be_visible()
    assert_fits_the_screen(page)


def test_patient_visit_link_has_big_buttons_on_a_phone(live_server, appointment, page):
    page.set_viewport_size(PHONE)
    page.goto(visit_page(live_server, appointment))

    buttons = page.locator("main .actions button")
    expect(buttons).to_have_count(3)
    for button in buttons.all():
        box = button.bounding_box()
        assert box["height"] >= TAP_HEIGHT, button.inner_text()
        assert box["width"] >= PHONE["width"] * 0.8, button.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
