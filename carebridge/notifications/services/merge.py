"""When two patient records are merged (patients.services.patient_merge), the messages to
and from the duplicate belong to the record kept: its page lists them all."""

from __future__ import annotations

from carebridge.accounts.models import User
from carebridge.notifications.models import InboundMessage, OutboundMessage
from carebridge.patients.models import Patient


def messages_follow_merge(*, duplicate: Patient, keep: Patient, actor: User | None) -> None:
    """The merge handler of notifications (registered in its AppConfig). Messages still
    queued keep their address here; the merge then runs the kept record's contact-change
    handlers, which send them where the kept record can be reached."""
    OutboundMessage.objects.filter(patient=duplicate).update(patient=keep)
    InboundMessage.objects.filter(patient=duplicate).update(patient=keep)
