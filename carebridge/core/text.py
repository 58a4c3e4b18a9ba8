"""Names as people type them when they search: in any case, without accents."""

from __future__ import annotations

from unidecode import unidecode


def fold_text(value: str) -> str:
    """Lower-case without accents: how names are stored for search and searched."""
    return unidecode(value or "").lower().strip()
