"""A patient registered twice, in a real browser: the coordinator merges the second record
into the first, then learns they are two people and undoes the merge."""

import re

from playwright.sync_api import expect

from carebridge.patients.models import Patient
from carebridge.scheduling.tests.messaging import book, reachable_patient
from carebridge.tests.browser import BROWSER_TEST
from carebridge.web.tests.test_browser_booking_journey import log_in

pytestmark = BROWSER_TEST


def test_coordinator_merges_a_duplicate_then_undoes_it(live_server, clinic_a, coordinator_a, page):
    keep = reachable_patient(clinic_a.organization, mrn="K-1", family_name="Moreno", email="")
    duplicate = reachable_patient(
        clinic_a.organization, mrn="D-1", family_name="Moreno", email="rosa@old.example"
    )
    visit = book(clinic_a, duplicate)
    log_in(page, live_server.url, coordinator_a.username)
    page.goto(f"{live_server.url}/patients/{keep.public_id}/")

    # when the coordinator picks the other record as a duplicate and merges it
    page.get_by_role("link", name="Merge a duplicate…").click()
    page.get_by_label("Find a patient").press_sequentially("moreno", delay=30)
    page.get_by_role("radio", name=re.compile("MRN D-1")).check()
    page.get_by_role("button", name="Compare").click()
    expect(page.get_by_text("1 visit", exact=False)).to_be_visible()
    page.get_by_role("button", name="Merge D-1 into K-1").click()

    # then the kept record has the visit and the email it lacked
    expect(page.get_by_text("Rosa Moreno (D-1) is merged into this record.")).to_be_visible()
    expect(page.locator("#visits-title")).to_contain_text("1")
    expect(page.locator("#id_email")).to_have_value("rosa@old.example")

    # when they open the merged record and undo the merge, saying why
    page.goto(f"{live_server.url}/patients/{duplicate.public_id}/")
    page.get_by_role("link", name="Undo this merge…").click()
    expect(page.get_by_role("heading", level=2)).to_contain_text("Rosa Moreno (MRN K-1)")
    expect(page.locator("main")).to_contain_text("Email: rosa@old.example")
    page.get_by_label("Why").fill("two people, same name")
    page.get_by_role("button", name="Undo the merge of D-1 into K-1").click()

    # then the record stands on its own again, with its visit
    expect(page.get_by_text("The merge is undone")).to_be_visible()
    expect(page.get_by_role("link", name="Merge a duplicate…")).to_be_visible()
    expect(page.locator("#visits-title")).to_contain_text("1")
    visit.refresh_from_db()
    assert visit.patient_id == duplicate.pk
    assert Patient.objects.get(pk=keep.pk).email == ""
