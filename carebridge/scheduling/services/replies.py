"""What a patient's answer does: confirm, cancel, ask for other times, pick one of them.

A text reply is matched to the visit of the latest text we sent to that number that asked
for an answer (confirmation, update, reminder, options), so a patient with several visits
answers the message they just read. When texts to that number asked about open visits of
more than one patient (a phone shared by a family), the words alone cannot say whose visit
the reply answers, so it goes to a person with those visits. Only a reply that is exactly
one of the words (accents, case and punctuation aside) acts on the visit: "No puedo el
martes" must reach a person, not cancel. Everything else goes to the inbox.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import uuid

from django.db import transaction
from django.db.models import QuerySet
from django.utils.text import format_lazy

from carebridge.accounts.models import Organization, User
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import (
    AuditTarget,
    audit_record,
    audit_record_many,
    get_or_audit_denied,
)
from carebridge.core import clock
from carebridge.core.errors import Conflict, DomainError, NotFound
from carebridge.core.timeranges import zone_of
from carebridge.notifications.constants import (
    InboundHandling,
    MessageChannel,
    MessageKind,
    MessageStatus,
)
from carebridge.notifications.models import InboundMessage, OutboundMessage
from carebridge.notifications.rendering import visit_time_words
from carebridge.notifications.services.inbound import inbound_record
from carebridge.scheduling.availability import FreeSlot, slot_search
from carebridge.scheduling.constants import CancelledBy, ConfirmationChannel
from carebridge.scheduling.models import Appointment, RescheduleOffer, RescheduleOption
from carebridge.scheduling.services.appointments import appointment_cancel, appointment_reschedule
from carebridge.scheduling.services.confirmations import appointment_confirm
from carebridge.scheduling.services.messages import (
    TOPIC_TYPE,
    UPCOMING_STATUSES,
    Notice,
    appointment_messages_enqueue,
    policy_for,
)
from carebridge.scheduling.services.waitlist import offer_reply_handle

CONFIRM_WORDS = frozenset({"C", "YES", "Y", "SI", "CONFIRM", "CONFIRMAR", "CONFIRMO"})
CANCEL_WORDS = frozenset({"X", "NO", "N", "CANCEL", "CANCELAR", "CANCELO"})
RESCHEDULE_WORDS = frozenset({"R", "RESCHEDULE", "CAMBIAR", "CAMBIO", "REPROGRAMAR"})
# Messages that ask the patient to answer; a reply belongs to the latest one of these.
ASKING_KINDS = (
    MessageKind.CONFIRMATION,
    MessageKind.UPDATE,
    MessageKind.REMINDER,
    MessageKind.RESCHEDULE_OPTIONS,
)
OPTION_COUNT = 3
OPTION_SEARCH_DAYS = 60
# Enough candidates that skipping the visit's own start, which other practitioners may
# have free as well, still leaves three.
OPTION_SEARCH_LIMIT = 24
# The earliest option starts this long after the offer reaches the patient: time to read
# it, answer and get there.
OPTION_LEAD = datetime.timedelta(hours=1)


def reply_word(body: str) -> str:
    """ "  Sí! " -> "SI": upper case, accents and surrounding punctuation removed."""
    folded = unicodedata.normalize("NFKD", body).encode("ascii", "ignore").decode()
    return re.sub(r"^[\W_]+|[\W_]+$", "", folded).upper()


# Other times


def _free_slots(appointment: Appointment, not_before: datetime.datetime) -> list[FreeSlot]:
    """Up to three free starts from `not_before`: the same practitioner and location first,
    then any; never the visit's own time nor one the patient has another visit at."""
    zone = zone_of(appointment.location.timezone)
    first_day = not_before.astimezone(zone).date()
    search = {
        "organization": appointment.organization,
        "visit_type": appointment.visit_type,
        "start_date": first_day,
        "end_date": first_day + datetime.timedelta(days=OPTION_SEARCH_DAYS),
        "limit": OPTION_SEARCH_LIMIT,
        "patient_id": appointment.patient_id,
        "except_appointment_id": appointment.pk,
        "not_before": not_before,
    }

    def usable(slot: FreeSlot) -> bool:
        return slot.start != appointment.start

    same = slot_search(
        **search,
        practitioner_ids=[appointment.practitioner_id],
        location_id=appointment.location_id,
    )
    found = [slot for slot in same if usable(slot)][:OPTION_COUNT]
    if len(found) < OPTION_COUNT:
        found += [slot for slot in slot_search(**search) if usable(slot) and slot not in found]
    return found[:OPTION_COUNT]


