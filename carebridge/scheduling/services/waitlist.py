"""The waitlist: patients waiting for a visit, and their answers to the slots offered.

Coordinators add, change and remove entries. A patient accepts an offer through its signed
link or by texting YES; the first acceptance of a slot wins. The winner's transaction
claims the slot with a conditional UPDATE (open -> filled), so a second acceptance, even
at the same instant, finds it filled and loses; then it books the visit. Losers, and
patients whose slot the desk booked first, hear that it was taken and stay on the list.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction

from carebridge.accounts.models import Organization, User, saved_user
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import AuditTarget, audit_record
from carebridge.core import clock
from carebridge.core.errors import Conflict, DomainError, InvalidInput, NotFound
from carebridge.core.timeranges import zone_of
from carebridge.core.validation import check_years
from carebridge.directory.models import Location, Practitioner, PractitionerRole, Specialty
from carebridge.notifications.calendar import REQUEST
from carebridge.notifications.constants import (
    InboundHandling,
    MessageChannel,
    MessageKind,
    MessageStatus,
)
from carebridge.notifications.models import InboundMessage, OutboundMessage
from carebridge.notifications.services.outbox import messages_withdraw
from carebridge.patients.models import Patient
from carebridge.scheduling.availability import check_patient_bookable, patient_kind_refusal
from carebridge.scheduling.constants import BookingChannel, ConfirmationChannel, PatientKind
from carebridge.scheduling.errors import SchedulingErrorCode as Code
from carebridge.scheduling.models import (
    Appointment,
    BackfillSlot,
    VisitType,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistPolicy,
)
from carebridge.scheduling.services.appointments import appointment_book
from carebridge.scheduling.services.backfill import TOPIC_TYPE as OFFER_TOPIC
from carebridge.scheduling.services.backfill import (
    backfill_offer_next,
    offer_message_enqueue,
    offers_close,
)
from carebridge.scheduling.services.messages import (
    TOPIC_TYPE as VISIT_TOPIC,
)
from carebridge.scheduling.services.messages import (
    Notice,
    appointment_messages_enqueue,
    policy_for,
)
from carebridge.scheduling.waitlist_constants import (
    OPEN_ENTRY_STATUSES,
    BackfillSlotStatus,
    OfferStatus,
    WaitlistPriority,
    WaitlistStatus,
)

# What a coordinator may change on an entry (patient and visit type make another entry).
EDITABLE_FIELDS = (
    "practitioner",
    "specialty",
    "location",
    "weekdays",
    "time_from",
    "time_to",
    "earliest_date",
    "latest_date",
    "priority",
    "note",
)
NOTE_MAX = 2000
# Conflicts that concern only the accepting patient, not the slot.
PATIENT_CONFLICTS = frozenset({Code.PATIENT_BUSY, Code.PATIENT_KIND})


class OfferClosed(Conflict):
    code = "offer_closed"


# Entries


def _check_owned(organization: Organization, **objects) -> None:
    for name, obj in objects.items():
        if obj is not None and obj.organization_id != organization.pk:
            raise NotFound(f"{name}: not found", field=name)


def _check_weekdays(weekdays) -> list[int]:
    if not isinstance(weekdays, list | tuple) or not all(
        isinstance(day, int) and not isinstance(day, bool) and 0 <= day <= 6 for day in weekdays
    ):
        raise InvalidInput("weekdays: days are numbers 0 (Monday) to 6 (Sunday)", field="weekdays")
    return sorted(set(weekdays))


def _check_entry(entry: WaitlistEntry, *, new_latest_date: bool = True) -> None:
    """Every rule an entry must keep, naming the field at fault. A latest date must not
    be past when it is given (an entry whose date passed only waits for the job)."""
    _check_owned(
        entry.organization,
        patient=entry.patient,
        visit_type=entry.visit_type,
        practitioner=entry.practitioner,
        specialty=entry.specialty,
        location=entry.location,
    )
    if not entry.visit_type.active:
        raise InvalidInput("visit_type: this visit type is no longer offered", field="visit_type")
    if entry.priority not in WaitlistPriority.values:
        raise InvalidInput(
            f"priority: one of {', '.join(WaitlistPriority.values)}", field="priority"
        )
    entry.weekdays = _check_weekdays(entry.weekdays)
    if (entry.time_from is None) != (entry.time_to is None):
        field = "time_to" if entry.time_to is None else "time_from"
        raise InvalidInput(f"{field}: give time_from and time_to together", field=field)
    if entry.time_from is not None and entry.time_to <= entry.time_from:
        raise InvalidInput("time_to: must be after time_from", field="time_to")
    _check_dates(entry, new_latest_date=new_latest_date)
    if len(entry.note) > NOTE_MAX:
        raise InvalidInput(f"note: at most {NOTE_MAX} characters", field="note")
    _check_practitioner_fit(entry)


def _check_dates(entry: WaitlistEntry, *, new_latest_date: bool) -> None:
    """A mistyped year (a latest date in 9999 would keep the patient waiting, and being
    offered slots, for ever), dates out of order, or a latest date given already past."""
    # Days where the slots are: the chosen location's calendar, else the clinic's.
    place = entry.location or entry.organization
    check_years(
        {"earliest_date": entry.earliest_date, "latest_date": entry.latest_date},
        zone=zone_of(place.timezone),
    )
    if entry.earliest_date and entry.latest_date and entry.latest_date < entry.earliest_date:
        raise InvalidInput("latest_date: must not be before earliest_date", field="latest_date")
    yesterday = clock.now().date() - datetime.timedelta(days=1)
    if new_latest_date and entry.latest_date and entry.latest_date < yesterday:
        raise InvalidInput("latest_date: is in the past", field="latest_date")


def _check_practitioner_fit(entry: WaitlistEntry) -> None:
    practitioner = entry.practitioner
    if practitioner is None:
        return
    if (
        entry.location is not None
        and not PractitionerRole.objects.filter(
            practitioner=practitioner, location=entry.location, active=True
        ).exists()
    ):
        raise InvalidInput(
            f"location: {practitioner} does not work at {entry.location}", field="location"
        )
    if (
        entry.specialty is not None
        and not practitioner.specialties.filter(pk=entry.specialty.pk).exists()
    ):
        raise InvalidInput(
            f"specialty: {practitioner} does not have {entry.specialty}", field="specialty"
        )


def _check_can_ever_book(entry: WaitlistEntry) -> None:
    """A patient the clinic has seen can never have a new-patient visit: such an entry
    would wait for nothing. (One waiting for an established-patient visit may be seen by
    the time a slot frees; the offers skip it until then.)"""
    if entry.visit_type.patient_kind != PatientKind.NEW:
        return
    refusal = patient_kind_refusal(entry.patient, entry.visit_type, clock.now())
    if refusal is not None:
        raise refusal


def _check_not_waiting_already(entry: WaitlistEntry) -> None:
    twin = WaitlistEntry.objects.filter(
        patient=entry.patient, visit_type=entry.visit_type, status__in=OPEN_ENTRY_STATUSES
    ).exclude(pk=entry.pk)
    if twin.exists():
        raise Conflict(
            f"visit_type: {entry.patient.display_name} is already waiting for {entry.visit_type}",
            code="already_waiting",
            field="visit_type",
        )


def _audit(entry: WaitlistEntry, actor: User | None, action: str, detail: str) -> None:
    audit_record(
        organization_id=entry.organization_id,
        actor=actor,
        action=action,
        target=AuditTarget("WaitlistEntry", str(entry.public_id), str(entry.patient.public_id)),
        detail=detail,
    )


@transaction.atomic
def waitlist_add(
    *,
    organization: Organization,
    actor: User | None,
    patient: Patient,
    visit_type: VisitType,
    practitioner: Practitioner | None = None,
    specialty: Specialty | None = None,
    location: Location | None = None,
    weekdays: list[int] | tuple[int, ...] = (),
    time_from: datetime.time | None = None,
    time_to: datetime.time | None = None,
    earliest_date: datetime.date | None = None,
    latest_date: datetime.date | None = None,
    priority: str = WaitlistPriority.ROUTINE,
    note: str = "",
) -> WaitlistEntry:
    """Put a patient on the waitlist for a visit type, with their preferences.

    Invariants: everything referenced belongs to the organization; the visit type is
    active; the patient is active and not merged into another record; weekdays are 0-6; a
    time window has both ends in order; dates are from 1900 to five years ahead, in order
    and not past; a chosen practitioner works at the chosen location and has the chosen
    specialty; a patient waits at most once per visit type. Side effect: audit entry.
    """
    entry = WaitlistEntry(
        organization=organization,
        patient=patient,
        visit_type=visit_type,
        practitioner=practitioner,
        specialty=specialty,
        location=location,
        weekdays=list(weekdays),
        time_from=time_from,
        time_to=time_to,
        earliest_date=earliest_date,
        latest_date=latest_date,
        priority=priority,
        note=note.strip(),
        created_by=saved_user(actor),
    )
    _check_entry(entry)
    # Only a patient who can be booked waits: an offer would reach no other.
    check_patient_bookable(patient)
    _check_can_ever_book(entry)
    _check_not_waiting_already(entry)
    entry.save()
    _audit(entry, actor, AuditAction.CREATE, f"put on the waitlist ({entry.priority})")
    return entry


@transaction.atomic
def waitlist_update(
    *, entry: WaitlistEntry, actor: User | None, changes: dict[str, object]
) -> WaitlistEntry:
    """Change an entry's preferences, priority or note (`changes`: field -> new value;
    see EDITABLE_FIELDS). Only entries still on the list change; an offer already made
    stands. Same invariants as `waitlist_add`. Side effect: audit entry naming the fields.
    """
    unknown = sorted(set(changes) - set(EDITABLE_FIELDS))
    if unknown:
        raise InvalidInput(f"{unknown[0]}: cannot be changed", field=unknown[0])
    _check_open(entry)
    for name, value in changes.items():
        setattr(entry, name, value.strip() if isinstance(value, str) else value)
    _check_entry(entry, new_latest_date="latest_date" in changes)
    entry.save()
    _audit(entry, actor, AuditAction.UPDATE, f"changed: {', '.join(sorted(changes))}")
    return entry


def _check_open(entry: WaitlistEntry) -> None:
    if entry.status not in OPEN_ENTRY_STATUSES:
        raise DomainError(
            f"status: a {entry.status} entry is no longer on the waitlist",
            code="entry_closed",
            field="status",
        )


@transaction.atomic
def waitlist_remove(*, entry: WaitlistEntry, actor: User | None, reason: str = "") -> WaitlistEntry:
    """Take an entry off the waitlist. An offer it holds ends (its message is withdrawn if
    not sent yet) and the slot goes to the next patients at the job's next turn.
    Idempotent for a removed entry. Side effect: audit entry."""
    if entry.status == WaitlistStatus.REMOVED:
        return entry
    _check_open(entry)
    offers_close(entry.offers.filter(status=OfferStatus.OPEN), status=OfferStatus.EXPIRED)
    now = clock.now()
    WaitlistEntry.objects.filter(pk=entry.pk).update(
        status=WaitlistStatus.REMOVED, closed_at=now, updated_at=now
    )
    entry.status, entry.closed_at = WaitlistStatus.REMOVED, now
    _audit(entry, actor, AuditAction.UPDATE, f"removed: {reason.strip()}"[:500].rstrip(": "))
    return entry


@transaction.atomic
def waitlist_reopen(*, entry: WaitlistEntry, actor: User | None, reason: str) -> WaitlistEntry:
    """Put a removed entry back on the list, waiting, in the place its joining time gives it
    (a removal that is undone, e.g. with the merge that made it). Side effect: audit entry."""
    if entry.status != WaitlistStatus.REMOVED:
        raise DomainError(
            f"status: a {entry.status} entry was not removed", code="entry_open", field="status"
        )
    now = clock.now()
    WaitlistEntry.objects.filter(pk=entry.pk).update(
        status=WaitlistStatus.WAITING, closed_at=None, updated_at=now
    )
    entry.status, entry.closed_at = WaitlistStatus.WAITING, None
    _audit(entry, actor, AuditAction.UPDATE, f"back on the list: {reason}"[:500])
    return entry


# Answers to offers


@dataclass(frozen=True)
class OfferAnswer:
    """What became of a patient's acceptance: the visit when they won."""

    won: bool
    appointment: Appointment | None = None


