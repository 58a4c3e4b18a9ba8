"""A practitioner calls in sick, in a real browser: the coordinator records the day off,
sees the visit it leaves behind, opens it and moves it to the next day."""

import datetime
import re
from zoneinfo import ZoneInfo

from playwright.sync_api import expect

from carebridge.core import clock
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.tests.messaging import book, reachable_patient
from carebridge.tests.browser import BROWSER_TEST
from carebridge.web.tests.test_browser_booking_journey import log_in

pytestmark = BROWSER_TEST

BOSTON = ZoneInfo("America/New_York")


def next_tuesday() -> datetime.date:
    today = clock.now().astimezone(BOSTON).date()
    return today + datetime.timedelta(days=(1 - today.weekday()) % 7 or 7)


def test_coordinator_records_a_sick_day_and_moves_the_visit_it_leaves(
    live_server, clinic_a, coordinator_a, page
):
    sick_day = next_tuesday()
    patient = reachable_patient(clinic_a.organization, family_name="Moreno")
    visit = book(clinic_a, patient, datetime.datetime.combine(sick_day, datetime.time(10), BOSTON))
    log_in(page, live_server.url, coordinator_a.username)

    # when the coordinator records the practitioner's sick day from the schedule
    page.get_by_role("link", name="Time off").click()
    page.get_by_label("Practitioner", exact=True).last.select_option(label="Dr. Ana Okafor")
    page.get_by_label("From").fill(sick_day.isoformat())
    page.get_by_label("Reason").fill("Sick")
    page.get_by_role("button", name="Record").click()

    # then the day is listed with the visit it leaves to move
    entry = page.locator("tr", has_text="Sick")
    expect(entry).to_contain_text(f"{sick_day:%a %Y-%m-%d}, all day")
    expect(entry).to_contain_text("1 visit to move")

    # when the coordinator opens the visit and moves it to the next day
    entry.get_by_role("link", name=re.compile(f"{sick_day:%Y-%m-%d} 10:00")).click()
    expect(page.locator(".banner-warning")).to_contain_text("Dr. Ana Okafor has time off then")
    page.locator("summary", has_text="Reschedule").click()
    next_day = sick_day + datetime.timedelta(days=1)
    page.get_by_label("New start").fill(f"{next_day.isoformat()}T10:00")
    page.locator("#id_reschedule-reason").fill("Doctor off sick")
    page.get_by_role("button", name="Move appointment").click()

    # then the page shows the moved visit, and nothing is left to move
    expect(page.get_by_text("Appointment moved.")).to_be_visible()
    expect(page.locator(".banner-warning")).to_have_count(0)
    visit.refresh_from_db()
    assert visit.start == datetime.datetime.combine(next_day, datetime.time(10), BOSTON)
    assert Appointment.objects.filter(patient=patient).count() == 1
    page.goto(f"{live_server.url}/schedule/time-off/")
    expect(page.locator("tr", has_text="Sick")).to_contain_text("None")
