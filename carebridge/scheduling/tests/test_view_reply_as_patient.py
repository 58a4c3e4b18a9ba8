"""The demo's stand-in for a patient's phone: with the file gateway, staff answer a text as
its patient, and the reply is handled as one from the webhook."""

import pytest

from carebridge.notifications.models import InboundMessage
from carebridge.scheduling.tests.messaging import (
    NOW,
    VISIT,
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


def confirmation(appointment):
    [text] = messages_about(appointment, kind="confirmation", channel="sms")
    return text


def answer(client, message, body: str):
    return client.post(f"/inbox/reply-as-patient/{message.public_id}/", {"body": body}, follow=True)


def test_the_message_page_offers_the_answer_form(client, coordinator_a, appointment):
    client.force_login(coordinator_a)

    html = client.get(f"/messages/{confirmation(appointment).public_id}/").content.decode()

    assert "Answer as the patient" in html
    assert f'action="/inbox/reply-as-patient/{confirmation(appointment).public_id}/"' in html


def test_c_confirms_the_visit_as_a_text_from_the_patients_number(
    client, coordinator_a, appointment
):
    client.force_login(coordinator_a)

    response = answer(client, confirmation(appointment), "C")

    appointment.refresh_from_db()
    assert appointment.confirmed_via == "sms"
    reply = InboundMessage.objects.get()
    assert (reply.from_address, reply.to_address, reply.handled_as) == (
        "+16175550199",
        "+16175550000",
        "confirm",
    )
    assert "Reply &#x27;C&#x27; received: Confirmation." in response.content.decode()


def test_a_reply_nobody_can_act_on_waits_in_the_inbox(client, coordinator_a, appointment):
    client.force_login(coordinator_a)

    response = answer(client, confirmation(appointment), "Can I bring my daughter?")

    assert "It waits under Replies for a person." in response.content.decode()
    assert "Can I bring my daughter?" in client.get("/inbox/").content.decode()


def test_an_empty_reply_is_refused_and_nothing_is_recorded(client, coordinator_a, appointment):
    client.force_login(coordinator_a)

    response = answer(client, confirmation(appointment), "   ")

    assert "body: a reply of 1 to 1600 characters" in response.content.decode()
    assert not InboundMessage.objects.exists()


def test_with_a_real_gateway_replies_come_only_from_phones(
    client, coordinator_a, appointment, settings
):
    settings.SMS_GATEWAY = "twilio"
    client.force_login(coordinator_a)
    message = confirmation(appointment)

    assert (
        "Answer as the patient"
        not in client.get(f"/messages/{message.public_id}/").content.decode()
    )
    assert answer(client, message, "C").status_code == 404
    assert not InboundMessage.objects.exists()


def test_another_organizations_text_cannot_be_answered(client, coordinator_b, appointment):
    client.force_login(coordinator_b)

    assert answer(client, confirmation(appointment), "C").status_code == 404
    assert not InboundMessage.objects.exists()


def test_an_email_cannot_be_answered_here(client, coordinator_a, clinic_a):
    patient = reachable_patient(clinic_a.organization, preferred_channel="email")
    [email] = messages_about(book(clinic_a, patient), kind="confirmation", channel="email")
    client.force_login(coordinator_a)

    assert answer(client, email, "C").status_code == 404
    assert not InboundMessage.objects.exists()


def test_a_shared_number_with_two_open_visits_leaves_the_answer_to_a_person(
    client, coordinator_a, clinic_a, appointment
):
    sibling = reachable_patient(clinic_a.organization, mrn="M-2", given_name="Luz")
    theirs = book(clinic_a, sibling, start=VISIT.replace(hour=11))
    deliver_due()
    client.force_login(coordinator_a)

    response = answer(client, confirmation(appointment), "C")

    appointment.refresh_from_db()
    theirs.refresh_from_db()
    assert (appointment.confirmed_at, theirs.confirmed_at) == (None, None)
    assert "It waits under Replies for a person." in response.content.decode()
