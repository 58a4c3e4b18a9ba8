"""A clinic's own wording of its messages: check, preview, keep and drop MessageTemplate rows.

Rendering leaves an unknown field empty and drops the fields a channel may not show, so a
typo, or a patient's name in a text message, would go out silently wrong. Wording is
therefore checked before it is kept: it must parse, use only the plain tags of
ALLOWED_NODES, name only fields its channel may show (rendering.CONTEXT_FIELDS; for SMS,
rendering.SMS_FIELDS and the visit type, which rendering shows only where the clinic's
reminder policy allows it), and render on a made-up visit.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator

from django.conf import settings
from django.db import transaction
from django.template import Context, Template, TemplateSyntaxError
from django.template.base import FilterExpression, Node, NodeList, TextNode, Variable, VariableNode
from django.template.defaulttags import CommentNode, FirstOfNode, ForNode, IfNode, WithNode
from django.template.smartif import TokenBase

from carebridge.accounts.models import Organization, User
from carebridge.accounts.services import messaging_revision_reload
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import AuditTarget, audit_record
from carebridge.core import clock
from carebridge.core.errors import InvalidInput
from carebridge.core.languages import language_tag_cased
from carebridge.notifications.constants import MessageChannel, MessageKind
from carebridge.notifications.models import MessageTemplate
from carebridge.notifications.rendering import (
    CONTEXT_FIELDS,
    ENGINE,
    LANGUAGE_TAG,
    SMS_FIELDS,
    Rendered,
    message_render,
    visit_time_text,
)

# Tags that only shape text from the context; anything else (include, load, debug, ...)
# could reach beyond the message's own fields.
ALLOWED_NODES = (TextNode, VariableNode, IfNode, ForNode, WithNode, CommentNode, FirstOfNode)
ALLOWED_TAGS = "if, for, with, firstof, comment"
# Names the template language itself provides.
BUILTIN_NAMES = frozenset({"True", "False", "None", "forloop"})
SMS_ALLOWED = SMS_FIELDS | {"visit_type"}
SUBJECT_MAX = MessageTemplate._meta.get_field("subject").max_length
# The longest wording kept, per channel. SMS gateways refuse a text over 1,600 characters
# (Twilio's limit, about ten joined segments); placeholders only lengthen the wording, so
# a template over it could never be sent. Email has no such limit: the cap only keeps a
# pasted document out of every message.
BODY_MAX = {MessageChannel.SMS: 1_600, MessageChannel.EMAIL: 20_000}
LANGUAGE_MAX = MessageTemplate._meta.get_field("language").max_length


def fields_allowed(channel: str) -> frozenset[str]:
    """The context fields a template of this channel may name."""
    return SMS_ALLOWED if channel == MessageChannel.SMS else CONTEXT_FIELDS


def sample_context(*, organization: Organization, kind: str, language: str) -> dict:
    """A made-up visit three days from now at 10:30 clinic time: no real patient's data."""
    zone = zoneinfo.ZoneInfo(organization.timezone)
    day = (clock.now().astimezone(zone) + datetime.timedelta(days=3)).date()
    start = datetime.datetime.combine(day, datetime.time(10, 30), tzinfo=zone)
    when = visit_time_text(start=start, zone=zone, language=language)
    options = [
        visit_time_text(
            start=start + datetime.timedelta(days=n, hours=n), zone=zone, language=language
        )
        for n in (1, 2, 3)
    ]
    link = f"{settings.PUBLIC_BASE_URL.rstrip('/')}/p/example"
    return {
        "clinic": organization.name,
        "clinic_phone": "+1 555 010 0000",
        "location": "Main Street",
        "address": "1 Main Street",
        "weekday": when.weekday,
        "date": when.date,
        "time": when.time,
        "practitioner": "Dr. Sam Example",
        "visit_type": "Follow-up",
        "preparation": "Bring your medication list.",
        "patient_given_name": "Alex",
        "manage_url": f"{link}/visit",
        "confirm_url": f"{link}/confirm",
        "cancel_url": f"{link}/cancel",
        "reschedule_url": f"{link}/reschedule",
        "opt_out_url": f"{link}/stop",
        "options": "\n".join(
            f"{n}) {option.weekday} {option.date} {option.time}"
            for n, option in enumerate(options, start=1)
        ),
        "ack": "confirmed" if kind == MessageKind.REPLY_ACK else "",
        "offer_url": f"{link}/offer",
        "hold_minutes": 30,
        # Rendering's switch: off, as it is until a clinic turns it on in its policy.
        "sms_shows_visit_type": False,
    }


