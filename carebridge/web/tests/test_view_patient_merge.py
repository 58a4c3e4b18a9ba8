"""The merge page: choose a duplicate, compare, merge."""

import datetime

import pytest

from carebridge.patients.models import Patient
from carebridge.patients.services import patient_merge
from carebridge.scheduling.tests.messaging import NOW, VISIT, book, reachable_patient, waiting
from carebridge.tests.colleagues import colleague_add


@pytest.fixture(autouse=True)
def monday(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def staff(client, coordinator_a):
    client.force_login(coordinator_a)
    return client


@pytest.fixture
def pair(clinic_a):
    keep = reachable_patient(clinic_a.organization, mrn="K-1", email="")
    duplicate = reachable_patient(clinic_a.organization, mrn="D-1", email="rosa@old.example")
    return duplicate, keep


def merge_url(keep) -> str:
    return f"/patients/{keep.public_id}/merge/"


def test_comparing_shows_both_records_and_what_moves(staff, clinic_a, pair):
    duplicate, keep = pair
    book(clinic_a, duplicate, VISIT)

    html = staff.get(merge_url(keep), {"patient": str(duplicate.public_id)}).content.decode()

    assert "rosa@old.example" in html and "D-1" in html and "K-1" in html
    assert "1 visit</strong>, 0 waitlist entries" in html
    assert "Merge D-1 into K-1" in html
    assert "The birth dates differ" not in html


def test_different_birth_dates_are_pointed_out(staff, clinic_a, pair):
    _, keep = pair
    other = reachable_patient(
        clinic_a.organization, mrn="O-1", birth_date=datetime.date(1980, 1, 1)
    )

    html = staff.get(merge_url(keep), {"patient": str(other.public_id)}).content.decode()

    assert "The birth dates differ: check these records are the same person." in html


def test_merging_moves_the_visits_and_marks_the_duplicate(staff, clinic_a, pair):
    duplicate, keep = pair
    visit = book(clinic_a, duplicate, VISIT)

    response = staff.post(
        merge_url(keep), {"duplicate": str(duplicate.public_id), "reason": "twice"}, follow=True
    )

    assert "Rosa Diaz (D-1) is merged into this record." in response.content.decode()
    visit.refresh_from_db()
    assert visit.patient == keep
    old_page = staff.get(f"/patients/{duplicate.public_id}/").content.decode()
    assert "Merged into" in old_page and f"/patients/{keep.public_id}/" in old_page
    assert "Merge a duplicate" not in old_page


def test_a_refused_merge_says_why_and_changes_nothing(staff, clinic_a, pair):
    duplicate, keep = pair
    book(clinic_a, keep, VISIT)
    book(clinic_a, duplicate, VISIT, practitioner=colleague_add(clinic_a, weekday=VISIT.weekday()))

    response = staff.post(merge_url(keep), {"duplicate": str(duplicate.public_id)})

    assert response.status_code == 409
    assert "both records have a visit at Thu 2026-12-10 10:00" in response.content.decode()
    assert Patient.objects.get(pk=duplicate.pk).merged_into is None


def test_only_roles_that_change_records_merge_and_only_their_own(
    client, clinician_a, staff, pair, clinic_b
):
    duplicate, keep = pair
    stranger = reachable_patient(clinic_b.organization, mrn="B-1")

    assert staff.post(merge_url(keep), {"duplicate": str(stranger.public_id)}).status_code == 404
    assert staff.get(merge_url(stranger)).status_code == 404
    client.force_login(clinician_a)
    assert client.post(merge_url(keep), {"duplicate": str(duplicate.public_id)}).status_code == 403
    assert not Patient.objects.filter(merged_into__isnull=False).exists()


def test_a_merged_record_is_found_but_not_offered_for_booking(staff, pair):
    duplicate, keep = pair
    patient_merge(duplicate=duplicate, keep=keep, actor=None)

    found = staff.get("/patients/", {"q": "diaz"}).content.decode()
    offered = staff.get("/patients/", {"q": "diaz", "mode": "pick"}, HTTP_HX_REQUEST="true")

    assert "D-1" in found and "merged</span>" in found
    assert "K-1" in offered.content.decode() and "D-1" not in offered.content.decode()


def unmerge_url(duplicate) -> str:
    return f"/patients/{duplicate.public_id}/unmerge/"


def test_the_undo_page_shows_what_goes_back(staff, clinic_a, pair, coordinator_a):
    duplicate, keep = pair
    book(clinic_a, duplicate, VISIT)
    waiting(clinic_a, keep, duplicate)
    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a, reason="same person")
    detail = staff.get(f"/patients/{duplicate.public_id}/").content.decode()
    assert f'href="{unmerge_url(duplicate)}">Undo this merge' in detail

    html = staff.get(unmerge_url(duplicate)).content.decode()

    assert "Merged into <a" in html and "Rosa Diaz (MRN K-1)" in html
    assert f"On Nov 30, 2026 7:00 AM EST by {coordinator_a.username}: “same person”" in html
    assert "<strong>1 appointment</strong>" in html
    assert "<strong>1 waitlist entry</strong>" in html
    assert "<strong>1 waitlist entry the merge closed</strong>" in html
    assert "<li>Email: rosa@old.example</li>" in html
    assert "Undo the merge of D-1 into K-1" in html


