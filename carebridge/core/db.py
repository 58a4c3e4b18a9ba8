"""Database helpers that must behave the same on SQLite and PostgreSQL."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from django.db import OperationalError, connection

P = ParamSpec("P")
T = TypeVar("T")

# Deadlock and serialization failure: PostgreSQL asks the client to run the transaction again.
RETRYABLE_SQLSTATES = frozenset({"40P01", "40001"})


def _is_retryable(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) in RETRYABLE_SQLSTATES


def retry_transaction(attempts: int = 3) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Re-run a whole transaction that PostgreSQL aborted as a deadlock victim.

    Two bookings for one patient with two practitioners can each wait on the other's row in
    different exclusion constraints; PostgreSQL breaks the cycle by aborting one. Running it
    again re-reads the committed winner and ends in a clean Conflict (or succeeds). Inside a
    caller's transaction nothing can be re-run, so the error passes through.
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