@transaction.atomic
def reschedule_offer_make(
    *, appointment: Appointment, reaches_patient_at: datetime.datetime | None = None
) -> RescheduleOffer:
    """Offer the patient up to three other times for the visit (the offer may be empty),
    the earliest an hour after the offer reaches them (now, unless it waits for the end of
    their quiet hours).

    Invariant: a visit has at most one open offer; making one closes the earlier ones.
    Side effect: audit entry.
    """
    if appointment.status not in UPCOMING_STATUSES:
        raise DomainError(
            "status: this appointment can no longer be moved", code="closed", field="status"
        )
    now = clock.now()
    RescheduleOffer.objects.filter(appointment=appointment, closed_at__isnull=True).update(
        closed_at=now
    )
    offer = RescheduleOffer.objects.create(
        organization_id=appointment.organization_id, appointment=appointment, offered_at=now
    )
    RescheduleOption.objects.bulk_create(
        RescheduleOption(
            offer=offer,
            number=number,
            practitioner_id=slot.practitioner_id,
            location_id=slot.location_id,
            start=slot.start,
        )
        for number, slot in enumerate(
            _free_slots(appointment, (reaches_patient_at or now) + OPTION_LEAD), start=1
        )
    )
    _audit(appointment, None, "offered other times")
    return offer


def open_offer(appointment: Appointment) -> RescheduleOffer | None:
    return (
        RescheduleOffer.objects.filter(appointment=appointment, closed_at__isnull=True)
        .prefetch_related("options__practitioner", "options__location")
        .first()
    )


@transaction.atomic
def reschedule_offer_choose(
    *, offer: RescheduleOffer, number: int, actor: User | None = None
) -> Appointment:
    """Move the visit to the offered time with this number.

    Raises NotFound for a number the offer does not have, Conflict when the offer is no
    longer open or the time was taken meanwhile (the offer then stays open; the caller
    offers fresh times). Side effects: those of appointment_reschedule.
    """
    option = offer.options.filter(number=number).select_related("practitioner", "location")
    option = option.first()
    if option is None:
        raise NotFound(f"number: there is no option {number}", field="number")
    closed = RescheduleOffer.objects.filter(pk=offer.pk, closed_at__isnull=True).update(
        closed_at=clock.now(), chosen_number=number
    )
    if not closed:
        raise Conflict("number: these options are no longer open", field="number")
    appointment = Appointment.objects.select_related(
        "organization", "patient", "practitioner", "location", "visit_type"
    ).get(pk=offer.appointment_id)
    return appointment_reschedule(
        appointment=appointment,
        actor=actor,
        start=option.start,
        practitioner=option.practitioner,
        location=option.location,
        reason=f"the patient chose option {number}",
    )


def options_text(offer: RescheduleOffer) -> str:
    """The offered times, one numbered line each, for a message's context: the times are
    written when the message is rendered, in its wording's language."""
    lines = []
    for option in offer.options.all():
        when = visit_time_words(start=option.start, zone=zone_of(option.location.timezone))
        lines.append(
            format_lazy(
                "{}) {} {} {}, {}, {}",
                option.number,
                when.weekday,
                when.date,
                when.time,
                option.practitioner.display_name,
                option.location.name,
            )
        )
    return format_lazy("\n".join("{}" for _ in lines), *lines)


# Text replies


def _asking_messages(to_addresses: set[str]) -> QuerySet[OutboundMessage]:
    return OutboundMessage.objects.filter(
        channel=MessageChannel.SMS,
        to_address__in=to_addresses,
        kind__in=ASKING_KINDS,
        topic_type=TOPIC_TYPE,
        status=MessageStatus.SENT,
    ).order_by("-sent_at", "-pk")


def _asking_message(inbound: InboundMessage) -> OutboundMessage | None:
    return _asking_messages({inbound.from_address}).first()


def _open_visits_asked(
    *, replies: list[InboundMessage], organization_id: int | None = None
) -> dict[int, list[Appointment]]:
    """For each reply (by pk), the visits still open that texts asking for an answer sent
    to its number before it arrived were about, latest asked first; only the organization's
    when one is given. Two queries whatever the number of replies."""
    if not replies:
        return {}
    asked = _asking_messages({reply.from_address for reply in replies}).filter(
        sent_at__lte=max(reply.received_at for reply in replies)
    )
    if organization_id is not None:
        asked = asked.filter(organization_id=organization_id)
    sent = list(asked.values_list("to_address", "topic_id", "sent_at"))
    visits = {
        str(visit.public_id): visit
        for visit in Appointment.objects.filter(
            public_id__in={topic_id for _, topic_id, _ in sent}, status__in=UPCOMING_STATUSES
        ).select_related("patient", "location")
    }
    found: dict[int, list[Appointment]] = {}
    for reply in replies:
        topics = dict.fromkeys(
            topic_id
            for to_address, topic_id, sent_at in sent
            if to_address == reply.from_address
            and sent_at <= reply.received_at
            and topic_id in visits
        )
        found[reply.pk] = [visits[topic_id] for topic_id in topics]
    return found


