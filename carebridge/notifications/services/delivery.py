"""Delivering outbox messages: claim due rows with a lease, re-check that each is still
wanted and allowed, hand it to its gateway, record the outcome.

Delivery is at least once. A worker that dies between the gateway's acceptance and the
recording of it leaves the row leased; when the lease ends another worker sends it again
with the same idempotency key, which a gateway that honours keys drops. Outcomes are
recorded every RECORD_EVERY messages (plus the few in flight at that moment), which bounds
those repeats per crash.

Up to DELIVERY_CONCURRENCY messages are with the gateways at once, each over its own
connection: a relay or an SMS API across the internet answers in tens of milliseconds, and
one message at a time would cap a worker at a few dozen a second. One recipient's messages
still go out one after the other, in the order they were queued.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime
import logging
import os
import socket
import threading
import time
import uuid
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import asdict, dataclass
from itertools import islice

from django.conf import settings
from django.db import connection, transaction

from carebridge.core import clock
from carebridge.notifications.constants import (
    BATCH_SIZE,
    CONSENT_EXEMPT_KINDS,
    LEASE_SECONDS,
    MAX_ATTEMPTS,
    RETRY_BASE_SECONDS,
    RETRY_CAP_SECONDS,
    SQLITE_BATCH_SIZE,
    WITHDRAWN_REASON,
    AttemptOutcome,
    MessageChannel,
    MessageStatus,
)
from carebridge.notifications.errors import (
    DeliveryError,
    PermanentDeliveryError,
    TransientDeliveryError,
)
from carebridge.notifications.locks import outbox_claim_due
from carebridge.notifications.models import DeliveryAttempt, OutboundMessage
from carebridge.notifications.transports import Envelope, Transport, transport_for

logger = logging.getLogger(__name__)

# Fewer, larger outcome writes leave SQLite's only write lock free for bookings more of the
# time (a booking's p95 while delivering grew 43 % at 10, 10 % at 50); a crash repeats at
# most this many sends, each under its idempotency key.
RECORD_EVERY = 50
# One drain stops after this long so that a busy outbox cannot hold a task worker forever;
# the scheduler's delivery job asks for the next one.
DRAIN_SECONDS = 300

# checker([(topic_id, stamp), ...]) -> the pairs whose messages are still wanted.
RelevanceChecker = Callable[[list[tuple[str, str]]], set[tuple[str, str]]]
_relevance_checkers: dict[str, RelevanceChecker] = {}


def relevance_register(topic_type: str, checker: RelevanceChecker) -> None:
    """Let the app that owns `topic_type` decide, just before sending, which of its
    messages are still wanted (e.g. the visit is still booked at the time the reminder
    names). Called from an AppConfig.ready(); a later registration for the same type
    replaces the earlier one. Messages of a type nobody registered are always wanted."""
    _relevance_checkers[topic_type] = checker


@dataclass
class DeliveryReport:
    """What one delivery run did with the messages it claimed."""

    claimed: int = 0
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    withdrawn: int = 0
    suppressed: int = 0

    def add(self, other: DeliveryReport) -> None:
        for name, value in asdict(other).items():
            setattr(self, name, getattr(self, name) + value)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class _Outcome:
    """The new state of one claimed message: `next_attempt_at` only for a retry, `attempt`
    only when a send was tried."""

    message: OutboundMessage
    status: str
    reason: str = ""
    next_attempt_at: datetime.datetime | None = None
    provider_message_id: str = ""
    attempt: str | None = None
    started_at: datetime.datetime | None = None


# Host and process id can repeat (a container restarted under the same name and pid): a
# random part makes a worker's name its own.
_PROCESS_TOKEN = uuid.uuid4().hex[:8]


def worker_name() -> str:
    """Who holds a lease: host, process and thread, unique among running workers."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{_PROCESS_TOKEN}:{threading.get_ident()}"


def retry_delay(attempts: int) -> datetime.timedelta:
    """The wait after the `attempts`-th failed try: doubling from the base, capped."""
    seconds = min(RETRY_CAP_SECONDS, RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0))
    return datetime.timedelta(seconds=seconds)


def delivery_batch_size() -> int:
    """How many messages a worker claims at a time on this database (see BATCH_SIZE)."""
    return SQLITE_BATCH_SIZE if connection.vendor == "sqlite" else BATCH_SIZE