def _claim(offer: WaitlistOffer) -> None:
    """Slot first (open -> filled), then the offer (open and held -> accepted): the lock
    order every writer keeps. OfferClosed when either is no longer open."""
    now = clock.now()
    slot_claimed = BackfillSlot.objects.filter(
        pk=offer.slot_id, status=BackfillSlotStatus.OPEN
    ).update(status=BackfillSlotStatus.FILLED, filled_at=now, closed_at=now, updated_at=now)
    if slot_claimed != 1:
        raise OfferClosed("offer: the slot was taken", field="offer")
    offer_claimed = WaitlistOffer.objects.filter(
        pk=offer.pk, status=OfferStatus.OPEN, expires_at__gt=now
    ).update(status=OfferStatus.ACCEPTED, closed_at=now, updated_at=now)
    if offer_claimed != 1:
        raise OfferClosed("offer: this offer has ended", field="offer")


@transaction.atomic
def waitlist_offer_accept(
    *, offer: WaitlistOffer, via: str, actor: User | None = None
) -> OfferAnswer:
    """The patient takes the offered slot (`via`: "link" or "sms", for the record; `actor`:
    the staff member who answered for them, if any).

    The first acceptance claims the slot and books the visit (booking channel portal), all
    in this transaction; the other open offers of the slot end as taken and their holders
    are told. A later acceptance, or one whose slot the desk booked meanwhile, gets the
    "taken" message and the patient stays on the list. Accepting twice is harmless: the
    winner's second acceptance answers as the first. Side effects: those of
    appointment_book, except that the winner's "offer won" message (with the calendar
    invitation) replaces the booking confirmation; audit entries.
    """
    entry, slot = offer.entry, offer.slot
    try:
        with transaction.atomic():
            _claim(offer)
            appointment = appointment_book(
                organization=slot.organization,
                actor=actor,
                patient=entry.patient,
                practitioner=slot.practitioner,
                location=slot.location,
                visit_type=entry.visit_type,
                start=slot.start,
                channel=BookingChannel.PORTAL,
                notes=f"Booked from the waitlist by the patient ({via})",
            )
    except DomainError as error:
        return _lost(offer, error, actor)
    _won(offer, appointment, via, actor)
    return OfferAnswer(won=True, appointment=appointment)


