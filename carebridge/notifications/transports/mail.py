"""Email through Django's email backends (SMTP to any relay; file or console in development).

Each message carries a Message-ID derived from its idempotency key, so a relay or sink that
de-duplicates by Message-ID keeps one copy however often a crashed worker sends it again.
"""

from __future__ import annotations

import contextlib
import smtplib

from django.conf import settings
from django.core.mail import BadHeaderError, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend

from carebridge.notifications.errors import (
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from carebridge.notifications.transports import Envelope, Transport

MESSAGE_ID_DOMAIN = "carebridge.invalid"
CALENDAR_FILENAME = "invite.ics"


def message_id_for(key: str) -> str:
    """The Message-ID header of the email with this idempotency key."""
    return f"<{key}@{MESSAGE_ID_DOMAIN}>"


class _InvitationEmail(EmailMultiAlternatives):
    """Names the iTIP method on the text/calendar part, as RFC 6047 asks, so that mail
    clients offer to add, update or remove the event instead of showing a bare file."""

    def __init__(self, *args, calendar_method: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.calendar_method = calendar_method

    def message(self):
        message = super().message()
        for part in message.walk():
            if part.get_content_type() == "text/calendar":
                part.set_param("method", self.calendar_method)
        return message


def _email(envelope: Envelope) -> EmailMultiAlternatives:
    headers = {"Message-ID": message_id_for(envelope.key), "Auto-Submitted": "auto-generated"}
    if envelope.unsubscribe_url:
        headers["List-Unsubscribe"] = f"<{envelope.unsubscribe_url}>"
    email = _InvitationEmail(
        subject=envelope.subject,
        body=envelope.body_text,
        from_email=envelope.from_address or settings.DEFAULT_FROM_EMAIL,
        to=[envelope.to_address],
        headers=headers,
        calendar_method=envelope.calendar_method,
    )
    if envelope.body_html:
        email.attach_alternative(envelope.body_html, "text/html")
    if envelope.calendar:
        email.attach_alternative(envelope.calendar, "text/calendar")
        # The same invitation as a file, for clients that ignore the inline part.
        email.attach(CALENDAR_FILENAME, envelope.calendar, "application/ics")
    return email


def _by_reply_code(code: int, reply: bytes | str) -> DeliveryError:
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    reason = f"mail server replied {code} {text}"[:300]
    if 500 <= code < 600:
        return PermanentDeliveryError(reason)
    return TransientDeliveryError(reason)


def classify_smtp_error(error: OSError) -> DeliveryError:
    """5xx replies refuse this message for good; 4xx replies, refused or lost connections
    and timeouts are worth another try."""
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        # One recipient per message: its (code, reply) is the answer.
        code, reply = next(iter(error.recipients.values()))
        return _by_reply_code(code, reply)
    if isinstance(error, smtplib.SMTPResponseException):
        return _by_reply_code(error.smtp_code, error.smtp_error)
    return TransientDeliveryError(f"mail not handed over: {type(error).__name__} {error}"[:300])


class EmailTransport(Transport):
    """One backend connection (for SMTP: one session with the relay) for a whole batch."""

    def __init__(self) -> None:
        self._backend: BaseEmailBackend | None = None

    def open(self) -> None:
        self._backend = get_connection(fail_silently=False)
        self._connect()

    def _connect(self) -> None:
        try:
            self._backend.open()
        except OSError as error:
            raise classify_smtp_error(error) from error

    def send(self, envelope: Envelope) -> str:
        try:
            email = _email(envelope)
            # Reconnects when an earlier failure in this batch dropped the connection.
            self._connect()
            sent = self._backend.send_messages([email])
        except BadHeaderError as error:
            raise PermanentDeliveryError(f"unusable header: {error}") from error
        except OSError as error:
            failure = classify_smtp_error(error)
            if isinstance(failure, TransientDeliveryError):
                # A lost connection or a 4xx (421 closes the session) may leave the session
                # unusable: the next message starts a fresh one.
                self.close()
            raise failure from error
        if not sent:
            raise PermanentDeliveryError("no recipient address")
        return message_id_for(envelope.key)

    def close(self) -> None:
        if self._backend is not None:
            with contextlib.suppress(OSError):
                self._backend.close()
