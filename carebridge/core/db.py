"""Database helpers that must behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection
from django.db.models import Field, Model

P = ParamSpec("P")
T = TypeVar("T")

# Deadlock and serialization failure: PostgreSQL asks the client to run the transaction again.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def _is_retryable(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) in RETRYABLE_SQLSTATES


def retry_transaction(attempts: int = 3) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Re-run a whole transaction that PostgreSQL aborted as a deadlock victim.

    The booking locks (lock_until_commit) keep clashing bookings from waiting on each other;
    this covers a cycle with a writer that takes no such lock. Running it again re-reads the
    committed winner and ends in a clean Conflict (or succeeds). Inside a caller's
    transaction nothing can be re-run, so the error passes through.
    """

    def decorate(function: Callable[P, T]) -> Callable[P, T]:
        @functools.wraps(function)
        def run(*args: P.args, **kwargs: P.kwargs) -> T:
            if connection.in_atomic_block:
                return function(*args, **kwargs)
            for _ in range(attempts - 1):
                try:
                    return function(*args, **kwargs)
                except OperationalError as error:
                    if not _is_retryable(error):
                        raise
            return function(*args, **kwargs)

        return run

    return decorate


def quoted_column(meta, name: str) -> str:
    """The quoted column of a model's field (by `_meta`), for statements written out."""
    return connection.ops.quote_name(meta.get_field(name).column)


class LockSpace(enum.IntEnum):
    """The first key of a transaction-level advisory lock: what kind of thing it guards."""

    PRACTITIONER_TIME = 1
    PATIENT_TIME = 2


def lock_until_commit(*keys: tuple[LockSpace, int]) -> None:
    """Queue this transaction behind any other holding the same keys, until it ends.

    Two bookings that clash would otherwise both insert and then wait on each other inside
    PostgreSQL's exclusion constraint check, a deadlock it breaks by aborting one; with many
    clients at once the same one can lose again and again. Taken before the clash check, the
    lock lets the later booking see the earlier one committed and fail cleanly. Callers pass
    keys in LockSpace order so two transactions never wait on each other in a cycle (a
    select list is evaluated left to right). SQLite needs none: an IMMEDIATE transaction
    already holds the database's only write lock.
    """
    if connection.vendor != "postgresql":
        return
    calls = ", ".join(["pg_advisory_xact_lock(%s, %s)"] * len(keys))
    with connection.cursor() as cursor:
        # the second key is an int4: ids beyond it share a lock, which only queues more
        cursor.execute(
            f"SELECT {calls}",
            [part for space, key in keys for part in (int(space), key % 2**31)],
        )


def insert_new(objects: Sequence[Model]) -> None:
    """Write new objects of one model with one INSERT and give each its primary key.

    What `bulk_create` does for plain rows (auto_now and defaults applied as it applies
    them), without what only other cases need, which costs more than the write itself on a
    booking's path. Like `bulk_create`, it sends no signals; none of the models it is used
    for has receivers.
    """
    if not objects:
        return
    sql, fields = _insert_sql(connection.vendor, type(objects[0]), len(objects))
    parameters = [
        field.get_db_prep_save(field.pre_save(obj, True), connection)
        for obj in objects
        for field in fields
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        keys = [key for (key,) in cursor.fetchall()]
    for obj, key in zip(objects, keys, strict=True):
        obj.pk = key
        obj._state.adding = False
        obj._state.db = connection.alias


@functools.lru_cache(maxsize=256)
def _insert_sql(vendor: str, model: type[Model], rows: int) -> tuple[str, list[Field]]:
    """INSERT of `rows` rows of every concrete column but the generated key, RETURNING the
    key (in the order of the rows, as both databases give it and `bulk_create` relies on)."""
    meta = model._meta
    quote = connection.ops.quote_name
    fields = [field for field in meta.concrete_fields if field is not meta.auto_field]
    row = f"({', '.join(['%s'] * len(fields))})"
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({', '.join(quote(f.column) for f in fields)})"  # noqa: S608
        f" VALUES {', '.join([row] * rows)} RETURNING {quote(meta.pk.column)}"
    )
    return sql, fields
