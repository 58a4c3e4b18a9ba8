import pytest
import requests

from carebridge.notifications.signatures import twilio_signature_valid
from carebridge.notifications.testing.sms_provider import SmsProvider, signed_inbound_sms

FORM = {"To": "+16175550101", "From": "+16175550000", "Body": "Hello"}


@pytest.fixture
def provider():
    with SmsProvider(account_sid="AC" + "1" * 32, auth_token="secret") as provider:
        yield provider


def post(provider: SmsProvider, *, auth=None, key="", form=FORM) -> requests.Response:
    return requests.post(
        provider.base_url + provider.path,
        data=form,
        auth=auth or (provider.account_sid, provider.auth_token),
        headers={"Idempotency-Key": key} if key else {},
        timeout=5,
    )


def test_a_message_is_created_and_answered_like_the_provider(provider):
    response = post(provider)

    assert response.status_code == 201
    body = response.json()
    assert body["sid"] == provider.messages[0].sid
    assert (body["to"], body["from"], body["body"]) == ("+16175550101", "+16175550000", "Hello")
    assert body["account_sid"] == "AC" + "1" * 32
    assert provider.path == f"/2010-04-01/Accounts/{'AC' + '1' * 32}/Messages.json"


def test_wrong_or_missing_credentials_get_401_and_deliver_nothing(provider):
    wrong = post(provider, auth=(provider.account_sid, "guess"))
    missing = requests.post(provider.base_url + provider.path, data=FORM, timeout=5)

    assert (wrong.status_code, missing.status_code) == (401, 401)
    assert provider.messages == []
    assert provider.posts == 2


def test_another_account_path_is_not_found(provider):
    response = requests.post(
        f"{provider.base_url}/2010-04-01/Accounts/AC2/Messages.json",
        data=FORM,
        auth=(provider.account_sid, provider.auth_token),
        timeout=5,
    )

    assert response.status_code == 404
    assert provider.messages == []


def test_a_repeated_idempotency_key_gets_the_same_answer_and_no_second_message(provider):
    first = post(provider, key="k1")
    again = post(provider, key="k1")
    other = post(provider, key="k2")

    assert again.status_code == 201
    assert again.json() == first.json()
    assert other.json()["sid"] != first.json()["sid"]
    assert [m.idempotency_key for m in provider.messages] == ["k1", "k2"]
    assert (provider.posts, provider.retransmissions) == (3, 1)


def test_without_a_key_every_post_is_a_new_message(provider):
    post(provider)
    post(provider)

    assert len(provider.messages) == 2


def test_the_next_requests_can_be_made_to_fail(provider):
    provider.fail_next(2, 429)

    statuses = [post(provider, key="k").status_code for _ in range(3)]

    assert statuses == [429, 429, 201]
    assert len(provider.messages) == 1


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ({"From": "+16175550000", "Body": "Hi"}, 21604),
        (FORM | {"To": "6175550101"}, 21211),
        (FORM | {"Body": ""}, 21602),
    ],
)
def test_an_unusable_message_gets_400_with_the_providers_code(provider, form, code):
    response = post(provider, form=form)

    assert response.status_code == 400
    assert response.json()["code"] == code
    assert provider.messages == []


def test_a_signed_inbound_text_carries_the_providers_fields_and_a_valid_signature():
    url = "https://clinic.example/hooks/sms/twilio"

    webhook = signed_inbound_sms(
        url=url,
        auth_token="secret",
        from_number="+16175550101",
        to_number="+16175550000",
        body="C",
        message_sid="SM42",
    )

    assert webhook.params["MessageSid"] == "SM42"
    assert (webhook.params["From"], webhook.params["To"], webhook.params["Body"]) == (
        "+16175550101",
        "+16175550000",
        "C",
    )
    assert twilio_signature_valid(url, webhook.params, webhook.signature, "secret")
    assert not twilio_signature_valid(url, webhook.params, webhook.signature, "other")
