"""Replies to read: who may act on them (answering a text as the patient and marking a
reply as dealt with both change appointments; any role that sees patients may read the
inbox), and when each came, in the clinic's time."""

import pytest

from carebridge.accounts.services import user_create
from carebridge.notifications.models import InboundMessage
from carebridge.scheduling.services.replies import sms_text_received
from carebridge.scheduling.tests.messaging import (
    NOW,
    book,
    deliver_due,
    messages_about,
    reachable_patient,
    use_file_gateways,
)


@pytest.fixture(autouse=True)
def monday(settings, tmp_path, time_machine):
    use_file_gateways(settings, tmp_path)
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def appointment(clinic_a):
    appointment = book(clinic_a, reachable_patient(clinic_a.organization))
    deliver_due()
    return appointment


@pytest.fixture
def confirmation(appointment):
    [text] = messages_about(appointment, kind="confirmation", channel="sms")
    return text


@pytest.fixture
def unclear_reply(confirmation):
    return sms_text_received(
        from_address=confirmation.to_address,
        to_address="+16175550000",
        body="Can I bring my daughter?",
        provider_message_id="SM1",
    )


@pytest.fixture
def billing(client, org_a):
    client.force_login(
        user_create(organization=org_a, username="bill-a", password="x" * 20, role="billing")
    )
    return client


def test_billing_is_not_offered_the_answer_form(billing, confirmation):
    html = billing.get(f"/messages/{confirmation.public_id}/").content.decode()

    assert "Answer as the patient" not in html
    assert "/inbox/reply-as-patient/" not in html


def test_billing_cannot_answer_as_the_patient(billing, appointment, confirmation):
    response = billing.post(f"/inbox/reply-as-patient/{confirmation.public_id}/", {"body": "X"})

    appointment.refresh_from_db()
    assert response.status_code == 403
    assert appointment.status == "booked"
    assert not InboundMessage.objects.exists()


def test_billing_reads_the_inbox_but_cannot_mark_a_reply_dealt_with(billing, unclear_reply):
    html = billing.get("/inbox/").content.decode()
    response = billing.post(f"/inbox/{unclear_reply.public_id}/resolve/")

    unclear_reply.refresh_from_db()
    assert "Can I bring my daughter?" in html and "Dealt with" not in html
    assert response.status_code == 403
    assert (unclear_reply.resolved_at, unclear_reply.needs_attention) == (None, True)


def test_a_clinician_who_may_change_visits_may_do_both(client, clinician_a, confirmation):
    client.force_login(clinician_a)

    answered = client.post(f"/inbox/reply-as-patient/{confirmation.public_id}/", {"body": "hi"})
    [reply] = InboundMessage.objects.all()
    html = client.get("/inbox/").content.decode()
    resolved = client.post(f"/inbox/{reply.public_id}/resolve/")

    reply.refresh_from_db()
    assert (answered.status_code, resolved.status_code) == (302, 302)
    assert "Dealt with" in html
    assert reply.resolved_by == clinician_a


def test_the_inbox_shows_when_a_reply_came_in_the_clinics_time(
    client, coordinator_a, unclear_reply
):
    client.force_login(coordinator_a)

    html = client.get("/inbox/").content.decode()

    # 12:00 UTC is 07:00 in Boston, where Clinic A is.
    assert "2026-11-30 07:00 EST" in html
    assert "12:00" not in html and "UTC" not in html
