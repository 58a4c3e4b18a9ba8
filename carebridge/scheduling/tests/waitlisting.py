"""Helpers for waitlist tests: waiting patients who can be texted, a booked visit to free,
and the offers and messages that follow."""

from __future__ import annotations

import datetime

from carebridge.core import clock
from carebridge.notifications.models import OutboundMessage
from carebridge.scheduling.models import BackfillSlot, WaitlistEntry, WaitlistOffer
from carebridge.scheduling.services.backfill import TOPIC_TYPE
from carebridge.scheduling.services.waitlist import waitlist_add
from carebridge.scheduling.tests.messaging import reachable_patient


def waiting(
    clinic, number: int, *, visit_type=None, patient_fields=None, **preferences
) -> WaitlistEntry:
    """Patient number `number` (own phone, MRN and email) waiting for the clinic's visit."""
    patient = reachable_patient(
        clinic.organization,
        mrn=f"W-{number}",
        given_name=f"Wait{number}",
        phone_mobile=f"+1 617 555 {1000 + number}",
        email=f"wait{number}@example.org",
        **(patient_fields or {}),
    )
    return waitlist_add(
        organization=clinic.organization,
        actor=None,
        patient=patient,
        visit_type=visit_type or clinic.visit_type,
        **preferences,
    )


def offers_of(entry: WaitlistEntry) -> list[WaitlistOffer]:
    return list(WaitlistOffer.objects.filter(entry=entry).order_by("pk"))


def offer_messages(offer: WaitlistOffer, **filters) -> list[OutboundMessage]:
    return list(
        OutboundMessage.objects.filter(
            topic_type=TOPIC_TYPE, topic_id=str(offer.public_id), **filters
        ).order_by("pk")
    )


def mark_sent(*messages: OutboundMessage) -> None:
    """As if the worker had delivered them a moment ago."""
    for message in messages:
        OutboundMessage.objects.filter(pk=message.pk).update(
            status="sent",
            sent_at=clock.now(),
            next_attempt_at=None,
        )


def freed_slot(clinic, freed_at, status, minutes_to_fill=None, organization=None) -> BackfillSlot:
    """A slot freed at `freed_at` (its visit two days later) with the outcome `status`,
    filled `minutes_to_fill` after it was freed; written directly, for figures over time."""
    return BackfillSlot.objects.create(
        organization=organization or clinic.organization,
        practitioner=clinic.practitioner,
        location=clinic.location,
        start=freed_at + datetime.timedelta(days=2),
        freed_start=freed_at + datetime.timedelta(days=2),
        freed_end=freed_at + datetime.timedelta(days=2, minutes=30),
        freed_at=freed_at,
        status=status,
        filled_at=freed_at + datetime.timedelta(minutes=minutes_to_fill)
        if minutes_to_fill is not None
        else None,
    )