def outbox_deliver_due(
    *, worker: str, batch_size: int | None = None, lease_seconds: float = LEASE_SECONDS
) -> DeliveryReport:
    """Claim up to `batch_size` due messages (default: delivery_batch_size()) and deliver
    them.

    Just before sending, each message is re-checked: consent and opt-out of its channel
    (messages without a patient, and carrier-required answers, need none), an address, and
    the relevance checker of its topic. Unwanted ones become withdrawn, disallowed ones
    suppressed. A transient gateway failure schedules a retry with exponential backoff; a
    permanent one, or the last allowed attempt, makes the message failed with the reason.
    Sending stops when the lease runs out; what is left is claimable again at once.
    Side effects: a DeliveryAttempt row for every send tried.
    """
    messages = outbox_claim_due(
        worker=worker, limit=batch_size or delivery_batch_size(), lease_seconds=lease_seconds
    )
    report = DeliveryReport(claimed=len(messages))
    screened = _screen(messages)
    _record(list(screened.values()), worker, report)
    to_send = [message for message in messages if message.pk not in screened]
    queues = _recipient_queues(to_send)
    with _Gateways() as gateways, contextlib.closing(_sent(queues, gateways)) as sent:
        unrecorded: list[_Outcome] = []
        for outcomes in sent:
            unrecorded += outcomes
            if len(unrecorded) >= RECORD_EVERY:
                _record(unrecorded, worker, report)
                unrecorded = []
        _record(unrecorded, worker, report)
    return report


def outbox_drain(
    *,
    worker: str,
    batch_size: int | None = None,
    lease_seconds: float = LEASE_SECONDS,
    max_seconds: float = DRAIN_SECONDS,
) -> DeliveryReport:
    """Deliver batch after batch until nothing is due (or `max_seconds` have passed).

    First it takes back the messages this worker still holds from a run that was cut short
    (the database went away mid-batch): a worker sends one batch at a time, so a lease of
    its own at this point is abandoned, and waiting for it to run out would only delay.
    """
    _release_abandoned_leases(worker)
    total = DeliveryReport()
    deadline = time.monotonic() + max_seconds
    while time.monotonic() < deadline:
        report = outbox_deliver_due(
            worker=worker, batch_size=batch_size, lease_seconds=lease_seconds
        )
        total.add(report)
        if not report.claimed:
            break
    return total


def _release_abandoned_leases(worker: str) -> None:
    OutboundMessage.objects.filter(
        next_attempt_at__isnull=False, status=MessageStatus.SENDING, leased_by=worker
    ).update(next_attempt_at=clock.now())


# Re-checks before sending


def _screen(messages: list[OutboundMessage]) -> dict[int, _Outcome]:
    """The messages that must not be sent, by primary key, with their new state."""
    screened: dict[int, _Outcome] = {}
    for message in messages:
        if message.attempts > MAX_ATTEMPTS:
            # The last allowed attempt ended without an outcome (a retry after it would have
            # failed the message): the message may stop the worker whenever it is tried.
            screened[message.pk] = _Outcome(
                message,
                MessageStatus.FAILED,
                f"gave up after {message.attempts - 1} attempts, the last never finished",
            )
        elif reason := _why_not_allowed(message):
            screened[message.pk] = _Outcome(message, MessageStatus.SUPPRESSED, reason)
    candidates = [message for message in messages if message.pk not in screened]
    for message in _unwanted(candidates):
        screened[message.pk] = _Outcome(message, MessageStatus.WITHDRAWN, WITHDRAWN_REASON)
    return screened


def _why_not_allowed(message: OutboundMessage) -> str:
    if not message.to_address:
        return "no address"
    patient = message.patient
    if patient is None or message.kind in CONSENT_EXEMPT_KINDS:
        return ""
    if message.channel == MessageChannel.SMS:
        if patient.sms_opted_out_at:
            return "the patient opted out of text messages"
        if not patient.consent_sms:
            return "no consent to text messages"
    elif message.channel == MessageChannel.EMAIL:
        if patient.email_opted_out_at:
            return "the patient opted out of email"
        if not patient.consent_email:
            return "no consent to email"
    return ""


def _unwanted(messages: list[OutboundMessage]) -> list[OutboundMessage]:
    """The messages whose topic's checker no longer wants them (one call per topic type)."""
    by_type: dict[str, list[OutboundMessage]] = defaultdict(list)
    for message in messages:
        if message.topic_type in _relevance_checkers:
            by_type[message.topic_type].append(message)
    unwanted = []
    for topic_type, group in by_type.items():
        wanted = _relevance_checkers[topic_type]([(m.topic_id, m.topic_stamp) for m in group])
        unwanted += [m for m in group if (m.topic_id, m.topic_stamp) not in wanted]
    return unwanted


# Sending


