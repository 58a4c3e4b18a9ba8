"""The ways a message leaves: one transport per channel, chosen by the settings.

A transport is opened once per batch (one SMTP connection, one HTTP session), sends each
message with its idempotency key so that a gateway honouring the key never delivers it
twice, and turns every gateway failure into a transient or a permanent DeliveryError.

    with transport_for("email") as transport:
        provider_id = transport.send(envelope)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Self

from django.conf import settings
from django.utils.module_loading import import_string

from carebridge.notifications.constants import CalendarMethod, MessageChannel

# Dotted paths, imported when asked for, so that a deployment only loads what it uses.
_TRANSPORTS = {
    "email": "carebridge.notifications.transports.mail.EmailTransport",
    "sms:file": "carebridge.notifications.transports.sms_file.FileSmsTransport",
    "sms:twilio": "carebridge.notifications.transports.sms_twilio.TwilioSmsTransport",
}


@dataclass(frozen=True)
class Envelope:
    """One message as a gateway sees it. `key` is the message's idempotency key."""

    key: str
    channel: str  # a MessageChannel
    to_address: str  # an email address, or an E.164 phone number
    subject: str
    body_text: str
    body_html: str = ""
    calendar: str = ""  # text/calendar content (RFC 5545), email only
    calendar_method: str = ""  # the iTIP method inside `calendar`: REQUEST or CANCEL
    from_address: str = ""  # blank: DEFAULT_FROM_EMAIL or SMS_FROM
    unsubscribe_url: str = ""  # email only: offered as List-Unsubscribe

    def __post_init__(self) -> None:
        if self.calendar and self.calendar_method not in (
            CalendarMethod.REQUEST,
            CalendarMethod.CANCEL,
        ):
            raise ValueError(
                f"calendar_method must be REQUEST or CANCEL with a calendar, not "
                f"{self.calendar_method!r}"
            )


class Transport(Protocol):
    """Sends envelopes of one channel; use it as a context manager around a batch."""

    def open(self) -> None:
        """Connect to the gateway; raises DeliveryError when it cannot be reached."""

    def send(self, envelope: Envelope) -> str:
        """Hand one message to the gateway and return the gateway's id for it; raises
        TransientDeliveryError or PermanentDeliveryError."""
        ...

    def close(self) -> None:
        """Release the connection; never raises for a connection that already broke."""

    def __enter__(self) -> Self:
        self.open()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def transport_for(channel: str) -> Transport:
    """A new transport for `channel` ("email" or "sms") as configured: email through
    EMAIL_BACKEND, text messages through the SMS_GATEWAY (file or twilio)."""
    name = f"sms:{settings.SMS_GATEWAY}" if channel == MessageChannel.SMS else channel
    if name not in _TRANSPORTS:
        raise ValueError(f"no transport for channel {channel!r}")
    return import_string(_TRANSPORTS[name])()
