"""A local SMS provider that speaks the Twilio-style REST API the HTTP gateway uses.

POST /2010-04-01/Accounts/{sid}/Messages.json with basic auth (sid:token) and the form
fields To, From and Body answers 201 with the message as JSON, its "sid" like SM + 32 hex.
A repeated Idempotency-Key gets the first answer again and delivers nothing new. Every raw
POST is counted; the next requests can be made to fail (500, 429) or to answer late.

    with SmsProvider() as provider:
        transport = TwilioSmsTransport(api_base=provider.base_url, ...)
"""

from __future__ import annotations

import base64
import json
import re
import sys
import threading
import uuid
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Self
from urllib.parse import parse_qs

from carebridge.notifications.signatures import twilio_signature
from carebridge.notifications.transports.sms_twilio import messages_url

E164 = re.compile(r"\+[1-9]\d{1,14}")


@dataclass(frozen=True)
class ProviderMessage:
    sid: str
    to: str
    sender: str
    body: str
    idempotency_key: str


@dataclass(frozen=True)
class Answer:
    status: int
    payload: dict


def _error(status: int, code: int, message: str) -> Answer:
    return Answer(status, {"code": code, "message": message, "status": status})


class SmsProvider:
    def __init__(self, *, account_sid: str = "", auth_token: str = "") -> None:
        self.account_sid = account_sid or "AC" + uuid.uuid4().hex
        self.auth_token = auth_token or uuid.uuid4().hex
        self.posts = 0  # every POST, answered or not
        self.retransmissions = 0  # POSTs of a key already delivered, answered from memory
        self._messages: list[ProviderMessage] = []
        self._answers: dict[str, Answer] = {}  # by Idempotency-Key
        self._failures: list[int] = []  # statuses for the next requests
        self._delays: list[float] = []  # seconds to hold the next answers
        self._clients: set[tuple[str, int]] = set()
        self._lock = threading.Lock()
        self._released = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.provider = self
        # A short poll so that stop() returns at once rather than after half a second.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def path(self) -> str:
        return messages_url("", self.account_sid)

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._released.set()  # answers being held back go out now
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    def fail_next(self, count: int, status: int = HTTPStatus.INTERNAL_SERVER_ERROR) -> None:
        """Answer the next `count` requests with `status` (e.g. 500 or 429), taking nothing."""
        with self._lock:
            self._failures.extend([status] * count)

    def delay_next(self, seconds: float) -> None:
        """Take the next message at once but hold its answer back for `seconds` (or until the
        provider stops), as a provider whose answer is lost on the way."""
        with self._lock:
            self._delays.append(seconds)

    @property
    def messages(self) -> list[ProviderMessage]:
        """Each delivered message once."""
        with self._lock:
            return list(self._messages)

    @property
    def connections(self) -> int:
        """Distinct client connections seen (keep-alive reuses one)."""
        with self._lock:
            return len(self._clients)

    def answer(
        self,
        *,
        client: tuple[str, int],
        path: str,
        authorization: str,
        key: str,
        form: dict[str, str],
    ) -> tuple[Answer, float]:
        """The answer to one POST, and how long to hold it back."""
        with self._lock:
            self.posts += 1
            self._clients.add(client)
            if self._failures:
                status = self._failures.pop(0)
                return _error(status, status * 100, HTTPStatus(status).phrase), 0.0
            delay = self._delays.pop(0) if self._delays else 0.0
            if authorization != self._expected_authorization():
                return _error(401, 20003, "Authenticate"), 0.0
            if path != self.path:
                return _error(404, 20404, "The requested resource was not found"), 0.0
            if key in self._answers:
                self.retransmissions += 1
                return self._answers[key], delay
            answer = self._accept(form, key)
            if key and answer.status == HTTPStatus.CREATED:
                self._answers[key] = answer
            return answer, delay

    def hold(self, seconds: float) -> None:
        self._released.wait(seconds)

    def _expected_authorization(self) -> str:
        credentials = f"{self.account_sid}:{self.auth_token}".encode()
        return "Basic " + base64.b64encode(credentials).decode("ascii")

    def _accept(self, form: dict[str, str], key: str) -> Answer:
        to, sender, body = form.get("To", ""), form.get("From", ""), form.get("Body", "")
        if not to:
            return _error(400, 21604, "A 'To' phone number is required.")
        if not E164.fullmatch(to):
            return _error(400, 21211, f"The 'To' number {to} is not a valid phone number.")
        if not body:
            return _error(400, 21602, "Message body is required.")
        message = ProviderMessage("SM" + uuid.uuid4().hex, to, sender, body, key)
        self._messages.append(message)
        payload = {
            "sid": message.sid,
            "account_sid": self.account_sid,
            "to": to,
            "from": sender,
            "body": body,
            "status": "queued",
            "direction": "outbound-api",
            "num_segments": "1",
            "uri": f"{self.path.removesuffix('.json')}/{message.sid}.json",
        }
        return Answer(HTTPStatus.CREATED, payload)


class _Server(ThreadingHTTPServer):
    def handle_error(self, request, client_address) -> None:
        """A client that goes away mid-request (a killed worker) is what crash tests do on
        purpose: what it sent is kept, as at a real provider, and nothing is printed."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 keeps the connection open between requests, as the real API does.
    protocol_version = "HTTP/1.1"
    # Answers go out at once instead of waiting for the client's acknowledgement (Nagle's
    # algorithm held each reply some 40 ms on a kept-alive connection).
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        provider: SmsProvider = self.server.provider
        length = int(self.headers.get("Content-Length") or 0)
        fields = parse_qs(self.rfile.read(length).decode(), keep_blank_values=True)
        answer, delay = provider.answer(
            client=self.client_address[:2],
            path=self.path,
            authorization=self.headers.get("Authorization", ""),
            key=self.headers.get("Idempotency-Key", ""),
            form={name: values[-1] for name, values in fields.items()},
        )
        if delay:
            provider.hold(delay)
        body = json.dumps(answer.payload).encode()
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Quiet: tests and benchmarks read the counters, not a request log."""


@dataclass(frozen=True)
class SignedWebhook:
    params: dict[str, str]  # the form fields to POST
    signature: str  # the X-Twilio-Signature header's value


def signed_inbound_sms(
    *,
    url: str,
    auth_token: str,
    from_number: str,
    to_number: str,
    body: str,
    message_sid: str = "",
    account_sid: str = "AC" + "0" * 32,
) -> SignedWebhook:
    """The webhook request the provider sends for an incoming text, signed for `url` (the
    full URL the receiving site sees, scheme and host included)."""
    sid = message_sid or "SM" + uuid.uuid4().hex
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": account_sid,
        "From": from_number,
        "To": to_number,
        "Body": body,
        "NumMedia": "0",
        "ApiVersion": "2010-04-01",
    }
    return SignedWebhook(params, twilio_signature(url, params, auth_token))