class _Gateways(contextlib.ExitStack):
    """The open transports of a batch, lent to one send at a time and opened as needed: as
    many per channel as messages go out at once. A gateway that cannot be reached is
    remembered, so the rest of the batch fails fast instead of waiting on it again."""

    def __init__(self) -> None:
        super().__init__()
        self._idle: dict[str, list[Transport]] = defaultdict(list)
        self._unreachable: dict[str, TransientDeliveryError] = {}
        self._lock = threading.Lock()

    def send(self, message: OutboundMessage) -> str:
        transport = self._borrow(message.channel)
        try:
            return transport.send(_envelope(message))
        finally:
            with self._lock:
                self._idle[message.channel].append(transport)

    def _borrow(self, channel: str) -> Transport:
        with self._lock:
            if channel in self._unreachable:
                raise self._unreachable[channel]
            if self._idle[channel]:
                return self._idle[channel].pop()
        # Connecting may take seconds: the other sends go on meanwhile.
        transport = transport_for(channel)
        try:
            transport.open()
        except DeliveryError as error:
            # A gateway we cannot even connect to says nothing about this message:
            # retry it, whatever the connection error's class.
            with self._lock:
                self._unreachable[channel] = TransientDeliveryError(error.reason)
                raise self._unreachable[channel] from error
        with self._lock:
            self.callback(transport.close)
        return transport


def _recipient_queues(messages: list[OutboundMessage]) -> list[list[OutboundMessage]]:
    """The messages grouped by recipient, each group in claim order, the groups in the order
    of their first message: one recipient's messages go out one after the other, as they
    were queued, while different recipients' go out side by side."""
    queues: dict[tuple[str, str], list[OutboundMessage]] = defaultdict(list)
    for message in messages:
        queues[(message.channel, message.to_address)].append(message)
    return list(queues.values())


def _sent(queues: list[list[OutboundMessage]], gateways: _Gateways) -> Iterator[list[_Outcome]]:
    """Send the queues side by side, DELIVERY_CONCURRENCY at a time; yield each queue's
    outcomes in the order of the queues. Closing the generator early (a recording failed)
    sends nothing more; what is in flight finishes."""
    concurrency = settings.DELIVERY_CONCURRENCY
    if concurrency == 1:
        for queue in queues:
            yield _send_in_order(queue, gateways)
        return
    pool = ThreadPoolExecutor(concurrency, thread_name_prefix="delivery")

    def start(queue: list[OutboundMessage]) -> Future:
        return pool.submit(contextvars.copy_context().run, _send_in_order, queue, gateways)

    waiting = iter(queues)
    try:
        # A window of queued sends keeps every thread busy, yet bounds what has gone out
        # without being recorded.
        in_flight = deque(start(queue) for queue in islice(waiting, 2 * concurrency))
        while in_flight:
            yield in_flight.popleft().result()
            if (queue := next(waiting, None)) is not None:
                in_flight.append(start(queue))
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _send_in_order(queue: list[OutboundMessage], gateways: _Gateways) -> list[_Outcome]:
    """Send one recipient's messages in order, while the lease lasts. It may run in a
    delivery thread, so it touches the gateways, never the database."""
    outcomes = []
    for message in queue:
        if clock.now() >= message.lease_until:
            # A slow gateway used up the lease: the rest may be claimed by another worker
            # by now, and sending it here too would only make duplicates.
            break
        outcomes.append(_send(message, gateways))
    return outcomes


def _envelope(message: OutboundMessage) -> Envelope:
    return Envelope(
        key=message.idempotency_key,
        channel=message.channel,
        to_address=message.to_address,
        subject=message.subject,
        body_text=message.body_text,
        body_html=message.body_html,
        calendar=message.calendar,
        calendar_method=message.calendar_method,
        unsubscribe_url=message.unsubscribe_url,
    )


def _send(message: OutboundMessage, gateways: _Gateways) -> _Outcome:
    started_at = clock.now()
    try:
        provider_message_id = gateways.send(message)
    except PermanentDeliveryError as error:
        outcome = _Outcome(message, MessageStatus.FAILED, error.reason)
        outcome.attempt = AttemptOutcome.PERMANENT
    except TransientDeliveryError as error:
        outcome = _retry_or_fail(message, error.reason)
    except Exception as error:
        # A fault of our own (a bad row, a bug in a transport) must not stop the batch:
        # the message is retried like a transient failure and failed after MAX_ATTEMPTS.
        logger.exception("Delivering outbox message %s failed unexpectedly", message.pk)
        outcome = _retry_or_fail(message, f"unexpected error: {type(error).__name__}: {error}")
    else:
        outcome = _Outcome(message, MessageStatus.SENT, provider_message_id=provider_message_id)
        outcome.attempt = AttemptOutcome.SENT
    outcome.started_at = started_at
    return outcome


def _retry_or_fail(message: OutboundMessage, reason: str) -> _Outcome:
    if message.attempts >= MAX_ATTEMPTS:
        outcome = _Outcome(
            message, MessageStatus.FAILED, f"gave up after {message.attempts} attempts: {reason}"
        )
    else:
        outcome = _Outcome(
            message,
            MessageStatus.PENDING,
            reason,
            next_attempt_at=clock.now() + retry_delay(message.attempts),
        )
    outcome.attempt = AttemptOutcome.TRANSIENT
    return outcome


