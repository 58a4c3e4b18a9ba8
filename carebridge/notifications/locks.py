"""Claiming outbox rows for delivery, and taking pending ones back to queue them again: the
only place that takes row locks in this app.

PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED` lets several workers claim different rows
at the same moment without waiting on each other. SQLite ignores FOR UPDATE, but every
write transaction there is IMMEDIATE (see settings), so the select and the update of one
claim run under the database's write lock and two claims simply take turns.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass

from django.db import connection, transaction

from carebridge.core import clock
from carebridge.notifications.constants import (
    CLAIMABLE_STATUSES,
    READDRESSED_REASON,
    MessageStatus,
)
from carebridge.notifications.models import OutboundMessage

# What sending a claimed message reads: the envelope, the checks before sending and the
# lease. Loading only these takes about 40 % off a claim's cost (much of it went into turning
# timestamps of the message and its patient into datetimes that delivery never looks at).
CLAIMED_FIELDS = (
    "idempotency_key",
    "kind",
    "channel",
    "to_address",
    "subject",
    "body_text",
    "body_html",
    "calendar",
    "calendar_method",
    "unsubscribe_url",
    "topic_type",
    "topic_id",
    "topic_stamp",
    "attempts",
    "lease_until",
    "patient__consent_sms",
    "patient__consent_email",
    "patient__sms_opted_out_at",
    "patient__email_opted_out_at",
)


def _walk_the_claim_index(cursor) -> None:
    """On PostgreSQL, have this transaction's claim read the oldest due rows off the claim
    index, whatever the table's statistics say.

    Statistics taken while the outbox held a few rows, and not yet refreshed after a bulk
    enqueue of 100,000 reminders (autovacuum looks once a minute, or not at all where it is
    off), made the planner read the whole table and sort it for every claim of 100 rows:
    207 ms against 0.8 ms through the index. Walking the index in due order and stopping
    after `limit` rows is the right plan at every size.
    """
    if connection.vendor == "postgresql":
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_bitmapscan = off")


_OUTBOX = OutboundMessage._meta.db_table
# One statement: on SQLite it holds the write lock only while it runs (an ORM select and
# update in a transaction held it about twice as long, compiling the update in between).
CLAIM = f"""
    UPDATE {_OUTBOX}
    SET status = %s, leased_by = %s, lease_until = %s, next_attempt_at = %s,
        attempts = attempts + 1, updated_at = %s
    WHERE id IN (
        SELECT id FROM {_OUTBOX}
        WHERE status IN ({", ".join(["%s"] * len(CLAIMABLE_STATUSES))}) AND next_attempt_at <= %s
        ORDER BY next_attempt_at LIMIT %s {{lock}}
    )
    RETURNING id
"""  # noqa: S608 - table name from the model, values as parameters


def outbox_claim_due(*, worker: str, limit: int, lease_seconds: float) -> list[OutboundMessage]:
    """Lease up to `limit` due messages to `worker`, oldest due first, and return them with
    their patients.

    A claim counts as an attempt (so a message that kills its worker every time is given
    up eventually) and moves next_attempt_at to the end of the lease: if the worker dies,
    the row is due again then, for any worker.
    """
    now = clock.now()
    lease_until = now + datetime.timedelta(seconds=lease_seconds)
    moment = connection.ops.adapt_datetimefield_value
    lock = ""
    if connection.features.has_select_for_update_skip_locked:
        lock = connection.ops.for_update_sql(skip_locked=True)
    parameters = [
        MessageStatus.SENDING,
        worker,
        moment(lease_until),
        moment(lease_until),
        moment(now),
        *CLAIMABLE_STATUSES,
        moment(now),
        limit,
    ]
    with transaction.atomic(), connection.cursor() as cursor:
        _walk_the_claim_index(cursor)
        cursor.execute(CLAIM.format(lock=lock), parameters)
        ids = [row[0] for row in cursor.fetchall()]
    if not ids:
        return []
    # Read once the claim has committed: the lease keeps other workers off these rows, and
    # loading them inside would hold SQLite's only write lock, which bookings wait for.
    claimed = OutboundMessage.objects.filter(pk__in=ids).select_related("patient")
    return list(claimed.only(*CLAIMED_FIELDS).order_by("pk"))


@dataclass(frozen=True)
class Destination:
    """Where and how a message reaches its patient."""

    channel: str
    to_address: str
    language: str


@transaction.atomic
def outbox_take_back_pending(
    *,
    patient_id: int,
    topic_type: str,
    kinds: Collection[str],
    keep: Destination | None,
) -> list[OutboundMessage]:
    """Withdraw the patient's pending messages of these kinds about topics of this type,
    except those already going to `keep`, and return them as they were: the caller queues
    them again, in the same transaction, as the patient can be reached now.

    Messages a worker is sending are left to it. On PostgreSQL a row that a worker is
    claiming at this very moment is skipped (SKIP LOCKED) rather than waited for; on SQLite
    the two cannot overlap.
    """
    pending = OutboundMessage.objects.filter(
        patient_id=patient_id, topic_type=topic_type, kind__in=kinds, status=MessageStatus.PENDING
    )
    if keep is not None:
        pending = pending.exclude(
            channel=keep.channel, to_address=keep.to_address, language=keep.language
        )
    taken = list(pending.select_for_update(skip_locked=True).order_by("due_at", "pk"))
    OutboundMessage.objects.filter(pk__in=[message.pk for message in taken]).update(
        status=MessageStatus.WITHDRAWN,
        last_error=READDRESSED_REASON,
        next_attempt_at=None,
        updated_at=clock.now(),
    )
    return taken
