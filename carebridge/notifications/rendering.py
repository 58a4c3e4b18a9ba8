"""Turn a message kind, a language and a context into the words a patient receives.

A clinic's own wording (a MessageTemplate row) wins over the shipped default, a file
`message_templates/<language>/<kind>.<channel>.txt`. Email files start with the subject
line, then a blank line, then the body. Templates use Django's template language over a
flat context of plain values (see CONTEXT_FIELDS); an unknown variable renders empty.

Languages fall back from the most specific tag to English: "es-MX" tries es-MX, es, en.
SMS is read on lock screens and shared phones, so an SMS template only ever sees
SMS_FIELDS: no patient name, no preparation instructions, and the visit type only where
the clinic allows it (`sms_shows_visit_type`).
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

from django.db import connection
from django.template import Context, Engine, Template
from django.utils import formats, translation
from django.utils.functional import lazy
from django.utils.html import escape, linebreaks

from carebridge.accounts.models import Organization
from carebridge.core.db import quoted_column
from carebridge.core.revision_cache import per_revision
from carebridge.notifications.constants import MessageChannel
from carebridge.notifications.models import MessageTemplate

TEMPLATE_ROOT = Path(__file__).resolve().parent / "message_templates"
DEFAULT_LANGUAGE = "en"
LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")

# Everything a template may use; notices fill these from the appointment.
CONTEXT_FIELDS = frozenset(
    {
        "clinic",  # the organization's name
        "clinic_phone",  # where to call: the location's phone
        "location",  # the location's name
        "address",  # the location's street address, one line
        "weekday",  # local weekday of the visit, in the message's language
        "date",  # local date of the visit, in the message's language
        "time",  # local time of the visit, in the message's language
        "practitioner",  # the practitioner's display name
        "visit_type",  # the visit type's name
        "preparation",  # the visit type's preparation instructions (email only)
        "patient_given_name",  # greeting (email only)
        "manage_url",  # signed page showing the visit with all actions
        "confirm_url",  # signed link: confirm
        "cancel_url",  # signed link: cancel
        "reschedule_url",  # signed link: ask for other times
        "opt_out_url",  # signed link: stop emails
        "options",  # numbered alternative times, one line each (reschedule_options)
        "ack",  # what a reply did (reply_ack): confirmed, cancelled, rescheduled, ...
        "offer_url",  # signed link to accept a waitlist offer
        "hold_minutes",  # how long a waitlist offer is held
    }
)
SMS_FIELDS = frozenset(
    {
        "clinic",
        "clinic_phone",
        "location",
        "address",
        "weekday",
        "date",
        "time",
        "practitioner",
        "manage_url",
        "confirm_url",
        "cancel_url",
        "reschedule_url",
        "options",
        "ack",
        "offer_url",
        "hold_minutes",
    }
)

ENGINE = Engine(autoescape=False)


@dataclass(frozen=True)
class Rendered:
    subject: str
    body_text: str
    body_html: str


@dataclass(frozen=True)
class VisitTime:
    weekday: str
    date: str
    time: str


def language_chain(language: str) -> list[str]:
    """ "es-MX" -> ["es-MX", "es", "en"]: most specific first, English last.

    Anything that is not a language tag falls back to English (the tag names a folder).
    """
    tag = (language or "").replace("_", "-")
    parts = tag.split("-") if LANGUAGE_TAG.fullmatch(tag) else [DEFAULT_LANGUAGE]
    chain = ["-".join(parts[:size]) for size in range(len(parts), 0, -1)]
    return [*chain, DEFAULT_LANGUAGE] if DEFAULT_LANGUAGE not in chain else chain


def visit_time_text(*, start: datetime.datetime, zone: datetime.tzinfo, language: str) -> VisitTime:
    """The visit's local weekday, date and time, written the way the language writes them."""
    words = visit_time_words(start=start, zone=zone)
    with translation.override(language):
        return VisitTime(weekday=str(words.weekday), date=str(words.date), time=str(words.time))


@lru_cache(maxsize=4096)
def _formatted(value: datetime.date | datetime.time, format_name: str, language: str) -> str:
    """Visits share days and times of day, so each is written once per language. Django's
    TIME_FORMATs name no time zone, so the local time of day is all a time needs."""
    if isinstance(value, datetime.time):
        return formats.time_format(value, format_name)
    return formats.date_format(value, format_name)


def _in_active_language(value: datetime.date | datetime.time, format_name: str) -> str:
    return _formatted(value, format_name, translation.get_language())


# Formats in the language active when the text is finally read.
_date_words = lazy(_in_active_language, str)


def visit_time_words(*, start: datetime.datetime, zone: datetime.tzinfo) -> VisitTime:
    """The visit's local weekday, date and time for a message's context: written when the
    message is rendered, in the language of the wording chosen. A patient whose language
    has no wording gets the English one, and an English sentence around a date in their
    language reads as neither."""
    local = start.astimezone(zone)
    return VisitTime(
        weekday=_date_words(local.date(), "l"),
        date=_date_words(local.date(), "DATE_FORMAT"),
        time=_date_words(local.time(), "TIME_FORMAT"),
    )