def _won(offer: WaitlistOffer, appointment: Appointment, via: str, actor: User | None) -> None:
    entry, slot, now = offer.entry, offer.slot, clock.now()
    offer.status = OfferStatus.ACCEPTED
    BackfillSlot.objects.filter(pk=slot.pk).update(appointment=appointment)
    WaitlistEntry.objects.filter(pk=entry.pk).update(
        status=WaitlistStatus.BOOKED, appointment=appointment, closed_at=now, updated_at=now
    )
    entry.status, entry.appointment, entry.closed_at = WaitlistStatus.BOOKED, appointment, now
    offers_close(slot.offers.filter(status=OfferStatus.OPEN), status=OfferStatus.TAKEN)
    messages_withdraw(
        topic_type=VISIT_TOPIC,
        topic_id=str(appointment.public_id),
        kinds=[MessageKind.CONFIRMATION],
    )
    appointment_messages_enqueue(
        appointment=appointment,
        notices=[Notice(MessageKind.OFFER_WON)],
        policy=policy_for(appointment),
        calendar_method=REQUEST,
    )
    _audit(entry, actor, AuditAction.UPDATE, f"booked from the waitlist ({via})")


def _lost(offer: WaitlistOffer, error: DomainError, actor: User | None) -> OfferAnswer:
    offer.refresh_from_db(fields=["status"])
    if offer.status == OfferStatus.ACCEPTED:
        offer.entry.refresh_from_db(fields=["status", "appointment"])
        return OfferAnswer(won=True, appointment=offer.entry.appointment)
    if isinstance(error, OfferClosed) or error.code in PATIENT_CONFLICTS:
        # Someone else won, the hold ran out, or only this patient cannot come then: the
        # slot is not this offer's to end. A winner already told the holders of the offers
        # it closed; everyone else who answered hears it here.
        if offer.status == OfferStatus.OPEN:
            offers_close([offer], status=OfferStatus.TAKEN, tell_all=True)
        elif offer.status != OfferStatus.TAKEN:
            offer_message_enqueue(offer=offer, kind=MessageKind.OFFER_TAKEN)
    else:
        # The desk booked the time, or it stopped being free: nobody can have it.
        slot = offer.slot
        now = clock.now()
        BackfillSlot.objects.filter(pk=slot.pk, status=BackfillSlotStatus.OPEN).update(
            status=BackfillSlotStatus.EXPIRED, closed_at=now, updated_at=now
        )
        offers_close(slot.offers.filter(status=OfferStatus.OPEN), status=OfferStatus.TAKEN)
    _audit(offer.entry, actor, AuditAction.UPDATE, f"acceptance came too late ({error.code})")
    return OfferAnswer(won=False)


