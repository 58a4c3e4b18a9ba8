"""Messages about one appointment: which policy and channel apply, what the templates see,
and the outbox rows, written in the caller's transaction.

Every appointment message carries the topic ("appointment", public id, stamp). The stamp
is the visit's start in UTC, so a message queued for an old time is dropped at delivery;
a cancellation notice is stamped "cancelled" and goes out only while the visit stays so.
"""

from __future__ import annotations

import contextlib
import datetime
import functools
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from email.utils import parseaddr

from django.conf import settings
from django.db import connection

from carebridge.accounts.models import Organization
from carebridge.core import clock
from carebridge.core.db import quoted_column
from carebridge.core.revision_cache import per_revision
from carebridge.core.selectors import RowLoader
from carebridge.core.timeranges import zone_of
from carebridge.directory.models import Location
from carebridge.notifications.calendar import CalendarEvent, calendar_invite
from carebridge.notifications.constants import MessageChannel
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.rendering import messages_render, visit_time_words
from carebridge.notifications.services.outbox import MessageContent, Topic, messages_enqueue
from carebridge.patients.constants import ContactChannel
from carebridge.patients.models import Patient
from carebridge.scheduling.constants import AppointmentStatus
from carebridge.scheduling.links import email_opt_out_url, visit_links
from carebridge.scheduling.models import Appointment, ReminderOffset, ReminderPolicy

TOPIC_TYPE = "appointment"
CANCELLED_STAMP = "cancelled"
# Statuses in which a visit still lies ahead and messages about it make sense.
UPCOMING_STATUSES = frozenset(
    {AppointmentStatus.PROPOSED, AppointmentStatus.PENDING, AppointmentStatus.BOOKED}
)
DEFAULT_OFFSETS = (
    datetime.timedelta(days=7),
    datetime.timedelta(days=2),
    datetime.timedelta(hours=2),
)


@dataclass(frozen=True)
class Policy:
    offsets: tuple[datetime.timedelta, ...]
    confirm_on_booking: bool
    quiet_start: datetime.time
    quiet_end: datetime.time
    sms_shows_visit_type: bool


DEFAULT_POLICY = Policy(
    offsets=DEFAULT_OFFSETS,
    confirm_on_booking=True,
    quiet_start=datetime.time(21),
    quiet_end=datetime.time(8),
    sms_shows_visit_type=False,
)


def policy_for(appointment: Appointment) -> Policy:
    """The visit type's policy, else the organization's, else the defaults."""
    organization = appointment.organization
    return _policy(organization.pk, organization.messaging_revision, appointment.visit_type_id)


@per_revision
def _policy(organization_id: int, revision: int, visit_type_id: int) -> Policy:
    """Read once per revision of the organization's messaging settings."""
    sql, load = _policy_sql()
    with connection.cursor() as cursor:
        cursor.execute(sql, [organization_id, visit_type_id])
        rows = [load(row) for row in cursor.fetchall()]
    if not rows:
        return DEFAULT_POLICY
    chosen = [row for row in rows if row[0] == rows[0][0]]
    confirm, quiet_start, quiet_end, shows_visit_type = chosen[0][1:5]
    return Policy(
        offsets=tuple(
            datetime.timedelta(minutes=minutes) for *_, minutes in chosen if minutes is not None
        ),
        confirm_on_booking=confirm,
        quiet_start=quiet_start,
        quiet_end=quiet_end,
        sms_shows_visit_type=shows_visit_type,
    )