def message_render(
    *, organization: Organization, kind: str, language: str, channel: str, context: dict
) -> Rendered:
    """The message in the patient's language, or the nearest one the clinic or we have.

    Raises LookupError when no language in the chain has a template (a shipped kind
    always has an English file, so this means an unknown kind).
    """
    return messages_render(
        organization=organization, kinds=[kind], language=language, channel=channel, context=context
    )[0]


def messages_render(
    *,
    organization: Organization,
    kinds: Sequence[str],
    language: str,
    channel: str,
    context: dict,
) -> list[Rendered]:
    """`message_render` for several kinds over one context (a booking's confirmation and
    reminders), in the order given; the clinic's wording for all of them read at once.
    Each kind is rendered in the language of the wording found for it (see
    `visit_time_words`)."""
    chain = language_chain(language)
    overrides = _own_wordings(organization.pk, organization.messaging_revision, channel)
    values = Context(_visible(context, channel), autoescape=False)
    rendered = []
    for kind in kinds:
        wording_language, subject, body = _templates(overrides, kind, chain, channel)
        with translation.override(wording_language):
            rendered.append(_render(subject, body, values, channel))
    return rendered


def _render(
    subject_template: Template, body_template: Template, values: Context, channel: str
) -> Rendered:
    subject = " ".join(subject_template.render(values).split())
    body_text = body_template.render(values).strip() + "\n"
    body_html = "" if channel == MessageChannel.SMS else _html(body_text)
    return Rendered(subject=subject, body_text=body_text, body_html=body_html)


def _visible(context: dict, channel: str) -> dict:
    if channel != MessageChannel.SMS:
        return {name: context[name] for name in CONTEXT_FIELDS & context.keys()}
    allowed = SMS_FIELDS | ({"visit_type"} if context.get("sms_shows_visit_type") else set())
    return {name: context[name] for name in allowed & context.keys()}


@per_revision
def _own_wordings(
    organization_id: int, revision: int, channel: str
) -> dict[tuple[str, str], tuple[Template, Template]]:
    """The clinic's own wording on the channel, compiled, by (kind, language); read once
    per revision of the organization's messaging settings."""
    with connection.cursor() as cursor:
        cursor.execute(_own_wordings_sql(), [organization_id, channel])
        return {
            (kind, language): (ENGINE.from_string(subject), ENGINE.from_string(body))
            for kind, language, subject, body in cursor
        }


@cache
def _own_wordings_sql() -> str:
    """Parameters: the organization and the channel."""
    quote = connection.ops.quote_name
    meta = MessageTemplate._meta

    def column(name: str) -> str:
        return quoted_column(meta, name)

    return (
        f"SELECT {column('kind')}, {column('language')}, {column('subject')}, {column('body')}"  # noqa: S608
        f" FROM {quote(meta.db_table)} WHERE {column('organization')} = %s"
        f" AND {column('channel')} = %s"
    )


def _templates(
    overrides: dict[tuple[str, str], tuple[Template, Template]],
    kind: str,
    chain: list[str],
    channel: str,
) -> tuple[str, Template, Template]:
    """The language of the first wording found along the chain, and its templates."""
    for candidate in chain:
        found = overrides.get((kind, candidate)) or _shipped(candidate, kind, channel)
        if found is not None:
            return (candidate, *found)
    raise LookupError(f"no {channel} template for {kind} in {', '.join(chain)}")


@lru_cache(maxsize=256)
def _shipped(language: str, kind: str, channel: str) -> tuple[Template, Template] | None:
    text = shipped_template_text(language=language, kind=kind, channel=channel)
    if text is None:
        return None
    subject, body = text
    return ENGINE.from_string(subject), ENGINE.from_string(body)


def shipped_template_text(*, language: str, kind: str, channel: str) -> tuple[str, str] | None:
    """(subject, body) of the shipped default, for admins who start from it; None if absent."""
    path = TEMPLATE_ROOT / language / f"{kind}.{channel}.txt"
    if not path.is_file():
        return None
    text = path.read_text(encoding="utf-8")
    if channel != MessageChannel.EMAIL:
        return "", text
    subject, _, body = text.partition("\n\n")
    return subject.strip(), body


# Links in a message's text: ours (confirm, cancel, opt out) and any a clinic writes into its
# wording. Punctuation right after a link ends the sentence, not the address, except a
# closing parenthesis that the address itself opened.
LINK = re.compile(r"https?://[^\s<>\"']+")
SENTENCE_END = ".,;:!?)"


def _address(candidate: str) -> str:
    address = candidate.rstrip(SENTENCE_END)
    trimmed = candidate[len(address) :]
    if trimmed.startswith(")") and address.count("(") > address.count(")"):
        address += ")"
    return address


def _html(body_text: str) -> str:
    """Paragraphs and line breaks as in the text, links clickable, the rest escaped.

    Written for the addresses messages carry rather than with Django's `urlize`, which
    looks at every word for bare domains and e-mail addresses: that cost about as much as
    rendering the message.
    """
    parts, done = [], 0
    text = body_text.strip()
    for match in LINK.finditer(text):
        url = _address(match.group())
        parts += [escape(text[done : match.start()]), f'<a href="{escape(url)}">{escape(url)}</a>']
        done = match.start() + len(url)
    parts.append(escape(text[done:]))
    return linebreaks("".join(parts), autoescape=False)
