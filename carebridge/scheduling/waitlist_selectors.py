"""Reads of the waitlist and of the backfill of freed slots, scoped to one organization;
patients shown are audited."""

from __future__ import annotations

import datetime
import statistics
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Case, F, IntegerField, Q, QuerySet, Value, When

from carebridge.accounts.models import Organization, User
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import (
    AuditTarget,
    audit_record,
    audit_record_many,
    get_or_audit_denied,
)
from carebridge.core import clock
from carebridge.scheduling.models import (
    BackfillSlot,
    WaitlistEntry,
    WaitlistOffer,
    WaitlistPolicy,
)
from carebridge.scheduling.waitlist_constants import (
    PRIORITY_ORDER,
    BackfillSlotStatus,
    OfferStatus,
)


@dataclass(frozen=True)
class WaitlistQuery:
    """Criteria that must all match; empty means any."""

    statuses: tuple[str, ...] = ()
    visit_type_id: int | None = None
    patient_id: int | None = None


def _entries() -> QuerySet[WaitlistEntry]:
    return WaitlistEntry.objects.select_related(
        "patient", "visit_type", "practitioner", "specialty", "location", "appointment"
    )


def _target(entry: WaitlistEntry) -> AuditTarget:
    return AuditTarget("WaitlistEntry", str(entry.public_id), str(entry.patient.public_id))


def priority_rank() -> Case:
    """Orders entries the way offers go out: urgent first."""
    return Case(
        *(When(priority=value, then=Value(index)) for index, value in enumerate(PRIORITY_ORDER)),
        output_field=IntegerField(),
    )


def waitlist_entry_list(
    *,
    organization: Organization,
    actor: User | None,
    query: WaitlistQuery,
    limit: int = 100,
    offset: int = 0,
) -> tuple[list[WaitlistEntry], int]:
    """Matching entries in the order offers go out (priority, then time waiting), with the
    total; each one shown is audited as a query result."""
    condition = Q(organization=organization)
    if query.statuses:
        condition &= Q(status__in=query.statuses)
    if query.visit_type_id is not None:
        condition &= Q(visit_type_id=query.visit_type_id)
    if query.patient_id is not None:
        condition &= Q(patient_id=query.patient_id)
    queryset = _entries().filter(condition)
    entries = list(queryset.order_by(priority_rank(), "joined_at", "pk")[offset : offset + limit])
    audit_record_many(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.QUERY,
        targets=[_target(entry) for entry in entries],
    )
    return entries, queryset.count()


def access_waitlist_entry(
    *, organization: Organization, actor: User | None, public_id: uuid.UUID | str
) -> WaitlistEntry:
    """One entry, or NotFound (also for another organization's). Audited as a read."""
    entry = get_or_audit_denied(
        _entries(),
        organization=organization,
        actor=actor,
        public_id=public_id,
        object_type="WaitlistEntry",
    )
    audit_record(
        organization_id=organization.pk, actor=actor, action=AuditAction.READ, target=_target(entry)
    )
    return entry


def offers_in_flight(*, organization: Organization, actor: User | None) -> list[WaitlistOffer]:
    """Open offers, the ones ending soonest first; each patient shown audited."""
    offers = list(
        WaitlistOffer.objects.filter(organization=organization, status=OfferStatus.OPEN)
        .select_related(
            "entry__patient", "entry__visit_type", "slot__practitioner", "slot__location"
        )
        .order_by("expires_at", "pk")
    )
    audit_record_many(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.QUERY,
        targets=[_target(offer.entry) for offer in offers],
        detail="waitlist offers in flight",
    )
    return offers


def backfill_slots_recent(
    *, organization: Organization, since: datetime.datetime, limit: int = 50
) -> list[BackfillSlot]:
    """Slots freed since `since`, newest first, with the visit booked into each (its
    patient is not shown, so nothing is audited)."""
    return list(
        BackfillSlot.objects.filter(organization=organization, freed_at__gte=since)
        .select_related("practitioner", "location", "appointment__visit_type")
        .order_by("-freed_at", "-pk")[:limit]
    )


