import socket
import uuid

import pytest

from carebridge.notifications.errors import PermanentDeliveryError, TransientDeliveryError
from carebridge.notifications.testing.smtp_sink import SmtpSink
from carebridge.notifications.transports import Envelope
from carebridge.notifications.transports.mail import EmailTransport, message_id_for

CALENDAR = (
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\nMETHOD:{method}\r\n"
    "BEGIN:VEVENT\r\nUID:visit-1@test\r\nSEQUENCE:0\r\nDTSTAMP:20261128T090000Z\r\n"
    "DTSTART:20261201T140000Z\r\nDTEND:20261201T143000Z\r\nSUMMARY:Follow-up\r\n"
    "END:VEVENT\r\nEND:VCALENDAR\r\n"
)


@pytest.fixture
def sink(settings):
    with SmtpSink() as sink:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = sink.host
        settings.EMAIL_PORT = sink.port
        settings.EMAIL_TIMEOUT = 5
        yield sink


def envelope(**fields) -> Envelope:
    defaults = {
        "key": uuid.uuid4().hex,
        "channel": "email",
        "to_address": "jose@example.org",
        "subject": "Your visit on Tuesday",
        "body_text": "See you on Tuesday at 9:00.",
    }
    return Envelope(**(defaults | fields))


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_message_arrives_with_its_key_as_message_id(sink, settings):
    settings.DEFAULT_FROM_EMAIL = "Clinic A <reminders@clinic-a.example>"
    sent = envelope()

    with EmailTransport() as transport:
        provider_id = transport.send(sent)

    [received] = sink.messages
    assert provider_id == received["Message-ID"] == f"<{sent.key}@carebridge.invalid>"
    assert received["To"] == "jose@example.org"
    assert received["From"] == "Clinic A <reminders@clinic-a.example>"
    assert received["Subject"] == "Your visit on Tuesday"
    assert received["Auto-Submitted"] == "auto-generated"
    assert received["List-Unsubscribe"] is None
    assert received.get_content().strip() == "See you on Tuesday at 9:00."


def test_the_envelope_sender_and_unsubscribe_link_are_used_when_given(sink):
    with EmailTransport() as transport:
        transport.send(
            envelope(
                from_address="front-desk@clinic-a.example",
                unsubscribe_url="https://clinic-a.example/p/unsubscribe/abc",
            )
        )

    [received] = sink.messages
    assert received["From"] == "front-desk@clinic-a.example"
    assert received["List-Unsubscribe"] == "<https://clinic-a.example/p/unsubscribe/abc>"


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_a_calendar_goes_inline_with_its_method_and_as_an_ics_file(sink, method):
    calendar = CALENDAR.format(method=method)

    with EmailTransport() as transport:
        transport.send(
            envelope(body_html="<p>See you</p>", calendar=calendar, calendar_method=method)
        )

    [received] = sink.messages
    assert received.get_content_type() == "multipart/mixed"
    alternative, attachment = received.iter_parts()
    text, html, inline = alternative.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    assert (text.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert html.get_content().strip() == "<p>See you</p>"
    assert inline.get_content_type() == "text/calendar"
    assert inline.get_param("method") == method
    assert inline.get_content().replace("\r\n", "\n") == calendar.replace("\r\n", "\n")
    assert attachment.get_filename() == "invite.ics"
    assert attachment.get_content_type() == "application/ics"
    assert attachment.get_content().decode() == calendar


def test_a_calendar_needs_a_method():
    with pytest.raises(ValueError, match="calendar_method"):
        envelope(calendar=CALENDAR.format(method="REQUEST"))


def test_one_connection_serves_the_whole_batch(sink):
    with EmailTransport() as transport:
        for _ in range(3):
            transport.send(envelope())

    assert len(sink.messages) == 3
    assert sink.connections == 1


def test_the_same_key_sent_again_is_one_message_and_one_retransmission(sink):
    repeated = envelope()

    with EmailTransport() as transport:
        first = transport.send(repeated)
    with EmailTransport() as transport:
        second = transport.send(repeated)

    assert first == second == message_id_for(repeated.key)
    assert len(sink.messages) == 1
    assert (sink.receptions, sink.retransmissions) == (2, 1)


def test_a_recipient_refused_for_good_is_a_permanent_failure(sink):
    sink.refusals["gone@example.org"] = "550 5.1.1 No such user"

    with EmailTransport() as transport:
        with pytest.raises(PermanentDeliveryError, match=r"550 5\.1\.1 No such user"):
            transport.send(envelope(to_address="gone@example.org"))
        transport.send(envelope(to_address="jose@example.org"))

    assert [m["To"] for m in sink.messages] == ["jose@example.org"]
    assert sink.connections == 1


@pytest.mark.parametrize(
    "reply", ["450 4.2.1 Mailbox busy, try later", "421 4.3.2 Shutting down, closing session"]
)
def test_a_recipient_refused_for_now_is_a_transient_failure_and_the_batch_goes_on(sink, reply):
    sink.refusals["busy@example.org"] = reply

    with EmailTransport() as transport:
        with pytest.raises(TransientDeliveryError, match=reply[:3]):
            transport.send(envelope(to_address="busy@example.org"))
        transport.send(envelope(to_address="jose@example.org"))

    assert [m["To"] for m in sink.messages] == ["jose@example.org"]


def test_an_unreachable_relay_is_a_transient_failure(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = closed_port()

    with pytest.raises(TransientDeliveryError, match="ConnectionRefusedError"):
        EmailTransport().open()


def test_a_relay_that_went_away_mid_batch_fails_that_message_and_the_next_reconnects(sink):
    transport = EmailTransport()
    transport.open()
    transport.send(envelope())
    # The relay drops the session (e.g. an idle timeout) without the client noticing.
    transport._backend.connection.sock.shutdown(socket.SHUT_RDWR)

    with pytest.raises(TransientDeliveryError):
        transport.send(envelope())
    transport.send(envelope())
    transport.close()

    assert len(sink.messages) == 2
    assert sink.connections == 2


def test_a_header_with_a_line_break_is_a_permanent_failure(sink):
    with EmailTransport() as transport, pytest.raises(PermanentDeliveryError, match="header"):
        transport.send(envelope(subject="Hello\nBcc: someone@example.org"))

    assert sink.messages == []


def test_without_a_relay_messages_are_written_as_files(settings, tmp_path):
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    sent = envelope()

    with EmailTransport() as transport:
        transport.send(sent)

    [written] = list(tmp_path.iterdir())
    assert f"Message-ID: <{sent.key}@carebridge.invalid>" in written.read_text()