@transaction.atomic
def waitlist_offer_decline(
    *, offer: WaitlistOffer, via: str, actor: User | None = None
) -> WaitlistOffer:
    """The patient does not want this slot; they stay on the list for the next one. When no
    offer of the slot is left open, the next batch gets it now. Idempotent for an offer
    that is no longer open. `actor`: the staff member who answered for them, if any.
    Side effects: audit entry, maybe the next batch's offers."""
    now = clock.now()
    slot = BackfillSlot.objects.select_for_update(of=("self",)).get(pk=offer.slot_id)
    declined = WaitlistOffer.objects.filter(pk=offer.pk, status=OfferStatus.OPEN).update(
        status=OfferStatus.DECLINED, closed_at=now, updated_at=now
    )
    if not declined:
        offer.refresh_from_db(fields=["status", "closed_at"])
        return offer
    offer.status, offer.closed_at = OfferStatus.DECLINED, now
    WaitlistEntry.objects.filter(pk=offer.entry_id, status=WaitlistStatus.OFFERED).update(
        status=WaitlistStatus.WAITING, updated_at=now
    )
    _audit(offer.entry, actor, AuditAction.UPDATE, f"declined the offered slot ({via})")
    backfill_offer_next(slot=slot)
    return offer


# Text replies


def _latest_offer_message(inbound: InboundMessage) -> OutboundMessage | None:
    return (
        OutboundMessage.objects.filter(
            channel=MessageChannel.SMS,
            to_address=inbound.from_address,
            kind=MessageKind.OFFER,
            topic_type=OFFER_TOPIC,
            status=MessageStatus.SENT,
        )
        .order_by("-sent_at", "-pk")
        .first()
    )


