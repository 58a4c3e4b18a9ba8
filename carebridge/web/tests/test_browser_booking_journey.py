"""A coordinator's day in a real browser: find the patient, book the first free time, see it
on the board, open it and cancel it."""

import re

from playwright.sync_api import Page, expect

from carebridge.tests.browser import BROWSER_TEST
from conftest import PASSWORD

pytestmark = BROWSER_TEST


def click_and_settle(page: Page, target) -> None:
    """Click, then wait until htmx has swapped in and settled the answer."""
    page.evaluate(
        "() => { window.settled = new Promise(done => document.body.addEventListener("
        "'htmx:afterSettle', done, {once: true})); }"
    )
    target.click()
    page.evaluate("() => window.settled.then(() => true)")


def log_in(page: Page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/")
    expect(page).to_have_url(re.compile(r"/login/"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", level=1)).to_be_visible()


def test_coordinator_books_and_cancels_the_first_free_visit(
    live_server, clinic_a, coordinator_a, patient_a, tmp_path, page
):
    log_in(page, live_server.url, coordinator_a.username)

    # given a patient found by typing part of the name without its accents
    page.get_by_role("link", name="Patients").click()
    page.get_by_label("Search patients").press_sequentially("alvar jo", delay=30)
    page.get_by_role("link", name="Álvarez, José").click()
    expect(page.get_by_role("heading", name="José Álvarez")).to_be_visible()

    # when the coordinator asks for the first free follow-up and books it in one click
    page.get_by_role("link", name="Book for this patient").click()
    expect(page.get_by_role("radio", name=re.compile("José Álvarez"))).to_be_checked()
    page.get_by_label("Visit type").select_option(label="Follow-up (30 min)")
    page.get_by_role("button", name="Find earliest times").click()
    first_offer = page.locator(".offer").first
    offered_time = first_offer.locator("strong").inner_text()
    first_offer.get_by_role("button", name="Book José").click()

    # then the board of that day shows the visit, and its panel is open
    visit = page.locator(".board .visit", has_text="José Álvarez")
    expect(visit).to_be_visible()
    expect(page.locator("#panel")).to_contain_text("Booked")
    assert offered_time.split("·")[1].split()[0] in visit.inner_text()
    page.screenshot(path=str(tmp_path / "board.png"), full_page=True)

    # when the coordinator opens the visit and cancels it with a reason
    # (the panel already shows this visit from the booking: wait for the fresh copy to land)
    click_and_settle(page, visit)
    expect(page.locator("#panel")).to_contain_text("Dr. Ana Okafor")
    page.locator("#panel summary", has_text="Cancel appointment").click()
    page.get_by_label("Reason for cancelling").fill("Patient called, feels better")
    page.locator("#panel").get_by_role("button", name="Cancel appointment").click()

    # then the panel says so and the board no longer holds the time
    expect(page.locator("#panel .details-head .badge")).to_have_text("Cancelled")
    expect(page.locator(".board .visit", has_text="José Álvarez")).to_have_count(0)
    expect(page.locator(".called-off")).to_contain_text("José Álvarez")
    page.screenshot(path=str(tmp_path / "board-after-cancel.png"), full_page=True)
