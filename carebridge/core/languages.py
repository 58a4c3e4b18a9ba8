"""Language tags (en, es-MX, zh-Hant) as people read them, from the CLDR data in Babel."""

from __future__ import annotations

import functools

from babel import Locale, UnknownLocaleError


@functools.lru_cache(maxsize=256)
def language_name(tag: str) -> str:
    """ "Spanish (Mexico)" for es-MX; the tag itself when it names no known language."""
    try:
        return Locale.parse(tag, sep="-").get_display_name("en") or tag
    except (UnknownLocaleError, ValueError, TypeError):
        return tag


def language_label(tag: str) -> str:
    """The name with the tag, "Chinese · zh", for choosing among tags."""
    name = language_name(tag)
    return tag if name == tag else f"{name} · {tag}"