def _is_newer(message: OutboundMessage, than: OutboundMessage | None) -> bool:
    return than is None or (message.sent_at, message.pk) > (than.sent_at, than.pk)


@transaction.atomic
def offer_reply_handle(
    *,
    inbound: InboundMessage,
    handling: str,
    after: OutboundMessage | None,
    actor: User | None = None,
) -> bool:
    """Act on a text reply when the latest message to that number that asked for an answer
    was a waitlist offer (sent after `after`, the latest visit message that asked): a
    confirming word takes the slot, a cancelling word declines it, anything else goes to
    the inbox linked to the patient. Returns False, touching nothing, when the reply is not
    about an offer. The caller has made sure that the texts to that number asked only this
    offer's patient (sms_reply_handle: a shared phone's YES must not take someone else's
    slot). `actor`: the staff member who typed the reply for the patient, if any.
    Side effects: those of accepting or declining; the reply marked.
    """
    message = _latest_offer_message(inbound)
    if message is None or not _is_newer(message, after):
        return False
    offer = (
        WaitlistOffer.objects.select_related(
            "entry__patient", "entry__visit_type", "slot__organization"
        )
        .filter(organization_id=message.organization_id, public_id=message.topic_id)
        .first()
    )
    if offer is None:
        return False
    if handling == InboundHandling.CONFIRM:
        waitlist_offer_accept(offer=offer, via=ConfirmationChannel.SMS, actor=actor)
    elif handling == InboundHandling.CANCEL:
        waitlist_offer_decline(offer=offer, via=ConfirmationChannel.SMS, actor=actor)
    else:
        handling = InboundHandling.UNRECOGNIZED
    fields = {
        "handled_as": handling,
        "needs_attention": handling == InboundHandling.UNRECOGNIZED,
        "organization_id": message.organization_id,
        "patient_id": message.patient_id,
        "topic_type": OFFER_TOPIC,
        "topic_id": message.topic_id,
    }
    InboundMessage.objects.filter(pk=inbound.pk).update(**fields)
    for name, value in fields.items():
        setattr(inbound, name, value)
    _audit(offer.entry, actor, AuditAction.UPDATE, f"text reply handled as {handling}")
    return True


# The clinic's policy

POLICY_LIMITS = {
    "batch_size": (1, 20),
    "hold_minutes": (5, 24 * 60),
    "min_lead_minutes": (0, 7 * 24 * 60),
}


@transaction.atomic
def waitlist_policy_set(
    *,
    organization: Organization,
    actor: User | None,
    batch_size: int,
    hold_minutes: int,
    min_lead_minutes: int,
) -> WaitlistPolicy:
    """Set how the clinic offers freed slots: patients per batch, how long each offer is
    held, and how soon before its start a slot is no longer offered (created on first use).

    Invariant: each number within POLICY_LIMITS. Offers already made keep their hold.
    Side effect: audit entry (no patient data).
    """
    values = {
        "batch_size": batch_size,
        "hold_minutes": hold_minutes,
        "min_lead_minutes": min_lead_minutes,
    }
    for name, value in values.items():
        low, high = POLICY_LIMITS[name]
        if not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput(f"{name}: from {low} to {high}", field=name)
    policy, _ = WaitlistPolicy.objects.update_or_create(organization=organization, defaults=values)
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.UPDATE,
        target=AuditTarget("WaitlistPolicy", str(policy.public_id)),
        detail=", ".join(f"{name}={value}" for name, value in values.items()),
    )
    return policy
