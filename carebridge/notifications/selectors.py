"""Reads of the outbox: for the delivery loop's scheduling and for the staff pages."""

from __future__ import annotations

import datetime

from django.db.models import Max

from carebridge.core import clock
from carebridge.notifications.constants import MessageStatus
from carebridge.notifications.models import OutboundMessage


def outbox_has_due() -> bool:
    """Whether a message is waiting to be claimed: due, due for a retry, or left behind by
    a worker whose lease has ended."""
    return OutboundMessage.objects.filter(next_attempt_at__lte=clock.now()).exists()


def outbox_last_lease_end() -> datetime.datetime | None:
    """When the last lease held now runs out (None when no message is being sent)."""
    leased = OutboundMessage.objects.filter(
        next_attempt_at__isnull=False, status=MessageStatus.SENDING
    )
    return leased.aggregate(end=Max("lease_until"))["end"]
