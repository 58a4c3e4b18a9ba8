import pytest

from carebridge.notifications.transports import transport_for
from carebridge.notifications.transports.mail import EmailTransport
from carebridge.notifications.transports.sms_file import FileSmsTransport
from carebridge.notifications.transports.sms_twilio import TwilioSmsTransport


def test_email_goes_through_the_email_backend():
    assert isinstance(transport_for("email"), EmailTransport)


@pytest.mark.parametrize(
    ("gateway", "transport"), [("file", FileSmsTransport), ("twilio", TwilioSmsTransport)]
)
def test_text_messages_go_through_the_configured_gateway(settings, gateway, transport):
    settings.SMS_GATEWAY = gateway

    assert isinstance(transport_for("sms"), transport)


def test_an_unknown_channel_has_no_transport():
    with pytest.raises(ValueError, match="fax"):
        transport_for("fax")
