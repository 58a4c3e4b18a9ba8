"""When two patient records are merged (patients.services.patient_merge), the duplicate's
visits and waitlist entries move to the record kept; when the merge is undone
(patient_unmerge) they move back, with the messages about them."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from carebridge.accounts.models import User
from carebridge.core.errors import Conflict
from carebridge.notifications.services.merge import topic_messages_follow
from carebridge.patients.models import Patient
from carebridge.patients.services import Moved
from carebridge.scheduling.constants import ACTIVE_STATUSES
from carebridge.scheduling.models import Appointment
from carebridge.scheduling.services.appointments import appointment_patient_change
from carebridge.scheduling.services.backfill import TOPIC_TYPE as OFFER_TOPIC
from carebridge.scheduling.services.messages import TOPIC_TYPE as VISIT_TOPIC
from carebridge.scheduling.services.waitlist import waitlist_remove, waitlist_reopen
from carebridge.scheduling.waitlist_constants import OPEN_ENTRY_STATUSES, WaitlistStatus
from carebridge.scheduling.waitlist_models import (
    WaitlistEntry,
    WaitlistEntryClosedInMerge,
    WaitlistOffer,
)


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


def _waitlist_follows(duplicate: Patient, keep: Patient, actor: User | None) -> Moved:
    """Open entries move unless the kept record already waits for that visit type (then
    the duplicate's entry is removed, and recorded as closed by the merge); closed ones move
    as they are."""
    waiting_for = set(
        WaitlistEntry.objects.filter(patient=keep, status__in=OPEN_ENTRY_STATUSES).values_list(
            "visit_type_id", flat=True
        )
    )
    twice = list(
        WaitlistEntry.objects.filter(
            patient=duplicate, status__in=OPEN_ENTRY_STATUSES, visit_type_id__in=waiting_for
        )
    )
    for entry in twice:
        waitlist_remove(entry=entry, actor=actor, reason=f"records merged into {keep.mrn}")
    moving = list(WaitlistEntry.objects.filter(patient=duplicate).values_list("pk", flat=True))
    WaitlistEntry.objects.filter(pk__in=moving).update(patient=keep)
    return {WaitlistEntry: moving, WaitlistEntryClosedInMerge: [entry.pk for entry in twice]}


def _waitlist_follows_back(
    duplicate: Patient, keep: Patient, moved: Moved, actor: User | None
) -> list[int]:
    """The entries the merge moved go back; those it closed are on the list again, in the
    place their joining time gives them."""
    entries = list(
        WaitlistEntry.objects.filter(pk__in=moved.get(WaitlistEntry, []), patient=keep).values_list(
            "pk", flat=True
        )
    )
    WaitlistEntry.objects.filter(pk__in=entries).update(patient=duplicate)
    closed = WaitlistEntry.objects.filter(
        pk__in=moved.get(WaitlistEntryClosedInMerge, []),
        patient=duplicate,
        status=WaitlistStatus.REMOVED,
    ).select_related("patient")
    for entry in closed:
        waitlist_reopen(entry=entry, actor=actor, reason=f"merge into {keep.mrn} undone")
    return entries


def _visits_move(visits, patient: Patient, actor: User | None, reason: str, action: str) -> None:
    for visit in visits.select_related("organization", "patient"):
        appointment_patient_change(
            appointment=visit, patient=patient, actor=actor, reason=reason, action=action
        )


def visits_follow_merge(*, duplicate: Patient, keep: Patient, actor: User | None) -> Moved:
    """The merge handler of scheduling (registered in its AppConfig)."""
    _check_no_visits_at_once(duplicate, keep)
    visits = list(Appointment.objects.filter(patient=duplicate).values_list("pk", flat=True))
    reason = f"records merged: {duplicate.mrn} into {keep.mrn}"
    _visits_move(Appointment.objects.filter(pk__in=visits), keep, actor, reason, "merge")
    return {Appointment: visits} | _waitlist_follows(duplicate, keep, actor)


def visits_follow_unmerge(
    *, duplicate: Patient, keep: Patient, moved: Moved, actor: User | None
) -> None:
    """The undo handler of scheduling: the duplicate's visits and waitlist entries go back
    (those the merge closed are on the list again), and so do the messages about them, those
    written since the merge included (the duplicate's reminders must not reach the other
    person)."""
    visits = Appointment.objects.filter(pk__in=moved.get(Appointment, []), patient=keep)
    visit_ids = [str(public_id) for public_id in visits.values_list("public_id", flat=True)]
    reason = f"merge undone: {duplicate.mrn} is not {keep.mrn}"
    _visits_move(visits, duplicate, actor, reason, "unmerge")
    entries = _waitlist_follows_back(duplicate, keep, moved, actor)
    offer_ids = WaitlistOffer.objects.filter(entry_id__in=entries).values_list(
        "public_id", flat=True
    )
    for topic_type, topic_ids in (
        (VISIT_TOPIC, visit_ids),
        (OFFER_TOPIC, [str(public_id) for public_id in offer_ids]),
    ):
        topic_messages_follow(
            topic_type=topic_type, topic_ids=topic_ids, patient_from=keep, patient_to=duplicate
        )
