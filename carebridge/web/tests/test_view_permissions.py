"""Each page asks for the same role permission the JSON API does (accounts.constants)."""

import pytest

from carebridge.accounts.services import user_create
from carebridge.web.tests.conftest import at, book
from conftest import PASSWORD

pytestmark = pytest.mark.usefixtures("frozen_monday")


@pytest.fixture
def billing_client(client, org_a):
    client.force_login(
        user_create(organization=org_a, username="bill-a", password=PASSWORD, role="billing")
    )
    return client


@pytest.fixture
def physician_client(client, clinician_a):
    client.force_login(clinician_a)
    return client


def test_billing_sees_the_schedule_and_records_but_changes_nothing(
    billing_client, clinic_a, patient_a
):
    appointment = book(clinic_a, patient_a, at(10))
    assert billing_client.get("/").status_code == 200
    assert billing_client.get(f"/appointments/{appointment.public_id}/").status_code == 200
    assert billing_client.get(f"/patients/{patient_a.public_id}/").status_code == 200
    for path in ("cancel", "status", "confirm", "reschedule"):
        response = billing_client.post(f"/appointments/{appointment.public_id}/{path}/", {})
        assert response.status_code == 403, path
    assert billing_client.post("/appointments/new/", {}).status_code == 403
    assert billing_client.get("/patients/new/").status_code == 403
    assert billing_client.post(f"/patients/{patient_a.public_id}/", {}).status_code == 403
    appointment.refresh_from_db()
    assert appointment.status == "booked" and appointment.confirmed_at is None


def test_a_physician_updates_visits_but_does_not_book_or_edit_records(
    physician_client, clinic_a, patient_a
):
    appointment = book(clinic_a, patient_a, at(10))
    response = physician_client.post(
        f"/appointments/{appointment.public_id}/confirm/", {"expected_version": 1}
    )
    assert response.status_code == 302
    appointment.refresh_from_db()
    assert appointment.confirmed_via == "phone"
    assert physician_client.post("/appointments/new/", {}).status_code == 403
    assert physician_client.post(f"/patients/{patient_a.public_id}/", {}).status_code == 403
