"""POST /hooks/sms/twilio, signed the way the gateway signs it."""

import pytest

from carebridge.notifications.models import InboundMessage
from carebridge.notifications.signatures import twilio_signature
from carebridge.scheduling.tests.messaging import (
    NOW,
    book,
    deliver_due,
    reachable_patient,
    use_file_gateways,
)

TOKEN = "test-auth-token-0123456789"
PUBLIC = "https://clinic.example"
PATH = "/hooks/sms/twilio"


@pytest.fixture(autouse=True)
def gateway(settings, tmp_path, time_machine):
    use_file_gateways(settings, tmp_path)
    settings.SMS_AUTH_TOKEN = TOKEN
    settings.PUBLIC_BASE_URL = PUBLIC
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def appointment(clinic_a):
    booked = book(clinic_a, reachable_patient(clinic_a.organization))
    deliver_due()
    return booked


def params(body: str, sid: str = "SM0001") -> dict[str, str]:
    return {
        "MessageSid": sid,
        "AccountSid": "AC0001",
        "From": "+16175550199",
        "To": "+16175550000",
        "Body": body,
        "NumMedia": "0",
    }


def post(client, data: dict, signature: str | None, **extra):
    headers = {"X-Twilio-Signature": signature} if signature is not None else {}
    return client.post(PATH, data, headers=headers, **extra)


def test_a_signed_reply_is_recorded_and_acted_on(client, appointment):
    data = params("C")

    response = post(client, data, twilio_signature(PUBLIC + PATH, data, TOKEN))

    appointment.refresh_from_db()
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/xml")
    assert b"<Response></Response>" in response.content
    assert appointment.confirmed_via == "sms"
    assert InboundMessage.objects.get().handled_as == "confirm"


def test_the_url_this_server_saw_is_accepted_too(client, appointment):
    data = params("C")
    seen = "http://testserver" + PATH

    assert post(client, data, twilio_signature(seen, data, TOKEN)).status_code == 200


@pytest.mark.parametrize("signature", [None, "", "bm90IGEgc2lnbmF0dXJl"])
def test_missing_or_wrong_signature_is_refused_and_changes_nothing(client, appointment, signature):
    response = post(client, params("X"), signature)

    appointment.refresh_from_db()
    assert response.status_code == 403
    assert appointment.status == "booked"
    assert not InboundMessage.objects.exists()


def test_a_signature_over_other_fields_is_refused(client, appointment):
    signed = twilio_signature(PUBLIC + PATH, params("C"), TOKEN)

    assert post(client, params("X"), signed).status_code == 403


def test_no_auth_token_configured_refuses_everything(client, appointment, settings):
    data = params("C")
    signature = twilio_signature(PUBLIC + PATH, data, "")
    settings.SMS_AUTH_TOKEN = ""

    assert post(client, data, signature).status_code == 403


def test_a_retried_webhook_is_handled_once(client, appointment):
    data = params("R")
    signature = twilio_signature(PUBLIC + PATH, data, TOKEN)

    post(client, data, signature)
    post(client, data, signature)

    assert InboundMessage.objects.count() == 1
    assert appointment.reschedule_offers.count() == 1


def test_get_is_not_allowed(client):
    assert client.get(PATH).status_code == 405
