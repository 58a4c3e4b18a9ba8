import base64
import hashlib
import hmac

from django.http import QueryDict

from carebridge.notifications.signatures import twilio_signature, twilio_signature_valid

URL = "https://clinic.example/hooks/sms/twilio"
TOKEN = "12345"
PARAMS = {"To": "+16175550000", "From": "+16175550101", "Body": "C", "MessageSid": "SM1"}


def by_definition(url: str, pieces: list[str], token: str) -> str:
    """HMAC-SHA1 keyed by the token over the URL and the name/value pieces, base64."""
    data = (url + "".join(pieces)).encode()
    return base64.b64encode(hmac.new(token.encode(), data, hashlib.sha1).digest()).decode()


def test_the_signature_follows_the_definition():
    # Parameters sorted by name, each name followed by its value, appended to the URL.
    pieces = ["Body", "C", "From", "+16175550101", "MessageSid", "SM1", "To", "+16175550000"]

    assert twilio_signature(URL, PARAMS, TOKEN) == by_definition(URL, pieces, TOKEN)


def test_a_correct_signature_is_valid():
    assert twilio_signature_valid(URL, PARAMS, twilio_signature(URL, PARAMS, TOKEN), TOKEN)


def test_a_tampered_parameter_is_invalid():
    signature = twilio_signature(URL, PARAMS, TOKEN)

    assert not twilio_signature_valid(URL, PARAMS | {"Body": "X"}, signature, TOKEN)
    assert not twilio_signature_valid(URL, PARAMS | {"Extra": ""}, signature, TOKEN)


def test_another_url_is_invalid():
    signature = twilio_signature(URL, PARAMS, TOKEN)

    assert not twilio_signature_valid(URL + "?x=1", PARAMS, signature, TOKEN)
    assert not twilio_signature_valid(URL.replace("https", "http"), PARAMS, signature, TOKEN)


def test_a_wrong_token_is_invalid():
    signature = twilio_signature(URL, PARAMS, "another-token")

    assert not twilio_signature_valid(URL, PARAMS, signature, TOKEN)


def test_a_missing_signature_or_token_is_invalid():
    assert not twilio_signature_valid(URL, PARAMS, "", TOKEN)
    assert not twilio_signature_valid(URL, PARAMS, twilio_signature(URL, PARAMS, ""), "")


def test_the_default_port_may_be_written_or_left_off():
    with_port = "https://clinic.example:443/hooks/sms/twilio"

    assert twilio_signature_valid(URL, PARAMS, twilio_signature(with_port, PARAMS, TOKEN), TOKEN)
    assert twilio_signature_valid(with_port, PARAMS, twilio_signature(URL, PARAMS, TOKEN), TOKEN)
    other_port = "https://clinic.example:8443/hooks/sms/twilio"
    assert not twilio_signature_valid(
        other_port, PARAMS, twilio_signature(URL, PARAMS, TOKEN), TOKEN
    )


def test_a_repeated_field_signs_each_value_in_order():
    form = QueryDict("To=%2B1&Media=b&Media=a")
    pieces = ["Media", "a", "Media", "b", "To", "+1"]

    assert twilio_signature(URL, form, TOKEN) == by_definition(URL, pieces, TOKEN)
