import uuid

import pytest

from carebridge.notifications.errors import PermanentDeliveryError, TransientDeliveryError
from carebridge.notifications.testing.sms_provider import SmsProvider
from carebridge.notifications.transports import Envelope
from carebridge.notifications.transports.sms_twilio import TwilioSmsTransport


@pytest.fixture
def provider():
    with SmsProvider() as provider:
        yield provider


@pytest.fixture
def gateway(settings, provider):
    settings.SMS_API_BASE = provider.base_url
    settings.SMS_ACCOUNT_SID = provider.account_sid
    settings.SMS_AUTH_TOKEN = provider.auth_token
    settings.SMS_FROM = "+16175550000"
    settings.SMS_TIMEOUT = 5
    return TwilioSmsTransport()


def text(**fields) -> Envelope:
    defaults = {
        "key": uuid.uuid4().hex,
        "channel": "sms",
        "to_address": "+16175550101",
        "subject": "",
        "body_text": "Clinic A: visit Tue 9:00. Reply C to confirm.",
    }
    return Envelope(**(defaults | fields))


def test_a_text_is_posted_with_the_settings_and_its_key(gateway, provider):
    sent = text()

    with gateway:
        sid = gateway.send(sent)

    [delivered] = provider.messages
    assert sid == delivered.sid
    assert sid.startswith("SM") and len(sid) == 34
    assert (delivered.to, delivered.sender, delivered.body) == (
        "+16175550101",
        "+16175550000",
        sent.body_text,
    )
    assert delivered.idempotency_key == sent.key


def test_the_envelope_sender_wins_over_the_setting(gateway, provider):
    with gateway:
        gateway.send(text(from_address="+16175559999"))

    assert provider.messages[0].sender == "+16175559999"


def test_one_http_connection_serves_the_whole_batch(gateway, provider):
    with gateway:
        for _ in range(3):
            gateway.send(text())

    assert len(provider.messages) == 3
    assert provider.connections == 1


def test_a_retried_key_gets_the_first_answer_and_texts_once(gateway, provider):
    sent = text()

    with gateway:
        first = gateway.send(sent)
        second = gateway.send(sent)

    assert first == second
    assert len(provider.messages) == 1
    assert provider.posts == 2


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_busy_or_broken_gateway_is_a_transient_failure(gateway, provider, status):
    provider.fail_next(1, status)

    with gateway:
        with pytest.raises(TransientDeliveryError, match=str(status)):
            gateway.send(text())
        gateway.send(text())

    assert len(provider.messages) == 1


def test_a_bad_number_is_a_permanent_failure_with_the_gateways_words(gateway, provider):
    with gateway, pytest.raises(PermanentDeliveryError, match="not a valid phone number"):
        gateway.send(text(to_address="617-555"))

    assert provider.messages == []


def test_refused_credentials_are_a_permanent_failure(provider):
    transport = TwilioSmsTransport(
        api_base=provider.base_url,
        account_sid=provider.account_sid,
        auth_token="wrong",
        sender="+16175550000",
    )

    with transport, pytest.raises(PermanentDeliveryError, match="401"):
        transport.send(text())

    assert provider.messages == []


def test_an_answer_that_comes_too_late_is_transient_and_the_retry_texts_nothing_new(
    gateway, provider
):
    gateway.timeout = 0.2
    provider.delay_next(30)
    sent = text()

    with gateway:
        with pytest.raises(TransientDeliveryError, match="Timeout"):
            gateway.send(sent)
        sid = gateway.send(sent)

    [delivered] = provider.messages
    assert sid == delivered.sid
    assert provider.posts == 2


def test_an_unreachable_gateway_is_a_transient_failure():
    with SmsProvider() as gone:
        base_url = gone.base_url
    transport = TwilioSmsTransport(
        api_base=base_url, account_sid="AC1", auth_token="token", sender="+16175550000"
    )

    with transport, pytest.raises(TransientDeliveryError, match="unreachable"):
        transport.send(text())
