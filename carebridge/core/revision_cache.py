"""Process-local caches of an organization's settings, keyed by its revision.

A change to the settings gives the organization a new revision (database triggers; see
`Organization.messaging_revision`), and the organization is read with every request, so
an entry of an older revision, or of one that rolled back, is never asked for again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TypeVar

F = TypeVar("F", bound=Callable)

# Plenty for every organization and visit type a process serves; old revisions age out.
ENTRIES = 1024
_caches: list = []


def per_revision(function: F) -> F:
    """Cache `function`, whose arguments are the organization, its revision and what else
    picks the entry (all hashable)."""
    cached = functools.lru_cache(maxsize=ENTRIES)(function)
    _caches.append(cached)
    return cached  # type: ignore[return-value]


def revision_caches_clear() -> None:
    """Forget every entry. For tests: SQLite hands a rolled-back organization's id out
    again, at the first revision (0) again."""
    for cached in _caches:
        cached.cache_clear()