def _classify(word: str, offer: RescheduleOffer | None) -> str:
    if word in CONFIRM_WORDS:
        return InboundHandling.CONFIRM
    if word in CANCEL_WORDS:
        return InboundHandling.CANCEL
    if word in RESCHEDULE_WORDS:
        return InboundHandling.RESCHEDULE_REQUEST
    if offer is not None and word.isdigit():
        return InboundHandling.OPTION_CHOICE
    return InboundHandling.UNRECOGNIZED


def _send(appointment: Appointment, kind: str, **extra) -> None:
    appointment_messages_enqueue(
        appointment=appointment,
        notices=[Notice(kind)],
        policy=policy_for(appointment),
        channel=MessageChannel.SMS,
        extra=extra,
    )


def _send_options(appointment: Appointment, *, after_taken: bool = False) -> None:
    offer = reschedule_offer_make(appointment=appointment)
    if not offer.options.exists():
        _send(appointment, MessageKind.REPLY_ACK, ack="no_options")
        return
    _send(
        appointment,
        MessageKind.RESCHEDULE_OPTIONS,
        options=options_text(offer),
        ack="taken" if after_taken else "",
    )


def _act(appointment: Appointment, handling: str, word: str) -> None:
    if handling == InboundHandling.CONFIRM:
        appointment_confirm(appointment=appointment, via=ConfirmationChannel.SMS)
        _send(appointment, MessageKind.REPLY_ACK, ack="confirmed")
    elif handling == InboundHandling.CANCEL:
        # The cancellation notice is the answer.
        appointment_cancel(
            appointment=appointment,
            actor=None,
            reason="the patient cancelled by text reply",
            cancelled_by=CancelledBy.PATIENT,
        )
    elif handling == InboundHandling.RESCHEDULE_REQUEST:
        _send_options(appointment)
    else:
        _choose(appointment, int(word))


def _choose(appointment: Appointment, number: int) -> None:
    """The update notice is the answer; a time taken meanwhile gets fresh options."""
    offer = open_offer(appointment)
    try:
        with transaction.atomic():
            reschedule_offer_choose(offer=offer, number=number)
    except NotFound:
        _send_options(appointment)
    except DomainError:
        # Taken by someone else, or no longer bookable for another reason.
        _send_options(appointment, after_taken=True)


def sms_text_received(
    *, from_address: str, to_address: str, body: str, provider_message_id: str
) -> InboundMessage:
    """A text that reached the clinic's number: record it (STOP, START and HELP act there),
    then act on it as a reply. The gateway's webhook calls it, and so does the demo's
    stand-in for a patient's phone."""
    inbound = inbound_record(
        channel=MessageChannel.SMS,
        from_address=from_address,
        to_address=to_address,
        body=body,
        provider_message_id=provider_message_id,
    )
    return sms_reply_handle(inbound=inbound)


@transaction.atomic
def sms_reply_handle(*, inbound: InboundMessage) -> InboundMessage:
    """Act on a text reply that the outbox recorded (STOP, START and HELP are handled
    there already). Idempotent: a message already handled is returned as it is.

    Side effects: the visit confirmed, cancelled (by the patient, freeing the time) or
    moved, or other times offered; the answer queued in the outbox; a reply nobody can act
    on marked as needing attention, linked to the patient when the number and the visit
    are known (a number asked about several open visits links to none of them).
    """
    if inbound.handled_as:
        return inbound
    asking = _asking_message(inbound)
    appointment = _appointment(asking)
    word = reply_word(inbound.body)
    if offer_reply_handle(inbound=inbound, handling=_classify(word, None), after=asking):
        return inbound
    if len({visit.patient_id for visit in _open_visits_asked(replies=[inbound])[inbound.pk]}) > 1:
        # A phone a family shares: "C" or "X" alone cannot say whose visit it answers, and
        # acting on the latest one asked confirms or cancels someone else's. (One patient's
        # several visits: the reply answers the text they just read, the latest.)
        return _mark(inbound, asking, None, InboundHandling.UNRECOGNIZED, whose_known=False)
    handling = _classify(word, open_offer(appointment) if appointment else None)
    if appointment is None or appointment.status not in UPCOMING_STATUSES:
        if handling != InboundHandling.UNRECOGNIZED and appointment is not None:
            _send(appointment, MessageKind.REPLY_ACK, ack="closed")
        handling = InboundHandling.UNRECOGNIZED
    elif handling != InboundHandling.UNRECOGNIZED:
        _act(appointment, handling, word)
    return _mark(inbound, asking, appointment, handling)