@functools.cache
def _policy_sql() -> tuple[str, RowLoader]:
    """Written out, as every booking reads it: both candidate policies with their offsets
    in one statement, the visit type's rows first, each policy's offsets longest first.
    Parameters: the organization and the visit type. Also the loader of its rows."""
    quote = connection.ops.quote_name
    policy, offset = ReminderPolicy._meta, ReminderOffset._meta
    names = ("visit_type", "confirm_on_booking", "quiet_start", "quiet_end", "sms_shows_visit_type")
    fields = [*(policy.get_field(name) for name in names), offset.get_field("minutes_before")]
    visit_type = f"p.{quoted_column(policy, 'visit_type')}"
    minutes = f"o.{quoted_column(offset, 'minutes_before')}"
    sql = (
        f"SELECT {', '.join(f'p.{quote(field.column)}' for field in fields[:-1])}, {minutes}"  # noqa: S608
        f" FROM {quote(policy.db_table)} p LEFT JOIN {quote(offset.db_table)} o"
        f" ON o.{quoted_column(offset, 'policy')} = p.{quote(policy.pk.column)}"
        f" WHERE p.{quoted_column(policy, 'organization')} = %s"
        f" AND ({visit_type} = %s OR {visit_type} IS NULL)"
        f" ORDER BY {visit_type} IS NULL, {minutes} DESC"
    )
    return sql, RowLoader(fields)


def patient_channels(patient: Patient) -> list[str]:
    """Channels the patient can be written to now, the preferred one first.

    "Phone" preferred means a person calls; automatic messages then go by text, else email.
    "Do not contact" means none at all.
    """
    if patient.preferred_channel == ContactChannel.NONE:
        return []
    order = [MessageChannel.SMS, MessageChannel.EMAIL]
    if patient.preferred_channel == ContactChannel.EMAIL:
        order.reverse()
    return [channel for channel in order if _reachable(patient, channel)]


def patient_address(patient: Patient, channel: str) -> str:
    """Where messages on `channel` reach the patient: their mobile number or email address."""
    return patient.phone_mobile if channel == MessageChannel.SMS else patient.email


def _reachable(patient: Patient, channel: str) -> bool:
    if channel == MessageChannel.SMS:
        return bool(patient.consent_sms and not patient.sms_opted_out_at and patient.phone_mobile)
    return bool(patient.consent_email and not patient.email_opted_out_at and patient.email)


def start_stamp(appointment: Appointment) -> str:
    return appointment.start.astimezone(datetime.UTC).isoformat()


def visit_topic(appointment: Appointment, stamp: str | None = None) -> Topic:
    return Topic(TOPIC_TYPE, str(appointment.public_id), stamp or start_stamp(appointment))