def test_the_undo_page_says_when_the_merge_moved_nothing(staff, clinic_a, coordinator_a):
    keep = reachable_patient(clinic_a.organization, mrn="K-1")
    duplicate = reachable_patient(clinic_a.organization, mrn="D-1")
    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)

    html = staff.get(unmerge_url(duplicate)).content.decode()

    assert "The merge moved nothing from this record" in html
    assert "Details K-1 took from this record" not in html


def test_the_kept_record_lists_what_was_merged_into_it_with_a_way_back(staff, pair):
    duplicate, keep = pair
    patient_merge(duplicate=duplicate, keep=keep, actor=None)

    html = staff.get(f"/patients/{keep.public_id}/").content.decode()

    assert "Merged into this record" in html and "Rosa Diaz (MRN D-1)" in html
    assert f'href="{unmerge_url(duplicate)}">Undo this merge' in html
    assert (
        "Merged into this record"
        not in staff.get(f"/patients/{duplicate.public_id}/").content.decode()
    )


def test_undoing_from_the_page_gives_the_record_back(staff, clinic_a, pair, coordinator_a):
    duplicate, keep = pair
    visit = book(clinic_a, duplicate, VISIT)
    patient_merge(duplicate=duplicate, keep=keep, actor=coordinator_a)

    response = staff.post(unmerge_url(duplicate), {"reason": "twins"}, follow=True)

    html = response.content.decode()
    assert "The merge is undone: this record stands on its own again." in html
    assert "Merged into" not in html and "Merge a duplicate" in html
    visit.refresh_from_db()
    assert visit.patient == duplicate


def test_a_record_not_merged_has_nothing_to_undo(staff, pair):
    duplicate, _ = pair

    response = staff.get(unmerge_url(duplicate))
    refused = staff.post(unmerge_url(duplicate))

    assert response.status_code == refused.status_code == 409
    assert "Rosa Diaz (D-1) is not merged into another record" in response.content.decode()
    assert "Undo the merge of D-1 into" not in response.content.decode()


def test_only_roles_that_change_records_undo_and_only_their_own(
    client, clinician_a, staff, pair, clinic_b
):
    duplicate, keep = pair
    patient_merge(duplicate=duplicate, keep=keep, actor=None)
    stranger = reachable_patient(clinic_b.organization, mrn="B-1")

    assert staff.get(unmerge_url(stranger)).status_code == 404
    client.force_login(clinician_a)
    assert client.post(unmerge_url(duplicate)).status_code == 403
    assert "Undo this merge" not in client.get(f"/patients/{duplicate.public_id}/").content.decode()
    assert Patient.objects.get(pk=duplicate.pk).merged_into == keep
