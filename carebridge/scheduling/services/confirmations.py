"""The patient says they will come."""

from __future__ import annotations

from django.db import transaction

from carebridge.accounts.models import User
from carebridge.core import clock
from carebridge.core.errors import DomainError, InvalidInput
from carebridge.scheduling.constants import ConfirmationChannel
from carebridge.scheduling.errors import SchedulingErrorCode as Code
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.services.appointments import _record, _snapshot, check_fresh
from carebridge.scheduling.services.messages import UPCOMING_STATUSES


@transaction.atomic
def appointment_confirm(
    *,
    appointment: Appointment,
    via: str,
    actor: User | None = None,
    expected_version: int | None = None,
) -> Appointment:
    """Record that the patient confirmed the visit (`via`: how they said so). A desk that
    confirms what its page shows names that page's version: the patient agreed to that
    time, not to one another page has moved the visit to since (StaleVersion).

    Idempotent: a visit already confirmed keeps its first confirmation and nothing is
    written. Invariant: only a visit still ahead of its lifecycle (proposed, pending,
    booked) can be confirmed. The version stays: confirming changes nothing anyone edits.
    Side effects: history entry "confirm", audit entry.
    """
    if via not in ConfirmationChannel.values:
        raise InvalidInput(f"via: one of {', '.join(ConfirmationChannel.values)}", field="via")
    if appointment.status not in UPCOMING_STATUSES:
        raise DomainError(
            f"status: a {appointment.status} appointment cannot be confirmed",
            code=Code.ILLEGAL_TRANSITION,
            field="status",
        )
    check_fresh(appointment, expected_version)
    now = clock.now()
    # The conditional update makes two confirmations at once (link and text) write once.
    # updated_at moves too: what was worked out from the unconfirmed visit (its no-show
    # risk) is out of date.
    claimed = Appointment.objects.filter(pk=appointment.pk, confirmed_at__isnull=True).update(
        confirmed_at=now, confirmed_via=via, updated_at=now
    )
    if not claimed:
        appointment.refresh_from_db(fields=["confirmed_at", "confirmed_via"])
        return appointment
    before = _snapshot(appointment)
    appointment.confirmed_at, appointment.confirmed_via = now, via
    appointment.updated_at = now
    _record(appointment, actor, "confirm", before, reason=f"confirmed via {via}")
    return appointment