def _appointment(asking: OutboundMessage | None) -> Appointment | None:
    if asking is None:
        return None
    return (
        Appointment.objects.select_related(
            "organization", "patient", "practitioner", "location", "visit_type"
        )
        .filter(organization_id=asking.organization_id, public_id=asking.topic_id)
        .first()
    )


def _mark(
    inbound: InboundMessage,
    asking: OutboundMessage | None,
    appointment: Appointment | None,
    handling: str,
    *,
    whose_known: bool = True,
) -> InboundMessage:
    """Record what the reply was taken as. A reply whose patient is not known is kept for
    the clinic that asked last, linked to no patient (not even the one last texted)."""
    fields = {"handled_as": handling, "needs_attention": handling == InboundHandling.UNRECOGNIZED}
    if asking is not None:
        fields |= {
            "organization_id": asking.organization_id,
            "patient_id": asking.patient_id if whose_known else None,
            "topic_type": TOPIC_TYPE if whose_known else "",
            "topic_id": asking.topic_id if whose_known else "",
        }
    InboundMessage.objects.filter(pk=inbound.pk).update(**fields)
    for name, value in fields.items():
        setattr(inbound, name, value)
    if appointment is not None:
        _audit(appointment, None, f"text reply handled as {handling}")
    return inbound


def _audit(appointment: Appointment, actor: User | None, detail: str) -> None:
    audit_record(
        organization_id=appointment.organization_id,
        actor=actor,
        action=AuditAction.UPDATE,
        target=AuditTarget(
            "Appointment", str(appointment.public_id), str(appointment.patient.public_id)
        ),
        detail=detail,
    )


# The inbox


@transaction.atomic
def inbound_resolve(*, inbound: InboundMessage, actor: User) -> InboundMessage:
    """A coordinator has dealt with a reply that needed attention. Idempotent.

    Invariant: the reply belongs to the actor's organization. Side effect: audit entry.
    """
    if inbound.organization_id != actor.organization_id:
        raise NotFound("reply: not found", field="reply")
    if inbound.resolved_at is None:
        inbound.resolved_at, inbound.resolved_by = clock.now(), actor
        InboundMessage.objects.filter(pk=inbound.pk).update(
            resolved_at=inbound.resolved_at, resolved_by=actor, needs_attention=False
        )
        inbound.needs_attention = False
    patient_ref = str(inbound.patient.public_id) if inbound.patient else ""
    audit_record(
        organization_id=actor.organization_id,
        actor=actor,
        action=AuditAction.UPDATE,
        target=AuditTarget("InboundMessage", str(inbound.public_id), patient_ref),
        detail="resolved",
    )
    return inbound


def replies_needing_attention(*, organization: Organization, actor: User) -> list[InboundMessage]:
    """The organization's replies nobody has dealt with, oldest first (they waited longest).
    A reply linked to no patient carries `could_be_about`: the organization's open visits
    that texts to its number had asked about. Each patient shown is audited as queried."""
    replies = list(
        InboundMessage.objects.filter(
            organization=organization, needs_attention=True, resolved_at__isnull=True
        )
        .select_related("patient")
        .order_by("received_at", "pk")
    )
    unlinked = [reply for reply in replies if reply.patient is None]
    visits = _open_visits_asked(replies=unlinked, organization_id=organization.pk)
    for reply in unlinked:
        reply.could_be_about = visits[reply.pk]
    patients = [(reply, reply.patient) for reply in replies if reply.patient] + [
        (reply, visit.patient) for reply in unlinked for visit in reply.could_be_about
    ]
    audit_record_many(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.QUERY,
        targets=[
            AuditTarget("InboundMessage", str(reply.public_id), str(patient.public_id))
            for reply, patient in patients
        ],
        detail="replies needing attention",
    )
    return replies


def access_reply(
    *, organization: Organization, actor: User, public_id: uuid.UUID | str
) -> InboundMessage:
    """One reply of the organization, or NotFound (also for another organization's)."""
    return get_or_audit_denied(
        InboundMessage.objects.select_related("patient"),
        organization=organization,
        actor=actor,
        public_id=public_id,
        object_type="InboundMessage",
    )
