"""The one source of "now", so tests can freeze time in a single place."""

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, tzinfo

from django.utils import timezone

_pinned: ContextVar[datetime | None] = ContextVar("pinned_now", default=None)


def now() -> datetime:
    return _pinned.get() or timezone.now()


def today(zone: tzinfo) -> date:
    """Today's date where `zone` is (a clinic's, a location's): UTC's may already be
    tomorrow's, or still yesterday's."""
    return now().astimezone(zone).date()


@contextmanager
def pinned(moment: datetime) -> Iterator[None]:
    """Record what happens inside as of `moment`: for building history (the demo clinic's
    past confirmations and cancellations), so every service and rule sees that time."""
    if moment.tzinfo is None:
        raise ValueError("pinned: the moment must be aware")
    token = _pinned.set(moment)
    try:
        yield
    finally:
        _pinned.reset(token)
