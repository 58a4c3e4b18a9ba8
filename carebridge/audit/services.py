"""The append-only, hash-chained audit log of every access to patient data."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Field

from carebridge.audit.constants import AuditAction, AuditOutcome
from carebridge.audit.errors import AuditChainBroken
from carebridge.audit.models import AuditChainHead, AuditEntry
from carebridge.core import clock, context
from carebridge.core.db import rows_insert, unnest_of
from carebridge.core.errors import NotFound
from carebridge.core.selectors import get_in_organization

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditTarget:
    """The object an access touched and, when it holds PHI, the patient it belongs to."""

    object_type: str
    object_ref: str
    patient_ref: str = ""


# The stored columns, in the order they enter the hash (entry_hash itself comes last).
CHAINED_COLUMNS = (
    "previous_hash",
    "organization_id",
    "sequence",
    "occurred_at",
    "actor_id",
    "actor_label",
    "token_id",
    "patient_ref",
    "object_type",
    "object_ref",
    "action",
    "outcome",
    "client_address",
    "request_id",
    "detail",
)


def _hash_text(value) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _chained_text(values: dict, names: Iterable[str]) -> str:
    return "\x1f".join(_hash_text(values[name]) for name in names)


def compute_entry_hash(values: dict) -> str:
    """SHA-256 over an entry's chained columns; `values` maps column name to value."""
    return hashlib.sha256(_chained_text(values, CHAINED_COLUMNS).encode()).hexdigest()


# Chained columns a new entry brings; the chain gives it the first three (previous hash,
# organization, sequence). PostgreSQL's audit_chain_hashes (migration 0004) hashes these
# behind those three exactly as `compute_entry_hash` does.
GIVEN_COLUMNS = CHAINED_COLUMNS[3:]


@dataclass
class _Head:
    id: int
    last_hash: str
    last_sequence: int


def _head(organization_id: int) -> _Head | None:
    head_table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, last_hash, last_sequence FROM {head_table}"  # noqa: S608
            " WHERE organization_id = %s",
            [organization_id],
        )
        row = cursor.fetchone()
    return None if row is None else _Head(*row)


def _create_head(organization_id: int) -> None:
    """Start the organization's chain. A head missing while entries exist was deleted:
    continuing from the newest entry would make a log whose newest entries went with
    the head verify as intact, so the append is refused and the break stays visible."""
    _, created = AuditChainHead.objects.get_or_create(
        organization_id=organization_id, defaults={"last_hash": GENESIS_HASH}
    )
    # Entries are written in the transaction that creates or advances their head: a head
    # another writer created first came with that writer's entries, and only when this
    # call creates it must the log still be empty.
    if created and AuditEntry.objects.filter(organization_id=organization_id).exists():
        raise AuditChainBroken(
            f"the audit chain head of organization {organization_id} is missing but its"
            " log has entries; nothing more is recorded until it is restored"
            " (carebridge audit --verify)"
        )


@functools.cache
def _advance_sql() -> str:
    head_table = connection.ops.quote_name(AuditChainHead._meta.db_table)
    return f"UPDATE {head_table} SET last_hash = %s, last_sequence = %s WHERE id = %s"  # noqa: S608


def _fields(columns: Iterable[str]) -> tuple[Field, ...]:
    by_column = {field.column: field for field in AuditEntry._meta.concrete_fields}
    return tuple(by_column[name] for name in columns)


@functools.cache
def _stored_fields() -> tuple[Field, ...]:
    """The entry's fields in CHAINED_COLUMNS order, then entry_hash."""
    return _fields((*CHAINED_COLUMNS, "entry_hash"))


@functools.cache
def _given_fields() -> tuple[Field, ...]:
    return _fields(GIVEN_COLUMNS)


def _stored_values(rows: list[dict], fields: tuple[Field, ...]) -> list[list]:
    """Plain column values, no model instances: every page view and search writes here,
    and building model instances costs more than the write itself."""
    moment = connection.ops.adapt_datetimefield_value
    return [
        [
            moment(row[field.column]) if field.column == "occurred_at" else row[field.column]
            for field in fields
        ]
        for row in rows
    ]


