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


def language_tag_cased(tag: str) -> str:
    """The tag in BCP 47's usual case: "VI" -> "vi", "pt-br" -> "pt-BR", "zh-hant" -> "zh-Hant".

    Tags are case-insensitive, but wording is found by comparing the stored tag with the
    patient's exactly, so it is kept in the case patients' tags are written in. After a
    singleton ("x-", "u-") the subtags are private or extensions: lower-case.
    """
    first, *rest = tag.split("-")
    cased, extension = [first.lower()], False
    for subtag in rest:
        extension = extension or len(subtag) == 1
        cased.append(subtag.lower() if extension else _subtag_cased(subtag))
    return "-".join(cased)


def _subtag_cased(subtag: str) -> str:
    if len(subtag) == 2 and subtag.isalpha():  # a region: BR, CA
        return subtag.upper()
    if len(subtag) == 4 and subtag.isalpha():  # a script: Hant, Latn
        return subtag.title()
    return subtag.lower()
