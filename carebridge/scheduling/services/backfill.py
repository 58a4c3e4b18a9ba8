"""Refilling freed time from the waitlist.

When a visit gives its time back (cancelled, moved away, a no-show with the visit still
ahead) the appointment service calls one `backfill_after_*` function last, inside its
transaction: the freed time becomes a BackfillSlot and the first batch of offers goes out
with it, so a rolled-back cancellation offers nothing. Offers go to the best-matching
waiting entries (priority, then time waiting) whose visit type the availability engine
fits at the slot's start, each held for the clinic's hold time. When every offer of a batch
has ended without a taker, the periodic `backfill_advance` offers the slot to the next
batch; a slot whose start has come too close expires.

Lock order, so that no two writers wait on each other: a slot row first, then its offers.
Accepting an offer lives in `waitlist`, which may book; this module must not import the
appointment services (they import it).
"""

from __future__ import annotations

import datetime
import enum
from collections.abc import Iterable
from dataclasses import dataclass

from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from carebridge.accounts.models import Organization
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import AuditTarget, audit_record_many
from carebridge.core import clock
from carebridge.core.timeranges import zone_of
from carebridge.directory.models import Practitioner
from carebridge.notifications.constants import MessageKind, MessageStatus
from carebridge.notifications.models import OutboundMessage
from carebridge.notifications.services.outbox import Topic, messages_withdraw
from carebridge.scheduling.availability import (
    GRID_MINUTES,
    patient_kind_refusal,
    patient_visits_during,
    slot_is_free,
)
from carebridge.scheduling.constants import ACTIVE_STATUSES, INACTIVE_STATUSES
from carebridge.scheduling.links import LinkExpired, LinkInvalid, token_url
from carebridge.scheduling.models import (
    Appointment,
    BackfillSlot,
    WaitlistEntry,
    WaitlistOffer,
)
from carebridge.scheduling.selectors import time_off_over
from carebridge.scheduling.services.messages import (
    Notice,
    appointment_context,
    patient_channels,
    patient_messages_enqueue,
    policy_for,
)
from carebridge.scheduling.waitlist_constants import (
    BackfillSlotStatus,
    OfferStatus,
    WaitlistStatus,
)
from carebridge.scheduling.waitlist_selectors import priority_rank, waitlist_policy

TOPIC_TYPE = "waitlist_offer"
OFFER_SALT = "carebridge.portal.waitlist-offer"
# An offer held for less than this is no use to anyone: the slot expires instead.
MIN_HOLD = datetime.timedelta(minutes=5)
# The offer page keeps saying what became of the offer for a while after it ended.
OFFER_LINK_MAX_AGE = datetime.timedelta(days=14)


@dataclass(frozen=True)
class BackfillRules:
    batch_size: int
    hold: datetime.timedelta
    min_lead: datetime.timedelta


def backfill_rules(organization_id: int) -> BackfillRules:
    """The clinic's waitlist policy, or the defaults (3 patients, 30 minutes, 60 minutes)."""
    row = waitlist_policy(organization_id=organization_id)
    return BackfillRules(
        batch_size=row.batch_size,
        hold=datetime.timedelta(minutes=row.hold_minutes),
        min_lead=datetime.timedelta(minutes=row.min_lead_minutes),
    )


# Freed time


def backfill_after_cancel(*, appointment: Appointment) -> BackfillSlot | None:
    """The cancelled visit's time frees. Called last by appointment_cancel, in its
    transaction; side effects those of `backfill_offer_next`."""
    return _freed(
        appointment, appointment.practitioner_id, appointment.location_id, appointment.start
    )


def backfill_after_reschedule(*, appointment: Appointment, before: dict) -> BackfillSlot | None:
    """`before` is the visit's snapshot before the move: its old time is what frees."""
    return _freed(
        appointment,
        before["practitioner_id"],
        before["location_id"],
        before["start"],
        before["end"],
    )


def backfill_after_transition(
    *, appointment: Appointment, previous_status: str
) -> BackfillSlot | None:
    """A no-show (or a visit entered in error) frees what is left of its time."""
    if previous_status in INACTIVE_STATUSES or appointment.status not in INACTIVE_STATUSES:
        return None
    return _freed(
        appointment, appointment.practitioner_id, appointment.location_id, appointment.start
    )


