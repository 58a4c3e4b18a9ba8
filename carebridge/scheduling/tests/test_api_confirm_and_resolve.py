"""POST /api/appointments/{id}/confirm and POST /api/inbound/{id}/resolve."""

import datetime

import pytest

from carebridge.accounts.services import token_issue, user_create
from carebridge.audit.models import AuditEntry
from carebridge.fhir_api.tests.messages import reply
from carebridge.scheduling.models import AppointmentHistory
from carebridge.scheduling.services.appointments import (
    appointment_book,
    appointment_cancel,
    appointment_reschedule,
)
from carebridge.tests.api_client import ApiClient

MONDAY_MORNING = datetime.datetime(2030, 6, 10, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def monday_morning(time_machine):
    time_machine.move_to(MONDAY_MORNING, tick=False)


@pytest.fixture
def booked(clinic_a, patient_a):
    return appointment_book(
        organization=clinic_a.organization,
        actor=None,
        patient=patient_a,
        practitioner=clinic_a.practitioner,
        location=clinic_a.location,
        visit_type=clinic_a.visit_type,
        start=datetime.datetime(2030, 6, 10, 14, 0, tzinfo=datetime.UTC),
    )


@pytest.fixture
def unclear(patient_a):
    """A text from José's phone that is no answer to anything."""
    return reply(patient_a, "is there parking?")


def billing_client(organization) -> ApiClient:
    user = user_create(
        organization=organization,
        username="billing-a",
        password="a-long-passphrase-9",
        role="billing",
    )
    return ApiClient(token_issue(user=user)[1])


def test_confirm_records_how_and_keeps_the_first(api_a, booked, coordinator_a):
    response = api_a.post(f"/appointments/{booked.public_id}/confirm", {"via": "phone"})
    again = api_a.post(f"/appointments/{booked.public_id}/confirm", {"via": "staff"})

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["confirmed_via"] == "phone"
    assert body["confirmed_at"] == MONDAY_MORNING.isoformat().replace("+00:00", "Z")
    assert again.json()["confirmed_via"] == "phone"
    entry = AppointmentHistory.objects.get(appointment=booked, action="confirm")
    assert entry.changed_by == coordinator_a


def test_confirm_of_a_version_moved_since_is_refused(api_a, booked):
    drawn = booked.version
    appointment_reschedule(
        appointment=booked, actor=None, start=booked.start + datetime.timedelta(hours=1)
    )

    stale = api_a.post(
        f"/appointments/{booked.public_id}/confirm", {"via": "phone", "version": drawn}
    )
    current = api_a.post(
        f"/appointments/{booked.public_id}/confirm", {"via": "phone", "version": drawn + 1}
    )

    assert stale.status_code == 412 and stale.json()["field"] == "version"
    assert current.status_code == 200 and current.json()["confirmed_via"] == "phone"


def test_confirm_needs_a_known_way_and_an_upcoming_visit(api_a, booked):
    assert (
        api_a.post(f"/appointments/{booked.public_id}/confirm", {"via": "pigeon"}).status_code
        == 400
    )
    assert api_a.post(f"/appointments/{booked.public_id}/confirm", {}).status_code == 400
    appointment_cancel(appointment=booked, actor=None, reason="Clinic closed")

    response = api_a.post(f"/appointments/{booked.public_id}/confirm", {"via": "phone"})

    assert response.status_code == 422
    assert response.json()["field"] == "status"


def test_confirm_other_organization_gets_404_and_billing_403(token_b, booked, org_a):
    assert (
        ApiClient(token_b)
        .post(f"/appointments/{booked.public_id}/confirm", {"via": "phone"})
        .status_code
        == 404
    )
    assert (
        billing_client(org_a)
        .post(f"/appointments/{booked.public_id}/confirm", {"via": "phone"})
        .status_code
        == 403
    )
    booked.refresh_from_db()
    assert booked.confirmed_at is None


def test_resolve_takes_the_reply_out_of_the_inbox(api_a, unclear, coordinator_a):
    response = api_a.post(f"/inbound/{unclear.public_id}/resolve")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["needs_attention"], body["resolved_by"]) == (False, coordinator_a.get_username())
    assert api_a.get("/inbound", {"needs_attention": "true"}).json()["items"] == []
    assert AuditEntry.objects.filter(
        object_type="InboundMessage", object_ref=str(unclear.public_id), action="update"
    ).exists()


def test_resolve_other_organization_gets_404_and_billing_403(token_b, unclear, org_a):
    assert ApiClient(token_b).post(f"/inbound/{unclear.public_id}/resolve").status_code == 404
    assert billing_client(org_a).post(f"/inbound/{unclear.public_id}/resolve").status_code == 403
    unclear.refresh_from_db()
    assert unclear.resolved_at is None and unclear.needs_attention