def _expressions(value) -> Iterator[FilterExpression]:
    """Every filter expression held by a node's attributes (conditions, sequences, ...),
    not descending into child nodes, which get_nodes_by_type visits on its own."""
    if isinstance(value, FilterExpression):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _expressions(item)
    elif isinstance(value, (list, tuple)) and not isinstance(value, NodeList):
        for item in value:
            yield from _expressions(item)
    elif isinstance(value, TokenBase):  # an {% if %} condition and its operands
        yield from _expressions(vars(value))


def _names(expression: FilterExpression) -> Iterator[str]:
    variables = [expression.var] + [
        argument for _, arguments in expression.filters for _, argument in arguments
    ]
    for variable in variables:
        if isinstance(variable, Variable) and variable.lookups:
            yield variable.lookups[0]


def _parse(text: str, field: str) -> Template:
    try:
        return ENGINE.from_string(text)
    except TemplateSyntaxError as error:
        raise InvalidInput(f"{field}: {error}", field=field) from error


def _check_fields(template: Template, *, field: str, channel: str) -> None:
    allowed, local = fields_allowed(channel), set(BUILTIN_NAMES)
    for node in template.nodelist.get_nodes_by_type(Node):
        if not isinstance(node, ALLOWED_NODES):
            tag = node.token.contents.split()[0]
            raise InvalidInput(
                f"{field}: the {{% {tag} %}} tag is not allowed (use {ALLOWED_TAGS})", field=field
            )
        for attribute in vars(node).values():
            for expression in _expressions(attribute):
                for name in set(_names(expression)) - local - allowed:
                    raise InvalidInput(_unknown(field, name, channel), field=field)
        # Names a tag defines count inside it (children come after it), not in its own values.
        if isinstance(node, ForNode):
            local.update(node.loopvars)
        if isinstance(node, WithNode):
            local.update(node.extra_context)


def _unknown(field: str, name: str, channel: str) -> str:
    if channel == MessageChannel.SMS and name in CONTEXT_FIELDS:
        return (
            f"{field}: {{{{ {name} }}}} cannot be used in a text message (texts are read "
            f"on lock screens); use {', '.join(sorted(SMS_ALLOWED))}"
        )
    return (
        f"{field}: unknown placeholder {{{{ {name} }}}}; "
        f"use {', '.join(sorted(fields_allowed(channel)))}"
    )


# Halves of a placeholder, tag or comment: in plain text, one whose other half is missing
# (Django leaves "{{ clinic" as text, so it would go out to patients as typed).
DELIMITERS = ("{{", "}}", "{%", "%}", "{#", "#}")


def _check_closed(template: Template, *, field: str) -> None:
    for node in template.nodelist.get_nodes_by_type(TextNode):
        for delimiter in DELIMITERS:
            if delimiter in node.s:
                at = node.s.index(delimiter)
                raise InvalidInput(
                    f"{field}: {node.s[at : at + 24]!r} is not a whole placeholder or tag: "
                    "every {{ needs its }}, every {% its %}",
                    field=field,
                )


def _check(text: str, *, field: str, channel: str, context: dict) -> None:
    template = _parse(text, field)
    _check_closed(template, field=field)
    _check_fields(template, field=field, channel=channel)
    try:
        template.render(Context(context, autoescape=False))
    except Exception as error:  # any failure of a filter or tag on the sample visit
        raise InvalidInput(f"{field}: does not render: {error}", field=field) from error


def message_template_key_check(*, kind: str, language: str, channel: str) -> None:
    """InvalidInput naming the kind, language or channel unless together they name a
    message a clinic can word (any language tag: a clinic may write in one we do not ship)."""
    if kind not in MessageKind.values:
        raise InvalidInput(f"kind: unknown message kind {kind!r}", field="kind")
    if channel not in MessageChannel.values:
        raise InvalidInput(f"channel: unknown channel {channel!r}", field="channel")
    if len(language) > LANGUAGE_MAX or not LANGUAGE_TAG.fullmatch(language):
        raise InvalidInput(
            f"language: {language!r} is not a language tag like pt or fr-CA", field="language"
        )