@transaction.atomic(savepoint=False)
def _append(organization_id: int, rows: list[dict]) -> None:
    """Chain the rows onto the organization's log and write them. The chain head stays
    locked until the transaction commits, and every other writer of the organization waits
    for it: on PostgreSQL one statement locks, chains, writes and advances it. SQLite's
    IMMEDIATE transaction already keeps every other writer out; it chains in Python."""
    if connection.vendor == "postgresql":
        _append_in_one_statement(organization_id, rows)
        return
    head = _head(organization_id)
    if head is None:
        _create_head(organization_id)
        head = _head(organization_id)
    for row in rows:
        row["sequence"] = head.last_sequence + 1
        row["previous_hash"] = head.last_hash
        row["entry_hash"] = compute_entry_hash(row)
        head.last_hash, head.last_sequence = row["entry_hash"], row["sequence"]
    rows_insert(AuditEntry, _stored_fields(), _stored_values(rows, _stored_fields()))
    with connection.cursor() as cursor:
        cursor.execute(_advance_sql(), [head.last_hash, head.last_sequence, head.id])


def _append_in_one_statement(organization_id: int, rows: list[dict]) -> None:
    """Under the head's lock nothing waits for this process: no round trip, no Python."""
    rests = [_chained_text(row, GIVEN_COLUMNS) for row in rows]
    values = _stored_values(rows, _given_fields())
    columns = [list(column) for column in zip(*values, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(_append_sql(), [organization_id, rests, *columns])
        if cursor.rowcount:
            return
    # the organization's first entry: no head to lock yet
    _create_head(organization_id)
    _append_in_one_statement(organization_id, rows)


@functools.cache
def _append_sql() -> str:
    """Lock the organization's head (parameter 1), chain the entries' given columns (2: the
    text of each as hashed, then one array per given column), write them, advance the head.
    Advances nothing, and writes nothing, when the organization has no head yet."""
    quote = connection.ops.quote_name
    head_table = quote(AuditChainHead._meta.db_table)
    names = [f"c{index}" for index in range(len(GIVEN_COLUMNS))]
    columns = ", ".join(quote(name) for name in (*CHAINED_COLUMNS, "entry_hash"))
    given = ", ".join(f"incoming.{name}" for name in names)
    return (
        f"WITH head AS (SELECT id, organization_id, last_hash, last_sequence FROM {head_table}"  # noqa: S608
        " WHERE organization_id = %s FOR UPDATE),"
        " chain AS (SELECT head.*, audit_chain_hashes(last_hash, organization_id,"
        " last_sequence, %b::text[]) AS hashes FROM head),"
        f" written AS (INSERT INTO {quote(AuditEntry._meta.db_table)} ({columns})"
        " SELECT CASE incoming.n WHEN 1 THEN chain.last_hash"
        " ELSE chain.hashes[incoming.n::int - 1] END, chain.organization_id,"
        f" chain.last_sequence + incoming.n, {given}, chain.hashes[incoming.n::int]"
        f" FROM chain, {unnest_of(_given_fields())} WITH ORDINALITY"
        f" AS incoming({', '.join(names)}, n))"
        f" UPDATE {head_table} SET last_hash = chain.hashes[cardinality(chain.hashes)],"
        " last_sequence = chain.last_sequence + cardinality(chain.hashes)"
        f" FROM chain WHERE {head_table}.id = chain.id"
    )


# Entries waiting for the end of an `audit_batch` block, or None outside one.
_batched: ContextVar[list[dict] | None] = ContextVar("carebridge_audit_batch", default=None)


@contextmanager
def audit_batch():
    """Entries recorded inside the block are appended together as it ends, in the order
    they were recorded; an exception discards them with the rest of the transaction.

    Use it inside a service's transaction (as the decorator under `transaction.atomic`):
    each append locks the organization's chain head until commit, so one append at the
    end keeps every other writer of that organization waiting for the shortest time. An
    inner block joins the outer one, and takes its entries back if it fails.

    A transaction that records thousands of entries (seeding a clinic) needs it too: each
    append writes a new version of the head row, PostgreSQL keeps every version a
    transaction wrote until it ends, and each later append steps over them all.
    """
    outer = _batched.get()
    if outer is not None:
        mark = len(outer)
        try:
            yield
        except BaseException:
            del outer[mark:]
            raise
        return
    rows: list[dict] = []
    token = _batched.set(rows)
    try:
        yield
    finally:
        _batched.reset(token)
    for organization_id in dict.fromkeys(row["organization_id"] for row in rows):
        _append(organization_id, [row for row in rows if row["organization_id"] == organization_id])


# No savepoint: inside a caller's transaction a failed append must fail the whole change.
@transaction.atomic(savepoint=False)
def audit_record_many(
    *,
    organization_id: int,
    actor,
    action: str,
    targets: Iterable[AuditTarget],
    outcome: str = AuditOutcome.ALLOWED,
    detail: str = "",
) -> None:
    """Append one chained entry per target, in the caller's transaction.

    Call it last in a service (or inside an `audit_batch`): the chain head stays locked
    until the transaction commits.
    """
    request = context.current()
    common = {
        "organization_id": organization_id,
        "occurred_at": clock.now(),
        "actor_id": getattr(actor, "pk", None),
        "actor_label": _actor_label(actor),
        "token_id": request.token_id,
        "action": action,
        "outcome": outcome,
        "client_address": request.client_address,
        "request_id": request.request_id,
        "detail": detail[:500],
    }
    rows = [
        common
        | {
            "patient_ref": target.patient_ref,
            "object_type": target.object_type,
            "object_ref": target.object_ref,
        }
        for target in targets
    ]
    if not rows:
        return
    batch = _batched.get()
    if batch is not None:
        batch.extend(rows)
    else:
        _append(organization_id, rows)


def audit_record(
    *,
    organization_id: int,
    actor,
    action: str,
    target: AuditTarget,
    outcome: str = AuditOutcome.ALLOWED,
    detail: str = "",
) -> None:
    """Append one entry; see `audit_record_many`."""
    audit_record_many(
        organization_id=organization_id,
        actor=actor,
        action=action,
        targets=[target],
        outcome=outcome,
        detail=detail,
    )


def get_or_audit_denied(queryset, *, organization, actor, public_id, object_type: str):
    """The organization's object with this public id; when there is none (unknown, malformed
    or another organization's id), the refusal is recorded in the actor's organization, so
    probing for ids leaves a trace there, and NotFound is raised."""
    try:
        return get_in_organization(queryset, organization, public_id)
    except NotFound:
        audit_record(
            organization_id=organization.pk,
            actor=actor,
            action=AuditAction.READ,
            # As probed, but for a NUL character, which PostgreSQL cannot store.
            target=AuditTarget(object_type, str(public_id)[:64].replace("\x00", "\\x00")),
            outcome=AuditOutcome.DENIED,
        )
        raise


def _actor_label(actor) -> str:
    if actor is None or not getattr(actor, "pk", None):
        return "system"
    return actor.get_username()


def audit_verify(*, organization_id: int) -> list[str]:
    """Walk the chain; return a description of each break (empty when intact)."""
    problems = []
    expected_previous, expected_sequence = GENESIS_HASH, 1
    entries = AuditEntry.objects.filter(organization_id=organization_id).order_by("sequence")
    for entry in entries.iterator(chunk_size=2000):
        if entry.sequence != expected_sequence:
            problems.append(f"entry {expected_sequence} is missing (next is {entry.sequence})")
        if entry.previous_hash != expected_previous:
            problems.append(f"entry {entry.sequence} does not follow the entry before it")
        values = {name: getattr(entry, name) for name in CHAINED_COLUMNS}
        if compute_entry_hash(values) != entry.entry_hash:
            problems.append(f"entry {entry.sequence} was altered")
        expected_previous, expected_sequence = entry.entry_hash, entry.sequence + 1
    head = AuditChainHead.objects.filter(organization_id=organization_id).first()
    if head is None:
        if expected_sequence > 1:
            problems.append("the chain head is missing")
    elif head.last_sequence != expected_sequence - 1 or head.last_hash != expected_previous:
        problems.append("the newest entries were removed or replaced")
    return problems