def appointment_messages_wanted(pairs: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Relevance checker for the outbox: which (public id, stamp) pairs still hold."""
    current = {
        str(public_id): (status, start)
        for public_id, status, start in Appointment.objects.filter(
            public_id__in=_uuids(topic_id for topic_id, _ in pairs)
        ).values_list("public_id", "status", "start")
    }
    return {(topic_id, stamp) for topic_id, stamp in pairs if _holds(current.get(topic_id), stamp)}


def _uuids(values: Iterable[str]) -> set[uuid.UUID]:
    """The values that are UUIDs; anything else names no appointment."""
    found = set()
    for value in values:
        with contextlib.suppress(ValueError):
            found.add(uuid.UUID(value))
    return found


def _holds(current: tuple[str, datetime.datetime] | None, stamp: str) -> bool:
    if current is None:
        return False
    status, start = current
    if stamp == CANCELLED_STAMP:
        return status == AppointmentStatus.CANCELLED
    return status in UPCOMING_STATUSES and start.astimezone(datetime.UTC).isoformat() == stamp


def address_line(location: Location) -> str:
    parts = [location.address_line, location.city, f"{location.state} {location.postal_code}"]
    return ", ".join(part.strip() for part in parts if part.strip())


def appointment_context(appointment: Appointment, *, policy: Policy) -> dict:
    """What the templates see about the visit; rendering keeps SMS to its allowed fields
    and writes the time in the language of the wording it chooses."""
    location = appointment.location
    when = visit_time_words(start=appointment.start, zone=zone_of(location.timezone))
    return {
        "clinic": appointment.organization.name,
        "clinic_phone": location.phone,
        "location": location.name,
        "address": address_line(location),
        "weekday": when.weekday,
        "date": when.date,
        "time": when.time,
        "practitioner": appointment.practitioner.display_name,
        "visit_type": appointment.visit_type.name,
        "preparation": appointment.visit_type.preparation_instructions,
        "patient_given_name": appointment.patient.given_name,
        "sms_shows_visit_type": policy.sms_shows_visit_type,
        **visit_links(
            appointment_public_id=str(appointment.public_id), expires_at=appointment.start
        ),
    }


def _calendar(appointment: Appointment, method: str) -> str:
    organization, location = appointment.organization, appointment.location
    event = CalendarEvent(
        uid=f"{appointment.public_id}@carebridge",
        sequence=appointment.version,
        start=appointment.start,
        end=appointment.end,
        summary=f"{appointment.visit_type.name}, {organization.name}",
        location=", ".join(p for p in [location.name, address_line(location)] if p),
        description=appointment.visit_type.preparation_instructions,
        organizer_name=organization.name,
        organizer_email=parseaddr(settings.DEFAULT_FROM_EMAIL)[1],
        attendee_email=appointment.patient.email,
    )
    return calendar_invite(event=event, method=method, stamp=clock.now())


def patient_language(patient: Patient) -> str:
    return patient.preferred_language or "en"


@dataclass(frozen=True)
class Notice:
    """A kind of message to queue for a patient, once for each due time (None: now)."""

    kind: str
    due_times: Sequence[datetime.datetime | None] = (None,)


def patient_messages_enqueue(
    *,
    organization: Organization,
    patient: Patient,
    notices: Sequence[Notice],
    channel: str,
    context: dict,
    topic: Topic,
    calendar: str = "",
    calendar_method: str = "",
) -> list[OutboundMessage]:
    """Render each notice's kind for the patient on `channel` once and queue it for each of
    its due times, all in one write. Emails carry the opt-out link, in the text and as
    List-Unsubscribe."""
    language = patient_language(patient)
    unsubscribe_url = ""
    if channel == MessageChannel.EMAIL:
        unsubscribe_url = email_opt_out_url(patient_public_id=str(patient.public_id))
        context = context | {"opt_out_url": unsubscribe_url}
    rendered = messages_render(
        organization=organization,
        kinds=[notice.kind for notice in notices],
        language=language,
        channel=channel,
        context=context,
    )
    return messages_enqueue(
        organization=organization,
        contents=[
            MessageContent(
                kind=notice.kind,
                body_text=words.body_text,
                subject=words.subject,
                body_html=words.body_html,
                due_times=notice.due_times,
            )
            for notice, words in zip(notices, rendered, strict=True)
        ],
        channel=channel,
        to_address=patient_address(patient, channel),
        calendar=calendar,
        calendar_method=calendar_method if calendar else "",
        unsubscribe_url=unsubscribe_url,
        patient=patient,
        language=language,
        topic=topic,
    )


def appointment_messages_enqueue(
    *,
    appointment: Appointment,
    notices: Sequence[Notice],
    policy: Policy,
    channel: str | None = None,
    calendar_method: str = "",
    stamp: str | None = None,
    extra: dict | None = None,
) -> list[OutboundMessage]:
    """Queue the notices about the visit on `channel` (default: the patient's best one), in
    one write. Each kind is rendered once: reminders of one visit say the same.

    Returns nothing when the patient cannot be written to; a notice without due times is
    skipped. Emails about the visit carry the calendar invitation when `calendar_method`
    is given.
    """
    patient = appointment.patient
    channels = patient_channels(patient)
    channel = channel if channel in channels else (channels[0] if channels else None)
    notices = [notice for notice in notices if notice.due_times]
    if channel is None or not notices:
        return []
    context = appointment_context(appointment, policy=policy)
    with_calendar = channel == MessageChannel.EMAIL and calendar_method
    return patient_messages_enqueue(
        organization=appointment.organization,
        patient=patient,
        notices=notices,
        channel=channel,
        context=context | (extra or {}),
        topic=visit_topic(appointment, stamp),
        calendar=_calendar(appointment, calendar_method) if with_calendar else "",
        calendar_method=calendar_method,
    )
