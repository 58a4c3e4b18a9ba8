"""A local SMTP server (aiosmtpd) that keeps what it receives.

Messages are kept once per Message-ID, as a de-duplicating relay would deliver them, and
every DATA transaction is counted, so `retransmissions` tells how often a message came again.

    with SmtpSink() as sink:
        settings.EMAIL_HOST, settings.EMAIL_PORT = sink.host, sink.port
        ...
        assert len(sink.messages) == 1
"""

from __future__ import annotations

import email
import email.policy
import threading
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Self

from aiosmtpd.controller import Controller

# Only the Message-ID is read on arrival, and the compat32 policy reads a plain header about
# five times faster than the default one (a benchmark's sink must not compete with what it
# measures).
_HEADERS = BytesParser(policy=email.policy.compat32)


def _parsed(content: bytes) -> EmailMessage:
    return email.message_from_bytes(content, policy=email.policy.default)


class _AnyPortController(Controller):
    """Listens on the port the system hands out for port 0 and learns which one it got,
    so parallel test runs never race for a fixed port."""

    def _trigger_server(self) -> None:
        self.port = self.server.sockets[0].getsockname()[1]
        super()._trigger_server()


class _Handler:
    def __init__(self, sink: SmtpSink) -> None:
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        refusal = self.sink.refusals.get(address)
        if refusal:
            return refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        self.sink.record(envelope.content, session.peer)
        return "250 OK"


class SmtpSink:
    def __init__(self, host: str = "127.0.0.1") -> None:
        self.host = host
        # Address -> the reply to RCPT TO, e.g. "550 5.1.1 No such user" or "450 4.2.1 Busy".
        self.refusals: dict[str, str] = {}
        self.receptions = 0
        self._by_message_id: dict[str, bytes] = {}
        self._peers: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        self._controller = _AnyPortController(_Handler(self), hostname=host, port=0)

    @property
    def port(self) -> int:
        return self._controller.port

    def start(self) -> Self:
        self._controller.start()
        return self

    def stop(self) -> None:
        self._controller.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def record(self, content: bytes, peer: tuple[str, int]) -> None:
        # Only the headers now: a benchmark sends tens of thousands of messages, and the
        # bodies are parsed when someone looks at them.
        message_id = (_HEADERS.parsebytes(content, headersonly=True)["Message-ID"] or "").strip()
        with self._lock:
            self.receptions += 1
            self._peers.add(peer)
            # A message without a Message-ID cannot be recognized again: it stands alone.
            message_id = message_id or f"<reception-{self.receptions}>"
            self._by_message_id.setdefault(message_id, content)

    @property
    def unique(self) -> int:
        """How many distinct messages arrived."""
        with self._lock:
            return len(self._by_message_id)

    @property
    def messages(self) -> list[EmailMessage]:
        """Each distinct message once, in the order first received."""
        with self._lock:
            contents = list(self._by_message_id.values())
        return [_parsed(content) for content in contents]

    def message(self, message_id: str) -> EmailMessage:
        with self._lock:
            return _parsed(self._by_message_id[message_id])

    @property
    def retransmissions(self) -> int:
        """Receptions of a message that had already arrived."""
        with self._lock:
            return self.receptions - len(self._by_message_id)

    @property
    def connections(self) -> int:
        """Distinct client connections that delivered at least one message."""
        with self._lock:
            return len(self._peers)
