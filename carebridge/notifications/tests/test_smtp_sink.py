import smtplib
from email.message import EmailMessage

import pytest

from carebridge.notifications.testing.smtp_sink import SmtpSink


@pytest.fixture
def sink():
    with SmtpSink() as sink:
        yield sink


def mail(message_id: str | None, subject: str = "Reminder") -> EmailMessage:
    message = EmailMessage()
    message["From"] = "clinic@example.org"
    message["To"] = "patient@example.org"
    message["Subject"] = subject
    if message_id:
        message["Message-ID"] = message_id
    message.set_content("See you soon.")
    return message


def deliver(sink: SmtpSink, *messages: EmailMessage) -> None:
    with smtplib.SMTP(sink.host, sink.port, timeout=5) as client:
        for message in messages:
            client.send_message(message)


def test_each_message_id_is_kept_once_and_every_reception_counted(sink):
    deliver(sink, mail("<a@test>", "first"), mail("<b@test>"))
    deliver(sink, mail("<a@test>", "again"))

    assert [m["Message-ID"] for m in sink.messages] == ["<a@test>", "<b@test>"]
    assert sink.unique == 2
    assert sink.message("<a@test>")["Subject"] == "first"
    assert (sink.receptions, sink.retransmissions) == (3, 1)
    assert sink.connections == 2


def test_messages_without_a_message_id_are_all_kept(sink):
    deliver(sink, mail(None), mail(None))

    assert len(sink.messages) == 2
    assert sink.retransmissions == 0


def test_a_refused_recipient_gets_the_configured_reply_and_nothing_is_kept(sink):
    sink.refusals["patient@example.org"] = "550 5.1.1 No such user"

    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        deliver(sink, mail("<c@test>"))

    assert refused.value.recipients["patient@example.org"] == (550, b"5.1.1 No such user")
    assert sink.messages == []
    assert sink.receptions == 0


def test_two_sinks_run_side_by_side_on_ports_of_their_own(sink):
    with SmtpSink() as other:
        deliver(other, mail("<d@test>"))

    assert other.port != sink.port
    assert sink.messages == []
    assert len(other.messages) == 1
