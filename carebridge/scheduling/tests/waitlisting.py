"""Helpers for waitlist tests: waiting patients who can be texted, a booked visit to free,
and the offers and messages that follow."""

from __future__ import annotations

from carebridge.core import clock
from carebridge.notifications.models import OutboundMessage
from carebridge.scheduling.models import WaitlistEntry, WaitlistOffer
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
