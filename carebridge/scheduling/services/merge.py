"""When two patient records are merged (patients.services.patient_merge), the duplicate's
visits and waitlist entries move to the record kept."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from carebridge.accounts.models import User
from carebridge.core.errors import Conflict
from carebridge.patients.models import Patient
from carebridge.scheduling.constants import ACTIVE_STATUSES
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.services.appointments import appointment_patient_change
from carebridge.scheduling.services.waitlist import waitlist_remove
from carebridge.scheduling.waitlist_constants import OPEN_ENTRY_STATUSES
from carebridge.scheduling.waitlist_models import WaitlistEntry


def _check_no_visits_at_once(duplicate: Patient, keep: Patient) -> None:
    """A patient cannot be at two visits at once: an active visit of each record that
    overlap refuse the merge until the desk cancels one."""
    for visit in Appointment.objects.filter(patient=duplicate, status__in=ACTIVE_STATUSES):
        clash = (
            Appointment.objects.filter(
                patient=keep, status__in=ACTIVE_STATUSES, start__lt=visit.end, end__gt=visit.start
            )
            .select_related("location")
            .first()
        )
        if clash is not None:
            when = clash.start.astimezone(ZoneInfo(clash.location.timezone))
            raise Conflict(
                f"duplicate: both records have a visit at {when:%a %Y-%m-%d %H:%M};"
                " cancel one first",
                field="duplicate",
            )


def _waitlist_follows(duplicate: Patient, keep: Patient, actor: User | None) -> None:
    """Open entries move unless the kept record already waits for that visit type (then
    the duplicate's entry is removed); closed ones move as they are."""
    waiting_for = set(
        WaitlistEntry.objects.filter(patient=keep, status__in=OPEN_ENTRY_STATUSES).values_list(
            "visit_type_id", flat=True
        )
    )
    twice = WaitlistEntry.objects.filter(
        patient=duplicate, status__in=OPEN_ENTRY_STATUSES, visit_type_id__in=waiting_for
    )
    for entry in twice:
        waitlist_remove(entry=entry, actor=actor, reason=f"records merged into {keep.mrn}")
    WaitlistEntry.objects.filter(patient=duplicate).update(patient=keep)


def visits_follow_merge(*, duplicate: Patient, keep: Patient, actor: User | None) -> None:
    """The merge handler of scheduling (registered in its AppConfig)."""
    _check_no_visits_at_once(duplicate, keep)
    for visit in Appointment.objects.filter(patient=duplicate).select_related(
        "organization", "patient"
    ):
        appointment_patient_change(
            appointment=visit,
            patient=keep,
            actor=actor,
            reason=f"records merged: {duplicate.mrn} into {keep.mrn}",
        )
    _waitlist_follows(duplicate, keep, actor)