def backfill_slots_open_freed_before(
    *, organization: Organization, moment: datetime.datetime
) -> list[BackfillSlot]:
    """The organization's slots still open that were freed before `moment`, in the order
    they were freed."""
    return list(
        BackfillSlot.objects.filter(
            organization=organization, status=BackfillSlotStatus.OPEN, freed_at__lt=moment
        )
        .select_related("organization", "practitioner", "location", "freed_by")
        .order_by("freed_at", "pk")
    )


@dataclass(frozen=True)
class FillStats:
    """What became of the slots freed in a period. The rate counts only decided slots
    (filled or expired), so slots still being offered do not lower it."""

    freed: int
    filled: int
    expired: int
    open: int
    fill_rate: float | None
    median_time_to_fill: datetime.timedelta | None
    mean_time_to_fill: datetime.timedelta | None

    @property
    def median_minutes_to_fill(self) -> int | None:
        median = self.median_time_to_fill
        return None if median is None else round(median.total_seconds() / 60)


def backfill_slot_rows(
    *,
    organization: Organization,
    start: datetime.datetime,
    end: datetime.datetime,
    location_id: int | None = None,
) -> list[dict]:
    """The slots freed in [start, end) as plain rows for grouping (the metrics page groups
    them like visits): start (the slot's), practitioner_id, location_id, visit_type_id (of
    the visit that freed it), status, freed_at, filled_at."""
    slots = BackfillSlot.objects.filter(
        organization=organization, freed_at__gte=start, freed_at__lt=end
    )
    if location_id is not None:
        slots = slots.filter(location_id=location_id)
    return list(
        slots.annotate(visit_type_id=F("freed_by__visit_type_id")).values(
            "start",
            "practitioner_id",
            "location_id",
            "visit_type_id",
            "status",
            "freed_at",
            "filled_at",
        )
    )


def fill_stats_of(rows: Iterable[dict]) -> FillStats:
    """Counts, fill rate and time to fill (freed -> filled) of slot rows."""
    rows = list(rows)
    counts = dict.fromkeys(BackfillSlotStatus.values, 0)
    for row in rows:
        counts[row["status"]] += 1
    waits = [
        row["filled_at"] - row["freed_at"]
        for row in rows
        if row["status"] == BackfillSlotStatus.FILLED and row["filled_at"]
    ]
    decided = counts[BackfillSlotStatus.FILLED] + counts[BackfillSlotStatus.EXPIRED]
    return FillStats(
        freed=len(rows),
        filled=counts[BackfillSlotStatus.FILLED],
        expired=counts[BackfillSlotStatus.EXPIRED],
        open=counts[BackfillSlotStatus.OPEN],
        fill_rate=counts[BackfillSlotStatus.FILLED] / decided if decided else None,
        median_time_to_fill=statistics.median(waits) if waits else None,
        mean_time_to_fill=sum(waits, datetime.timedelta()) / len(waits) if waits else None,
    )


def waitlist_fill_stats(
    *,
    organization: Organization,
    start: datetime.datetime,
    end: datetime.datetime,
    practitioner_id: int | None = None,
    location_id: int | None = None,
    visit_type_id: int | None = None,
) -> FillStats:
    """Fill rate and time to fill of the slots freed in [start, end), optionally of one
    practitioner, location, or visit type (of the visit that freed it)."""
    wanted = {"practitioner_id": practitioner_id, "visit_type_id": visit_type_id}
    rows = backfill_slot_rows(
        organization=organization, start=start, end=end, location_id=location_id
    )
    return fill_stats_of(
        row
        for row in rows
        if all(value is None or row[name] == value for name, value in wanted.items())
    )


def backfill_work_due() -> bool:
    """Whether the periodic job has anything to do: an open slot that is not being offered
    (no open offer, or only offers whose hold ran out), or an open slot too close to start
    (checked by the job itself, so any open slot without live offers counts)."""
    live = WaitlistOffer.objects.filter(status=OfferStatus.OPEN, expires_at__gt=clock.now())
    return (
        BackfillSlot.objects.filter(status=BackfillSlotStatus.OPEN)
        .exclude(pk__in=live.values("slot_id"))
        .exists()
    )


def waitlist_policy(*, organization_id: int) -> WaitlistPolicy:
    """The clinic's waitlist policy; without a row, an unsaved one with the defaults."""
    found = WaitlistPolicy.objects.filter(organization_id=organization_id).first()
    return found or WaitlistPolicy(organization_id=organization_id)
