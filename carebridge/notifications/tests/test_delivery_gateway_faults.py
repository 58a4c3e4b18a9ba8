"""Delivery through the real SMS HTTP adapter to the local provider when that provider
fails: errors are retried with backoff until delivered or refused for good, and a request
whose answer was lost is repeated under the same key, which the provider does not deliver
twice."""

import datetime

import pytest
import time_machine

from carebridge.notifications.constants import MAX_ATTEMPTS, RETRY_CAP_SECONDS, MessageStatus
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.services.delivery import outbox_drain
from carebridge.notifications.testing.sms_provider import SmsProvider
from carebridge.notifications.tests.conftest import WORKER, enqueue

pytestmark = pytest.mark.django_db
NOW = datetime.datetime(2026, 3, 2, 14, tzinfo=datetime.UTC)


@pytest.fixture
def provider(settings):
    with SmsProvider() as running:
        settings.SMS_GATEWAY = "twilio"
        settings.SMS_API_BASE = running.base_url
        settings.SMS_ACCOUNT_SID = running.account_sid
        settings.SMS_AUTH_TOKEN = running.auth_token
        settings.SMS_FROM = "+16175550000"
        settings.SMS_TIMEOUT = 1
        yield running


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


def statuses() -> list[str]:
    return sorted(OutboundMessage.objects.values_list("status", flat=True))


def test_server_errors_are_retried_until_every_message_is_delivered(org_a, provider, frozen):
    keys = {enqueue(org_a, to_address=f"+1617555010{n}").idempotency_key for n in range(5)}
    provider.fail_next(7)  # 500s: the whole first round and two of the second

    rounds = 0
    while statuses() != [MessageStatus.SENT] * 5:
        outbox_drain(worker=WORKER)
        frozen.shift(datetime.timedelta(seconds=RETRY_CAP_SECONDS))
        rounds += 1
        assert rounds <= MAX_ATTEMPTS

    assert rounds == 3
    assert {message.idempotency_key for message in provider.messages} == keys
    assert len(provider.messages) == 5


def test_a_lost_answer_is_retried_with_the_same_key_and_delivered_once(org_a, provider, frozen):
    message = enqueue(org_a)
    provider.delay_next(3)  # taken, but the answer comes after our 1 s timeout

    outbox_drain(worker=WORKER)
    message.refresh_from_db()
    assert message.status == MessageStatus.PENDING
    assert "unreachable" in message.last_error
    frozen.shift(datetime.timedelta(seconds=RETRY_CAP_SECONDS))
    outbox_drain(worker=WORKER)

    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    assert [sent.idempotency_key for sent in provider.messages] == [message.idempotency_key]
    assert provider.posts == 2  # one raw retransmission, delivered once


def test_a_refused_number_fails_with_the_providers_reason(org_a, provider, frozen):
    message = enqueue(org_a, to_address="not-a-number")

    outbox_drain(worker=WORKER)

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "not a valid phone number" in message.last_error
    assert provider.messages == []