def _validated(
    *, organization: Organization, kind: str, language: str, channel: str, subject: str, body: str
) -> tuple[str, str]:
    """(subject, body) as they are kept, or InvalidInput naming the field at fault."""
    message_template_key_check(kind=kind, language=language, channel=channel)
    subject = subject.strip() if channel == MessageChannel.EMAIL else ""
    if channel == MessageChannel.EMAIL and not subject:
        raise InvalidInput("subject: an email needs a subject", field="subject")
    if len(subject) > SUBJECT_MAX:
        raise InvalidInput(f"subject: at most {SUBJECT_MAX} characters", field="subject")
    if not body.strip():
        raise InvalidInput("body: write the message", field="body")
    if len(body) > BODY_MAX[channel]:
        raise InvalidInput(_body_too_long(channel, len(body)), field="body")
    context = sample_context(organization=organization, kind=kind, language=language)
    _check(subject, field="subject", channel=channel, context=context)
    _check(body, field="body", channel=channel, context=context)
    return subject, body


def _body_too_long(channel: str, length: int) -> str:
    limit = BODY_MAX[channel]
    why = " (the most an SMS gateway sends)" if channel == MessageChannel.SMS else ""
    return f"body: at most {limit:,} characters{why}; this one has {length:,}"


def _target(kind: str, language: str, channel: str) -> AuditTarget:
    return AuditTarget("MessageTemplate", f"{kind}.{language}.{channel}")


def _write(
    *, organization: Organization, kind: str, language: str, channel: str, subject: str, body: str
) -> tuple[MessageTemplate, bool]:
    subject, body = _validated(
        organization=organization,
        kind=kind,
        language=language,
        channel=channel,
        subject=subject,
        body=body,
    )
    return MessageTemplate.objects.update_or_create(
        organization=organization,
        kind=kind,
        language=language,
        channel=channel,
        defaults={"subject": subject, "body": body},
    )


@transaction.atomic
def message_template_set(
    *,
    organization: Organization,
    actor: User | None,
    kind: str,
    language: str,
    channel: str,
    subject: str,
    body: str,
) -> MessageTemplate:
    """Create or replace the clinic's wording of one kind, language and channel.

    Invariants: the wording passes the checks above (InvalidInput names "subject" or
    "body" otherwise); an SMS keeps no subject; the language tag is kept in BCP 47's
    usual case (language_tag_cased), so "VI" wording reaches "vi" patients. Side effects:
    messages queued from now on use it (queued ones keep their text); audit entry.
    """
    language = language_tag_cased(language)
    row, created = _write(
        organization=organization,
        kind=kind,
        language=language,
        channel=channel,
        subject=subject,
        body=body,
    )
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.CREATE if created else AuditAction.UPDATE,
        target=_target(kind, language, channel),
        detail="own wording",
    )
    messaging_revision_reload(organization)
    return row


@transaction.atomic
def message_template_delete(
    *, organization: Organization, actor: User | None, kind: str, language: str, channel: str
) -> bool:
    """Drop the clinic's wording, so the shipped default applies again; False if it had none.

    Side effect: audit entry when a row was removed.
    """
    language = language_tag_cased(language)
    deleted, _ = MessageTemplate.objects.filter(
        organization=organization, kind=kind, language=language, channel=channel
    ).delete()
    if deleted:
        audit_record(
            organization_id=organization.pk,
            actor=actor,
            action=AuditAction.DELETE,
            target=_target(kind, language, channel),
            detail="back to the default wording",
        )
        messaging_revision_reload(organization)
    return bool(deleted)


def message_template_preview(
    *,
    organization: Organization,
    kind: str,
    language: str,
    channel: str,
    subject: str | None = None,
    body: str | None = None,
) -> Rendered:
    """The message a patient would get on the made-up visit: with the clinic's current
    wording, or with a draft (subject and body) that is checked but not kept.

    The draft is written and rendered by message_render inside a transaction that is
    always rolled back, so the preview goes through exactly the path real messages take.
    Raises InvalidInput like message_template_set for a draft that fails the checks.
    """
    language = language_tag_cased(language)
    context = sample_context(organization=organization, kind=kind, language=language)
    with transaction.atomic():
        if body is not None:
            _write(
                organization=organization,
                kind=kind,
                language=language,
                channel=channel,
                subject=subject or "",
                body=body,
            )
            messaging_revision_reload(organization)
        rendered = message_render(
            organization=organization,
            kind=kind,
            language=language,
            channel=channel,
            context=context,
        )
        transaction.set_rollback(True)
    if body is not None:
        messaging_revision_reload(organization)  # the draft's revision went with it
    return rendered
