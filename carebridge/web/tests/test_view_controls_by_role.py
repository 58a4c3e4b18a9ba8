"""A role sees only the booking and editing controls it may use (accounts.constants)."""

import pytest

from carebridge.accounts.services import user_create
from carebridge.web.tests.conftest import TUESDAY
from conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("frozen_monday")

# Each role, and whether it books visits and keeps patient records.
ROLES = [
    pytest.param("coordinator", True, id="coordinator"),
    pytest.param("physician", False, id="physician"),
    pytest.param("nurse", False, id="nurse"),
    pytest.param("billing", False, id="billing"),
]


@pytest.fixture
def sign_in(client, org_a):
    def signed_in(role: str):
        user = user_create(organization=org_a, username=f"{role}-a", password=PASSWORD, role=role)
        client.force_login(user)
        return client

    return signed_in


@pytest.mark.parametrize(("role", "may"), ROLES)
def test_free_time_on_the_board_opens_a_booking_form_only_for_roles_that_book(
    sign_in, clinic_a, role, may
):
    board = f"/?location={clinic_a.location.public_id}&date={TUESDAY.isoformat()}"
    html = sign_in(role).get(board).content.decode()
    assert ("/appointments/new/" in html) is may
    assert ('aria-label="Book at 9:00 AM"' in html) is may
    assert ("Choose a free time to book" in html) is may


@pytest.mark.parametrize(("role", "may"), ROLES)
def test_the_booking_form_is_shown_only_to_roles_that_book(sign_in, clinic_a, role, may):
    response = sign_in(role).get(
        f"/appointments/new/?practitioner={clinic_a.practitioner.public_id}&start=2026-03-03T10:00"
    )
    assert response.status_code == (200 if may else 403)


@pytest.mark.parametrize(("role", "may"), ROLES)
def test_found_times_have_book_buttons_only_for_roles_that_book(
    sign_in, clinic_a, patient_a, role, may
):
    response = sign_in(role).get(
        "/find/", {"visit_type": str(clinic_a.visit_type.public_id), "patient": patient_a.public_id}
    )
    html = response.content.decode()
    assert "Mon, Mar 2 · 9:00 AM EST" in html
    assert ("Book José" in html) is may
    assert ('action="/appointments/new/"' in html) is may


@pytest.mark.parametrize(("role", "may"), ROLES)
def test_demographics_are_editable_only_by_roles_that_keep_records(sign_in, patient_a, role, may):
    html = sign_in(role).get(f"/patients/{patient_a.public_id}/").content.decode()
    assert 'value="José"' in html
    assert ("Save changes" in html) is may
    assert ('<fieldset class="field" disabled>' in html) is not may


@pytest.mark.parametrize(("role", "may"), ROLES)
def test_new_patient_is_offered_only_to_roles_that_register(sign_in, org_a, role, may):
    html = sign_in(role).get("/patients/").content.decode()
    assert ('href="/patients/new/"' in html) is may