# Recording


REPORTED_AS = {
    MessageStatus.SENT: "sent",
    MessageStatus.PENDING: "retrying",
    MessageStatus.FAILED: "failed",
    MessageStatus.WITHDRAWN: "withdrawn",
    MessageStatus.SUPPRESSED: "suppressed",
}


def _record(outcomes: list[_Outcome], worker: str, report: DeliveryReport) -> None:
    """Write the outcomes of the messages this worker still holds, a few statements per
    call whatever the number of messages.

    The rows are guarded by the claim (worker and lease end): a message whose lease passed
    to another worker is left to that worker. A message withdrawn while it was being sent
    is still recorded as sent: the gateway has it. The rows to write are ready before the
    transaction begins, which on SQLite holds the only write lock, the one bookings need.
    """
    if not outcomes:
        return
    now = clock.now()
    sent_rows = _sent_rows(
        [outcome for outcome in outcomes if outcome.status == MessageStatus.SENT], worker, now
    )
    attempt_rows = _attempt_rows([outcome for outcome in outcomes if outcome.attempt], worker, now)
    unsent = [outcome for outcome in outcomes if outcome.status != MessageStatus.SENT]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # An outcome lost with the last moments before a database crash only means the
            # message goes out again under the same key, so the commit need not wait for
            # the disk: it is what makes per-chunk commits cheap.
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        if sent_rows:
            cursor.executemany(MARK_SENT, sent_rows)
            report.sent += cursor.rowcount
        _mark_unsent(unsent, worker, now, report)
        if attempt_rows:
            cursor.executemany(ADD_ATTEMPT, attempt_rows)


def _mark_unsent(
    outcomes: list[_Outcome], worker: str, now: datetime.datetime, report: DeliveryReport
) -> None:
    """Retries, failures, withdrawals and suppressions: one update per new state."""
    groups: dict[tuple, list[_Outcome]] = defaultdict(list)
    for outcome in outcomes:
        groups[(outcome.status, outcome.reason, outcome.next_attempt_at)].append(outcome)
    for (status, reason, next_attempt_at), group in groups.items():
        changed = OutboundMessage.objects.filter(
            pk__in=[outcome.message.pk for outcome in group],
            leased_by=worker,
            lease_until=group[0].message.lease_until,
            status=MessageStatus.SENDING,
        ).update(
            status=status,
            next_attempt_at=next_attempt_at,
            lease_until=None,
            last_error=reason,
            updated_at=now,
        )
        name = REPORTED_AS[status]
        setattr(report, name, getattr(report, name) + changed)


# Sent messages and attempts are the bulk of the writes, one row per message: they go as
# one prepared statement run for every row (executemany), since compiling ORM updates and
# building model instances cost more than the writes themselves.

_OUTBOX = OutboundMessage._meta.db_table
_ATTEMPTS = DeliveryAttempt._meta.db_table
MARK_SENT = f"""
    UPDATE {_OUTBOX} SET status = %s, sent_at = %s, provider_message_id = %s,
        next_attempt_at = NULL, lease_until = NULL, last_error = '', updated_at = %s
    WHERE id = %s AND leased_by = %s AND lease_until = %s AND status IN (%s, %s)
"""  # noqa: S608 - table names from the models, values as parameters
ADD_ATTEMPT = f"""
    INSERT INTO {_ATTEMPTS} (message_id, worker, started_at, finished_at, outcome, error)
    VALUES (%s, %s, %s, %s, %s, %s)
"""  # noqa: S608 - table name from the model, values as parameters


def _db_time(value: datetime.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _sent_rows(outcomes: list[_Outcome], worker: str, now: datetime.datetime) -> list[tuple]:
    """MARK_SENT's parameters for each message: it changes a row where this worker still
    holds it (a message withdrawn meanwhile included)."""
    at = _db_time(now)
    return [
        (
            MessageStatus.SENT,
            at,
            outcome.provider_message_id,
            at,
            outcome.message.pk,
            worker,
            _db_time(outcome.message.lease_until),
            MessageStatus.SENDING,
            MessageStatus.WITHDRAWN,
        )
        for outcome in outcomes
    ]


def _attempt_rows(outcomes: list[_Outcome], worker: str, now: datetime.datetime) -> list[tuple]:
    at = _db_time(now)
    return [
        (
            outcome.message.pk,
            worker,
            _db_time(outcome.started_at),
            at,
            outcome.attempt,
            outcome.reason,
        )
        for outcome in outcomes
    ]
