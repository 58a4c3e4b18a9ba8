"""What a patient's answer does: confirm, cancel, ask for other times, pick one of them.

A text reply is matched to the latest text we sent to that number that asked for an
answer: about a visit (confirmation, update, reminder, options) or a waitlist offer, so a
patient with several visits answers the message they just read. When texts to that number
asked about open visits or offers of more than one patient (a phone shared by a family),
the words alone cannot say whose visit or slot the reply answers, so it goes to a person
with those visits and offers. Only a reply that is exactly one of the words (accents, case
and punctuation aside) acts on the visit: "No puedo el martes" must reach a person, not
cancel. Everything else goes to the inbox.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
import uuid
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q, QuerySet
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
from carebridge.patients.models import Patient
from carebridge.scheduling.availability import FreeSlot, slot_search
from carebridge.scheduling.constants import CancelledBy, ConfirmationChannel
from carebridge.scheduling.models import (
    Appointment,
    RescheduleOffer,
    RescheduleOption,
    WaitlistOffer,
)
from carebridge.scheduling.services.appointments import (
    appointment_cancel,
    appointment_reschedule,
    reschedule_offers_close,
)
from carebridge.scheduling.services.backfill import TOPIC_TYPE as OFFER_TOPIC
from carebridge.scheduling.services.confirmations import appointment_confirm
from carebridge.scheduling.services.messages import (
    TOPIC_TYPE,
    UPCOMING_STATUSES,
    Notice,
    appointment_messages_enqueue,
    policy_for,
)
from carebridge.scheduling.services.waitlist import offer_reply_handle
from carebridge.scheduling.waitlist_constants import OfferStatus

CONFIRM_WORDS = frozenset({"C", "YES", "Y", "SI", "CONFIRM", "CONFIRMAR", "CONFIRMO"})
CANCEL_WORDS = frozenset({"X", "NO", "N", "CANCEL", "CANCELAR", "CANCELO"})
RESCHEDULE_WORDS = frozenset({"R", "RESCHEDULE", "CAMBIAR", "CAMBIO", "REPROGRAMAR"})
# Messages about a visit that ask the patient to answer.
ASKING_KINDS = (
    MessageKind.CONFIRMATION,
    MessageKind.UPDATE,
    MessageKind.REMINDER,
    MessageKind.RESCHEDULE_OPTIONS,
)
VISIT_QUESTIONS = Q(topic_type=TOPIC_TYPE, kind__in=ASKING_KINDS)
# A waitlist offer asks too (YES takes the slot): a reply belongs to the latest text of
# either.
QUESTIONS = VISIT_QUESTIONS | Q(topic_type=OFFER_TOPIC, kind=MessageKind.OFFER)
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
    *,
    appointment: Appointment,
    reaches_patient_at: datetime.datetime | None = None,
    actor: User | None = None,
) -> RescheduleOffer:
    """Offer the patient up to three other times for the visit (the offer may be empty),
    the earliest an hour after the offer reaches them (now, unless it waits for the end of
    their quiet hours). `actor`: the staff member who asked for them, if any.

    Invariant: a visit has at most one open offer; making one closes the earlier ones.
    Side effect: audit entry.
    """
    if appointment.status not in UPCOMING_STATUSES:
        raise DomainError(
            "status: this appointment can no longer be moved", code="closed", field="status"
        )
    reschedule_offers_close(appointment=appointment)
    now = clock.now()
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
    _audit(appointment, actor, "offered other times")
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


def _asking_messages(to_addresses: set[str], about: Q) -> QuerySet[OutboundMessage]:
    return OutboundMessage.objects.filter(
        about,
        channel=MessageChannel.SMS,
        to_address__in=to_addresses,
        status=MessageStatus.SENT,
    ).order_by("-sent_at", "-pk")


def _asking_message(inbound: InboundMessage) -> OutboundMessage | None:
    return _asking_messages({inbound.from_address}, VISIT_QUESTIONS).first()


@dataclass(frozen=True)
class Question:
    """A visit or a waitlist offer still open that a text asked its patient to answer."""

    patient: Patient
    visit: Appointment | None = None
    offer: WaitlistOffer | None = None


def _open_questions(
    *, replies: list[InboundMessage], organization_id: int | None = None
) -> dict[int, list[Question]]:
    """For each reply (by pk), the visits and waitlist offers still open that texts asking
    for an answer sent to its number before it arrived were about, latest asked first; only
    the organization's when one is given. At most three queries, whatever the number of
    replies."""
    if not replies:
        return {}
    asked = _asking_messages({reply.from_address for reply in replies}, QUESTIONS).filter(
        sent_at__lte=max(reply.received_at for reply in replies)
    )
    if organization_id is not None:
        asked = asked.filter(organization_id=organization_id)
    sent = list(asked.values_list("to_address", "topic_type", "topic_id", "sent_at"))
    still_open = _still_open({(topic_type, topic_id) for _, topic_type, topic_id, _ in sent})
    found: dict[int, list[Question]] = {}
    for reply in replies:
        topics = dict.fromkeys(
            (topic_type, topic_id)
            for to_address, topic_type, topic_id, sent_at in sent
            if to_address == reply.from_address
            and sent_at <= reply.received_at
            and (topic_type, topic_id) in still_open
        )
        found[reply.pk] = [still_open[topic] for topic in topics]
    return found


def _still_open(topics: set[tuple[str, str]]) -> dict[tuple[str, str], Question]:
    """The questions that can still be answered, by (topic type, topic id)."""
    visits = Appointment.objects.filter(
        public_id__in={topic_id for kind, topic_id in topics if kind == TOPIC_TYPE},
        status__in=UPCOMING_STATUSES,
    ).select_related("patient", "location")
    offers = WaitlistOffer.objects.filter(
        public_id__in={topic_id for kind, topic_id in topics if kind == OFFER_TOPIC},
        status=OfferStatus.OPEN,
    ).select_related("entry__patient", "slot__location")
    return {
        (TOPIC_TYPE, str(visit.public_id)): Question(visit.patient, visit=visit) for visit in visits
    } | {
        (OFFER_TOPIC, str(offer.public_id)): Question(offer.entry.patient, offer=offer)
        for offer in offers
    }


def _whose_unclear(inbound: InboundMessage, latest: OutboundMessage) -> bool:
    """Whether texts to the number asked another patient than the latest text's about a
    visit or offer still open. A phone a family shares: "YES" or "C" alone cannot say whose
    slot it takes or whose visit it confirms, and acting on the latest asked may act for
    someone else (or, that one being closed, lose another's answer). One patient's several
    questions: the reply answers the text they just read, the latest."""
    questions = _open_questions(replies=[inbound])[inbound.pk]
    return bool({question.patient.pk for question in questions} - {latest.patient_id})


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


def _send_options(
    appointment: Appointment, *, actor: User | None, after_taken: bool = False
) -> None:
    offer = reschedule_offer_make(appointment=appointment, actor=actor)
    if not offer.options.exists():
        _send(appointment, MessageKind.REPLY_ACK, ack="no_options")
        return
    _send(
        appointment,
        MessageKind.RESCHEDULE_OPTIONS,
        options=options_text(offer),
        ack="taken" if after_taken else "",
    )


def _act(appointment: Appointment, handling: str, word: str, actor: User | None) -> None:
    if handling == InboundHandling.CONFIRM:
        appointment_confirm(appointment=appointment, via=ConfirmationChannel.SMS, actor=actor)
        _send(appointment, MessageKind.REPLY_ACK, ack="confirmed")
    elif handling == InboundHandling.CANCEL:
        # The cancellation notice is the answer.
        appointment_cancel(
            appointment=appointment,
            actor=actor,
            reason="the patient cancelled by text reply",
            cancelled_by=CancelledBy.PATIENT,
        )
    elif handling == InboundHandling.RESCHEDULE_REQUEST:
        _send_options(appointment, actor=actor)
    else:
        _choose(appointment, int(word), actor)


def _choose(appointment: Appointment, number: int, actor: User | None) -> None:
    """The update notice is the answer; a time taken meanwhile gets fresh options."""
    offer = open_offer(appointment)
    try:
        with transaction.atomic():
            reschedule_offer_choose(offer=offer, number=number, actor=actor)
    except NotFound:
        _send_options(appointment, actor=actor)
    except DomainError:
        # Taken by someone else, or no longer bookable for another reason.
        _send_options(appointment, actor=actor, after_taken=True)


def sms_text_received(
    *,
    from_address: str,
    to_address: str,
    body: str,
    provider_message_id: str,
    actor: User | None = None,
) -> InboundMessage:
    """A text that reached the clinic's number: record it (STOP, START and HELP act there),
    then act on it as a reply. The gateway's webhook calls it (no actor: the patient texted),
    and so does the demo's stand-in for a patient's phone, with the staff member who typed
    the reply as `actor`."""
    inbound = inbound_record(
        channel=MessageChannel.SMS,
        from_address=from_address,
        to_address=to_address,
        body=body,
        provider_message_id=provider_message_id,
    )
    return sms_reply_handle(inbound=inbound, actor=actor)


@transaction.atomic
def sms_reply_handle(*, inbound: InboundMessage, actor: User | None = None) -> InboundMessage:
    """Act on a text reply that the outbox recorded (STOP, START and HELP are handled
    there already). Idempotent: a message already handled is returned as it is. `actor`:
    the staff member who typed the reply for the patient, recorded in the history and the
    audit of what it changes; None for a reply from the patient's phone.

    Side effects: the visit confirmed, cancelled (by the patient, freeing the time) or
    moved, or other times offered, or a waitlist offer answered (offer_reply_handle); the
    answer queued in the outbox; a reply nobody can act on marked as needing attention,
    linked to the patient when the number and the visit are known (a number asked about
    open visits or offers of several patients links to none of them, and nothing is done).
    """
    if inbound.handled_as:
        return inbound
    latest = _asking_messages({inbound.from_address}, QUESTIONS).first()
    if latest is not None and _whose_unclear(inbound, latest):
        return _mark(
            inbound, latest, None, InboundHandling.UNRECOGNIZED, actor=actor, whose_known=False
        )
    asking = _asking_message(inbound)
    appointment = _appointment(asking)
    word = reply_word(inbound.body)
    if offer_reply_handle(
        inbound=inbound, handling=_classify(word, None), after=asking, actor=actor
    ):
        return inbound
    handling = _classify(word, open_offer(appointment) if appointment else None)
    if appointment is None or appointment.status not in UPCOMING_STATUSES:
        if handling != InboundHandling.UNRECOGNIZED and appointment is not None:
            _send(appointment, MessageKind.REPLY_ACK, ack="closed")
        handling = InboundHandling.UNRECOGNIZED
    elif handling != InboundHandling.UNRECOGNIZED:
        _act(appointment, handling, word, actor)
    return _mark(inbound, asking, appointment, handling, actor=actor)


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
    actor: User | None,
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
        _audit(appointment, actor, f"text reply handled as {handling}")
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
    A reply linked to no patient carries `could_be_about`: a Question for each of the
    organization's open visits and waitlist offers that texts to its number had asked
    about. Each patient shown is audited as queried."""
    replies = list(
        InboundMessage.objects.filter(
            organization=organization, needs_attention=True, resolved_at__isnull=True
        )
        .select_related("patient")
        .order_by("received_at", "pk")
    )
    unlinked = [reply for reply in replies if reply.patient is None]
    questions = _open_questions(replies=unlinked, organization_id=organization.pk)
    for reply in unlinked:
        reply.could_be_about = questions[reply.pk]
    patients = [(reply, reply.patient) for reply in replies if reply.patient] + [
        (reply, question.patient) for reply in unlinked for question in reply.could_be_about
    ]
    audit_record_many(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.QUERY,
        # One entry per reply and patient, also for a patient asked about a visit and an offer.
        targets=dict.fromkeys(
            AuditTarget("InboundMessage", str(reply.public_id), str(patient.public_id))
            for reply, patient in patients
        ),
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
