"""Database helpers that must behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Sequence
from typing import ParamSpec, TypeVar

from django.db import DEFAULT_DB_ALIAS, OperationalError, connection, connections
from django.db.models import Field, Model

P = ParamSpec("P")
T = TypeVar("T")

# Deadlock and serialization failure: PostgreSQL asks the client to run the transaction again.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})

# The furthest a list may be paged. No list comes near it, and both databases take it with a
# page's length added (SQLite's integers end at 2**63, PostgreSQL's OFFSET is a bigint).
LARGEST_OFFSET = 1_000_000_000


def _is_retryable(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) in RETRYABLE_SQLSTATES


def retry_transaction(attempts: int = 3) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Re-run a whole transaction that PostgreSQL aborted as a deadlock victim.

    The booking locks (advisory_locks) keep clashing bookings from waiting on each other;
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
    REMINDER_SWEEP = 3


def advisory_locks(*keys: tuple[LockSpace, int]) -> tuple[str, list[int]]:
    """A select list that queues this transaction behind any other holding the same keys,
    until it ends (PostgreSQL's transaction-level advisory locks), and its parameters. The
    caller puts it first in a statement it runs anyway, so the lock costs no round trip.

    Two bookings that clash would otherwise both insert and then wait on each other inside
    PostgreSQL's exclusion constraint check, a deadlock it breaks by aborting one; with many
    clients at once the same one can lose again and again. Holding the lock from before the
    clash check until commit, the later booking either sees the earlier one or, when that
    committed while it waited (after its statement's snapshot), meets it in the exclusion
    constraint at once, without waiting: a clean failure either way. Callers pass keys in
    LockSpace order so two transactions never wait on each other in a cycle (a select list
    is evaluated left to right). SQLite needs none: an IMMEDIATE transaction already holds
    the database's only write lock.
    """
    calls = ", ".join(["pg_advisory_xact_lock(%s, %s)"] * len(keys))
    # the second key is an int4: ids beyond it share a lock, which only queues more
    return calls, [part for space, key in keys for part in (int(space), key % 2**31)]


def insert_new(objects: Sequence[Model]) -> None:
    """Write new objects of one model with one INSERT and give each its primary key.

    What `bulk_create` does for plain rows (auto_now and defaults applied as it applies
    them), without what only other cases need, which costs more than the write itself on a
    booking's path. Like `bulk_create`, it sends no signals; none of the models it is used
    for has receivers.
    """
    if not objects:
        return
    fields, rows = prepared_rows(objects)
    keys = rows_insert(type(objects[0]), fields, rows, returning=True)
    for obj, key in zip(objects, keys, strict=True):
        saved_as(obj, key)


def saved_as(obj: Model, key) -> None:
    """Mark a new object written (as `save` leaves it), under its new primary key."""
    obj.pk = key
    obj._state.adding = False
    obj._state.db = DEFAULT_DB_ALIAS


def prepared_rows(objects: Sequence[Model]) -> tuple[tuple[Field, ...], list[list]]:
    """The fields an INSERT of new objects of one model writes (every concrete one but the
    generated key) and each object's values for them, with auto_now and defaults applied as
    `bulk_create` applies them."""
    fields = _inserted_fields(type(objects[0]))
    database = connections[DEFAULT_DB_ALIAS]
    return fields, [
        [field.get_db_prep_save(field.pre_save(obj, True), database) for field in fields]
        for obj in objects
    ]


@functools.cache
def _inserted_fields(model: type[Model]) -> tuple[Field, ...]:
    meta = model._meta
    return tuple(field for field in meta.concrete_fields if field is not meta.auto_field)


# SQLite refuses a statement with more parameters than this.
SQLITE_MAX_PARAMETERS = 32766
# psycopg keeps the converted text of statements with up to this many parameters.
CACHED_PARAMETERS = 50


def rows_insert(
    model: type[Model], fields: Sequence[Field], rows: list[list], *, returning: bool = False
) -> list:
    """INSERT rows of prepared column values (one per field, in order) in as few statements
    as the database allows; with `returning`, the new primary keys in the order of the rows
    (as both databases give them and `bulk_create` relies on)."""
    fields = tuple(fields)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(*insert_statement(model, fields, rows, returning=returning))
            return [key for (key,) in cursor.fetchall()] if returning else []
        keys = []
        per_statement = max(1, SQLITE_MAX_PARAMETERS // len(fields))
        for start in range(0, len(rows), per_statement):
            chunk = rows[start : start + per_statement]
            cursor.execute(
                _values_insert_sql(model, fields, len(chunk), returning),
                [value for row in chunk for value in row],
            )
            if returning:
                keys += [key for (key,) in cursor.fetchall()]
        return keys


def insert_statement(
    model: type[Model], fields: Sequence[Field], rows: list[list], *, returning: bool = False
) -> tuple[str, list]:
    """One PostgreSQL INSERT of all the rows, and its parameters, as `rows_insert` runs it;
    for callers that write it into a larger statement (a data-modifying WITH).

    More rows than a cached statement's parameters go as one array per column, so the
    statement's text is the same for any number of rows: psycopg converts it once and the
    server prepares it, where a VALUES list of that size was converted anew for every
    booking. A column with one value in every row (a booking's messages share their
    patient, address, topic and most else) goes as that single value: psycopg dumps a
    value faster than an array. Fewer rows go as VALUES, whose single values psycopg
    adapts faster.
    """
    fields = tuple(fields)
    if len(rows) * len(fields) <= CACHED_PARAMETERS:
        values = [value for row in rows for value in row]
        return _values_insert_sql(model, fields, len(rows), returning), values
    columns = list(zip(*rows, strict=True))
    shared = tuple(all(value == column[0] for value in column) for column in columns)
    if all(shared):
        shared = (False, *shared[1:])  # unnest needs one array to count the rows
    scalars = [column[0] for column, one in zip(columns, shared, strict=True) if one]
    arrays = [list(column) for column, one in zip(columns, shared, strict=True) if not one]
    return _unnest_insert_sql(model, fields, shared, returning), [*scalars, *arrays]


def _insert_head(model: type[Model], fields: tuple[Field, ...]) -> str:
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    return f"INSERT INTO {quote(model._meta.db_table)} ({columns})"


def _returning(model: type[Model], returning: bool) -> str:
    return f" RETURNING {connection.ops.quote_name(model._meta.pk.column)}" if returning else ""


@functools.lru_cache(maxsize=256)
def _values_insert_sql(
    model: type[Model], fields: tuple[Field, ...], rows: int, returning: bool
) -> str:
    row = f"({', '.join(['%s'] * len(fields))})"
    values = ", ".join([row] * rows)
    return f"{_insert_head(model, fields)} VALUES {values}{_returning(model, returning)}"


@functools.lru_cache(maxsize=256)
def _unnest_insert_sql(
    model: type[Model], fields: tuple[Field, ...], shared: tuple[bool, ...], returning: bool
) -> str:
    """The INSERT of `insert_statement`: a typed single value for each shared field, a
    column of the unnest (`incoming.cN`) for each other one."""
    varying = [field for field, one in zip(fields, shared, strict=True) if not one]
    names = [f"c{index}" for index in range(len(varying))]
    next_name = iter(names)
    selected = ", ".join(
        f"%s::{field.db_type(connection)}" if one else f"incoming.{next(next_name)}"
        for field, one in zip(fields, shared, strict=True)
    )
    source = f"{unnest_of(varying)} AS incoming({', '.join(names)})"
    select = f"SELECT {selected} FROM {source}"  # noqa: S608 - column types from the model
    return f"{_insert_head(model, fields)} {select}{_returning(model, returning)}"


def unnest_of(fields: Sequence[Field]) -> str:
    """PostgreSQL's unnest over one array parameter per field, typed as the field's column:
    it yields the arrays' rows in order, and an INSERT from it writes (and returns) them in
    that order, as with a VALUES list.

    The arrays go in binary (`%b`): as text, psycopg escapes every element in Python, which
    for a booking's messages (bodies of a few kilobytes) cost more than the rest of the
    insert; in binary each element is only length and bytes."""
    return f"unnest({', '.join(f'%b::{field.db_type(connection)}[]' for field in fields)})"
