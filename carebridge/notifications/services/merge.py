"""When two patient records are merged (patients.services.patient_merge), the messages to
and from the duplicate belong to the record kept: its page lists them all. When the merge
is undone (patient_unmerge), they go back."""

from __future__ import annotations

from carebridge.accounts.models import User
from carebridge.notifications.models import InboundMessage, OutboundMessage
from carebridge.patients.models import Patient
from carebridge.patients.services import Moved

MESSAGE_MODELS = (OutboundMessage, InboundMessage)


def messages_follow_merge(*, duplicate: Patient, keep: Patient, actor: User | None) -> Moved:
    """The merge handler of notifications (registered in its AppConfig). Messages still
    queued keep their address here; the merge then runs the kept record's contact-change
    handlers, which send them where the kept record can be reached."""
    moved: Moved = {}
    for model in MESSAGE_MODELS:
        moved[model] = list(model.objects.filter(patient=duplicate).values_list("pk", flat=True))
        model.objects.filter(pk__in=moved[model]).update(patient=keep)
    return moved


def messages_follow_unmerge(
    *, duplicate: Patient, keep: Patient, moved: Moved, actor: User | None
) -> None:
    """The undo handler of notifications: the messages the merge moved go back; the contact-
    change handlers, run for both records afterwards, readdress what is still queued."""
    for model in MESSAGE_MODELS:
        model.objects.filter(pk__in=moved.get(model, []), patient=keep).update(patient=duplicate)


def topic_messages_follow(
    *, topic_type: str, topic_ids: list[str], patient_from: Patient, patient_to: Patient
) -> None:
    """The messages of one record about these topics (visits, offers) belong to another."""
    for model in MESSAGE_MODELS:
        model.objects.filter(
            patient=patient_from, topic_type=topic_type, topic_id__in=topic_ids
        ).update(patient=patient_to)
