"""Reads of a clinic's message wording: which messages it has its own words for, and the
words an admin starts editing from."""

from __future__ import annotations

from dataclasses import dataclass

from carebridge.accounts.models import Organization
from carebridge.notifications.constants import MessageChannel, MessageKind
from carebridge.notifications.models import MessageTemplate
from carebridge.notifications.rendering import (
    TEMPLATE_ROOT,
    language_chain,
    shipped_template_text,
)


@dataclass(frozen=True)
class TemplateEntry:
    """One kind of message in one language and channel; `own` is the clinic's row, if any."""

    kind: str
    kind_label: str
    language: str
    channel: str
    channel_label: str
    own: MessageTemplate | None


@dataclass(frozen=True)
class Wording:
    """What the editor starts from: the clinic's own words, else the shipped default of
    `default_language` (the nearest language that has one)."""

    subject: str
    body: str
    own: MessageTemplate | None
    default_language: str


def shipped_languages() -> list[str]:
    return sorted(path.name for path in TEMPLATE_ROOT.iterdir() if path.is_dir())


def message_template_catalogue(*, organization: Organization) -> list[TemplateEntry]:
    """Every kind x language x channel, saying where the clinic uses its own words; the
    languages are the shipped ones and every one the clinic has written a message in."""
    rows = {
        (row.kind, row.language, row.channel): row
        for row in MessageTemplate.objects.filter(organization=organization)
    }
    languages = sorted(set(shipped_languages()) | {language for _, language, _ in rows})
    return [
        TemplateEntry(
            kind, kind_label, language, channel, channel_label, rows.get((kind, language, channel))
        )
        for kind, kind_label in MessageKind.choices
        for language in languages
        for channel, channel_label in MessageChannel.choices
    ]


def message_template_wording(
    *, organization: Organization, kind: str, language: str, channel: str
) -> Wording:
    own = MessageTemplate.objects.filter(
        organization=organization, kind=kind, language=language, channel=channel
    ).first()
    for candidate in language_chain(language):
        shipped = shipped_template_text(language=candidate, kind=kind, channel=channel)
        if shipped is not None:
            break
    else:
        candidate, shipped = "", ("", "")
    subject, body = (own.subject, own.body) if own else shipped
    return Wording(subject=subject, body=body, own=own, default_language=candidate)