def _grid_ceil(moment: datetime.datetime) -> datetime.datetime:
    """The first start on the availability grid at or after `moment` (zones are whole
    quarter hours off UTC, so the UTC grid is every zone's grid)."""
    step = datetime.timedelta(minutes=GRID_MINUTES)
    epoch = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    return epoch + -(-(moment - epoch) // step) * step


def _freed(
    appointment: Appointment,
    practitioner_id: int,
    location_id: int,
    start: datetime.datetime,
    end: datetime.datetime | None = None,
) -> BackfillSlot | None:
    """Open a slot for the freed range and make its first offers. Nothing when the range
    is over or starts too soon, or when the practitioner is still busy then (a visit moved
    by a few minutes, another visit overbooked on the same time)."""
    end = end or appointment.end
    now = clock.now()
    rules = backfill_rules(appointment.organization_id)
    earliest = now + rules.min_lead
    offer_start = start if start >= earliest else _grid_ceil(earliest)
    if offer_start >= end:
        return None
    still_busy = Appointment.objects.filter(
        practitioner_id=practitioner_id,
        status__in=ACTIVE_STATUSES,
        blocked_start__lt=end,
        blocked_end__gt=offer_start,
    )
    # a visit moved out of someone's time off frees nothing anyone could have
    away = time_off_over(
        practitioner_id=practitioner_id,
        location_id=location_id,
        start=offer_start,
        end=offer_start + datetime.timedelta(microseconds=1),
    )
    if still_busy.exists() or away:
        return None
    slot = BackfillSlot.objects.create(
        organization_id=appointment.organization_id,
        practitioner_id=practitioner_id,
        location_id=location_id,
        start=offer_start,
        freed_start=start,
        freed_end=end,
        freed_at=now,
        freed_by=appointment,
    )
    backfill_offer_next(slot=slot)
    return slot


# Offers


def _waiting_entries(slot: BackfillSlot):
    """Waiting entries whose stored preferences fit the slot, best first (weekdays, which
    are a list, are checked by the caller)."""
    local = slot.start.astimezone(zone_of(slot.location.timezone))
    has_specialty = Practitioner.specialties.through.objects.filter(
        practitioner_id=slot.practitioner_id, specialty_id=OuterRef("specialty_id")
    )
    entries = (
        WaitlistEntry.objects.filter(
            organization_id=slot.organization_id,
            status=WaitlistStatus.WAITING,
            patient__active=True,
            visit_type__active=True,
            # Only who was waiting by now: history built as of a past moment stays in order.
            joined_at__lte=clock.now(),
        )
        .filter(Q(practitioner__isnull=True) | Q(practitioner_id=slot.practitioner_id))
        .filter(Q(location__isnull=True) | Q(location_id=slot.location_id))
        .filter(Q(specialty__isnull=True) | Q(Exists(has_specialty)))
        .filter(Q(earliest_date__isnull=True) | Q(earliest_date__lte=local.date()))
        .filter(Q(latest_date__isnull=True) | Q(latest_date__gte=local.date()))
        .filter(
            Q(time_from__isnull=True) | Q(time_from__lte=local.time(), time_to__gt=local.time())
        )
        .exclude(offers__slot=slot)
        .select_related("patient", "visit_type")
        .order_by(priority_rank(), "joined_at", "pk")
    )
    if slot.freed_by is not None:
        # The patient who gave the time back does not want it.
        entries = entries.exclude(patient_id=slot.freed_by.patient_id)
    return entries


def _patient_busy(entry: WaitlistEntry, start: datetime.datetime) -> bool:
    end = start + datetime.timedelta(minutes=entry.visit_type.duration_minutes)
    return patient_visits_during(entry.patient_id, start, end).exists()


def _candidates(slot: BackfillSlot, count: int) -> list[WaitlistEntry]:
    """Up to `count` entries, one per patient, that can really take the slot: preferences
    match, the patient can be written to, is free then and may have the visit type (a
    new-patient visit only for someone not seen yet), and the engine fits the entry's visit
    type at the slot's start (asked once per visit type)."""
    weekday = slot.start.astimezone(zone_of(slot.location.timezone)).weekday()
    fits: dict[int, bool] = {}
    chosen: list[WaitlistEntry] = []
    patients: set[int] = set()
    for entry in _waiting_entries(slot).iterator(chunk_size=50):
        if entry.weekdays and weekday not in entry.weekdays:
            continue
        if entry.patient_id in patients or not patient_channels(entry.patient):
            continue
        if entry.visit_type_id not in fits:
            fits[entry.visit_type_id] = slot_is_free(
                organization=slot.organization,
                visit_type=entry.visit_type,
                practitioner=slot.practitioner,
                location=slot.location,
                start=slot.start,
            )
        if not fits[entry.visit_type_id] or _patient_busy(entry, slot.start):
            continue
        if patient_kind_refusal(entry.patient, entry.visit_type, slot.start) is not None:
            continue
        chosen.append(entry)
        patients.add(entry.patient_id)
        if len(chosen) == count:
            break
    return chosen


class _Step(enum.Enum):
    NONE = "closed already"
    EXPIRE = "its start has come too close to offer it"
    WAIT = "a batch of offers is still open"
    OFFER = "offer it to the next batch, if anyone can take it"


def _next_step(slot: BackfillSlot, now: datetime.datetime, rules: BackfillRules) -> _Step:
    if slot.status != BackfillSlotStatus.OPEN:
        return _Step.NONE
    if slot.start - rules.min_lead - now < MIN_HOLD:
        return _Step.EXPIRE
    if slot.offers.filter(status=OfferStatus.OPEN).exists():
        return _Step.WAIT
    return _Step.OFFER


@transaction.atomic
def backfill_offer_next(*, slot: BackfillSlot) -> list[WaitlistOffer]:
    """Offer an open slot to the next batch, unless offers of a batch are still open.

    Invariants: only open slots are offered; an entry is offered a slot once; an offer's
    hold ends before the slot's start comes within the minimum lead. A slot that leaves
    less than MIN_HOLD before that expires instead. Side effects: entries become
    "offered", one offer message per patient in the outbox, audit entries.
    """
    now = clock.now()
    rules = backfill_rules(slot.organization_id)
    step = _next_step(slot, now, rules)
    if step == _Step.EXPIRE:
        _slot_expire(slot)
    if step != _Step.OFFER:
        return []
    entries = _candidates(slot, rules.batch_size)
    if not entries:
        return []
    batch = 1 + max(slot.offers.values_list("batch", flat=True), default=0)
    expires_at = min(now + rules.hold, slot.start - rules.min_lead)
    offers = WaitlistOffer.objects.bulk_create(
        WaitlistOffer(
            organization_id=slot.organization_id,
            slot=slot,
            entry=entry,
            batch=batch,
            offered_at=now,
            expires_at=expires_at,
        )
        for entry in entries
    )
    WaitlistEntry.objects.filter(pk__in=[entry.pk for entry in entries]).update(
        status=WaitlistStatus.OFFERED, updated_at=now
    )
    for offer, entry in zip(offers, entries, strict=True):
        entry.status = WaitlistStatus.OFFERED
        offer.entry, offer.slot = entry, slot
        offer_message_enqueue(offer=offer, kind=MessageKind.OFFER, hold=expires_at - now)
    _audit_entries(entries, f"offered the slot at {slot.start.isoformat()}")
    return offers


def _slot_expire(slot: BackfillSlot) -> None:
    now = clock.now()
    BackfillSlot.objects.filter(pk=slot.pk, status=BackfillSlotStatus.OPEN).update(
        status=BackfillSlotStatus.EXPIRED, closed_at=now, updated_at=now
    )
    slot.status, slot.closed_at = BackfillSlotStatus.EXPIRED, now
    offers_close(slot.offers.filter(status=OfferStatus.OPEN), status=OfferStatus.EXPIRED)


def offers_close(
    offers: Iterable[WaitlistOffer], *, status: str, tell_all: bool = False
) -> list[WaitlistOffer]:
    """End open offers with `status`; their entries wait again. Offer messages not sent
    yet are withdrawn; when `status` is "taken", the holders who got one (all of them,
    with `tell_all`: they answered it) hear the slot is taken. Returns the offers closed
    here (one closed meanwhile is left alone)."""
    now = clock.now()
    closed = []
    for offer in offers:
        done = WaitlistOffer.objects.filter(pk=offer.pk, status=OfferStatus.OPEN).update(
            status=status, closed_at=now, updated_at=now
        )
        if not done:
            continue
        offer.status, offer.closed_at = status, now
        closed.append(offer)
        WaitlistEntry.objects.filter(pk=offer.entry_id, status=WaitlistStatus.OFFERED).update(
            status=WaitlistStatus.WAITING, updated_at=now
        )
        messages_withdraw(topic_type=TOPIC_TYPE, topic_id=str(offer.public_id))
        if status == OfferStatus.TAKEN and (tell_all or offer_was_told(offer)):
            offer_message_enqueue(offer=offer, kind=MessageKind.OFFER_TAKEN)
    return closed


def offer_was_told(offer: WaitlistOffer) -> bool:
    """Whether the patient got (or may be getting) the offer message."""
    return OutboundMessage.objects.filter(
        topic_type=TOPIC_TYPE,
        topic_id=str(offer.public_id),
        kind=MessageKind.OFFER,
        status__in=[MessageStatus.SENT, MessageStatus.SENDING],
    ).exists()


# Messages and links


def offer_url(offer: WaitlistOffer) -> str:
    token = signing.dumps({"o": str(offer.public_id)}, salt=OFFER_SALT, compress=True)
    return token_url("portal:waitlist_offer", token)


def offer_for_link(*, token: str) -> WaitlistOffer:
    """The offer a link was made for, read without a login and audited as the patient's.
    LinkInvalid for a forged or unknown link, LinkExpired for a very old one."""
    try:
        payload = signing.loads(token, salt=OFFER_SALT, max_age=OFFER_LINK_MAX_AGE.total_seconds())
    except signing.SignatureExpired as error:
        raise LinkExpired("link: this link has expired", field="token") from error
    except signing.BadSignature as error:
        raise LinkInvalid("link: this link is not valid", field="token") from error
    offer = (
        WaitlistOffer.objects.select_related(
            "organization",
            "entry__patient",
            "entry__visit_type",
            "slot__practitioner",
            "slot__location",
            "slot__organization",
        )
        .filter(public_id=payload["o"])
        .first()
    )
    if offer is None:
        raise LinkInvalid("link: this link is not valid", field="token")
    _audit_entries([offer.entry], "offer shown through the patient's link", AuditAction.READ)
    return offer


def offered_visit(offer: WaitlistOffer) -> Appointment:
    """The visit the offer would book, unsaved: what messages and pages describe."""
    slot, entry = offer.slot, offer.entry
    return Appointment(
        organization=slot.organization,
        patient=entry.patient,
        practitioner=slot.practitioner,
        location=slot.location,
        visit_type=entry.visit_type,
        start=slot.start,
    )


def offer_message_enqueue(
    *, offer: WaitlistOffer, kind: str, hold: datetime.timedelta | None = None
) -> OutboundMessage | None:
    """Queue an offer (or its "taken" answer) to the patient on their best channel, under
    the topic ("waitlist_offer", offer id). Nothing when the patient cannot be written to."""
    visit = offered_visit(offer)
    patient = visit.patient
    channels = patient_channels(patient)
    if not channels:
        return None
    # The visit does not exist yet: its own links would lead nowhere.
    context = {
        name: value
        for name, value in appointment_context(visit, policy=policy_for(visit)).items()
        if not name.endswith("_url")
    }
    if kind == MessageKind.OFFER:
        context |= {"offer_url": offer_url(offer), "hold_minutes": _minutes(hold)}
    [message] = patient_messages_enqueue(
        organization=visit.organization,
        patient=patient,
        notices=[Notice(kind)],
        channel=channels[0],
        context=context,
        topic=Topic(TOPIC_TYPE, str(offer.public_id)),
    )
    return message


def _minutes(hold: datetime.timedelta | None) -> int:
    return max(1, round(hold.total_seconds() / 60)) if hold else 0


# The periodic job


@dataclass
class AdvanceReport:
    offers_expired: int = 0
    offers_made: int = 0
    slots_expired: int = 0
    entries_expired: int = 0


def backfill_advance(*, organization: Organization | None = None) -> AdvanceReport:
    """End offers whose hold ran out and offer their slots to the next batch; expire slots
    whose start came too close and entries whose latest date passed. Idempotent; each slot
    in its own transaction, so one slot's trouble leaves the others done."""
    report = AdvanceReport()
    slots = BackfillSlot.objects.filter(status=BackfillSlotStatus.OPEN)
    if organization is not None:
        slots = slots.filter(organization=organization)
    for slot_id in slots.values_list("pk", flat=True):
        if _slot_will_change(slot_id):
            _advance_slot(slot_id, report)
    report.entries_expired = _entries_expire(organization)
    return report


def _slot_will_change(slot_id: int) -> bool:
    """Whether the sweep has something to do for the slot, found without a transaction.

    A write transaction locks the whole of a SQLite database, and a slot that nobody on the
    waitlist can take stays open, checked every run: a sweep that locked each one in turn
    would hold off every other write (a booking, an audited read) for as long as it runs.
    `_advance_slot` decides again under its lock."""
    slot = (
        BackfillSlot.objects.select_related("organization", "practitioner", "location")
        .filter(pk=slot_id)
        .first()
    )
    if slot is None:
        return False
    now = clock.now()
    if slot.offers.filter(status=OfferStatus.OPEN, expires_at__lte=now).exists():
        return True
    step = _next_step(slot, now, backfill_rules(slot.organization_id))
    return step == _Step.EXPIRE or (step == _Step.OFFER and bool(_candidates(slot, 1)))


@transaction.atomic
def _advance_slot(slot_id: int, report: AdvanceReport) -> None:
    slot = (
        BackfillSlot.objects.select_for_update(of=("self",))
        .select_related("organization", "practitioner", "location")
        .filter(pk=slot_id, status=BackfillSlotStatus.OPEN)
        .first()
    )
    if slot is None:
        return
    overdue = slot.offers.filter(status=OfferStatus.OPEN, expires_at__lte=clock.now())
    report.offers_expired += len(offers_close(list(overdue), status=OfferStatus.EXPIRED))
    report.offers_made += len(backfill_offer_next(slot=slot))
    report.slots_expired += slot.status == BackfillSlotStatus.EXPIRED


def _entries_expire(organization: Organization | None) -> int:
    """Waiting entries whose latest date has passed everywhere (a day ahead of UTC covers
    every zone) leave the list."""
    today = (clock.now() - datetime.timedelta(days=1)).date()
    entries = WaitlistEntry.objects.filter(
        status=WaitlistStatus.WAITING, latest_date__lt=today
    ).select_related("patient")
    if organization is not None:
        entries = entries.filter(organization=organization)
    expired = 0
    for entry in entries:
        with transaction.atomic():
            now = clock.now()
            done = WaitlistEntry.objects.filter(pk=entry.pk, status=WaitlistStatus.WAITING)
            if done.update(status=WaitlistStatus.EXPIRED, closed_at=now, updated_at=now):
                _audit_entries([entry], "expired: its latest date passed")
                expired += 1
    return expired


def _audit_entries(
    entries: list[WaitlistEntry], detail: str, action: str = AuditAction.UPDATE
) -> None:
    by_organization: dict[int, list[AuditTarget]] = {}
    for entry in entries:
        by_organization.setdefault(entry.organization_id, []).append(
            AuditTarget("WaitlistEntry", str(entry.public_id), str(entry.patient.public_id))
        )
    for organization_id, targets in by_organization.items():
        audit_record_many(
            organization_id=organization_id,
            actor=None,
            action=action,
            targets=targets,
            detail=detail,
        )
