"""Messages patients send us: kept once per provider id, matched to a clinic and a patient,
and the carrier keywords (STOP, START, HELP) answered here, before anything else reads them.

A text reply's other meanings (confirm, cancel, reschedule) belong to scheduling, which
handles the messages this module leaves with an empty `handled_as`.
"""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from unidecode import unidecode

from carebridge.accounts.models import Organization
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import AuditTarget, audit_record
from carebridge.core import clock
from carebridge.directory.selectors import location_list
from carebridge.notifications.constants import (
    InboundHandling,
    MessageChannel,
    MessageKind,
    MessageStatus,
)
from carebridge.notifications.models import InboundMessage, OutboundMessage
from carebridge.notifications.rendering import message_render
from carebridge.notifications.services.outbox import message_enqueue
from carebridge.patients.models import Patient
from carebridge.patients.services import patient_contact_opt_in, patient_contact_opt_out

# CANCEL is not among the opt-out words although carriers often treat it as one: here it
# cancels a visit.
OPT_OUT_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "END", "QUIT", "PARAR"})
OPT_IN_WORDS = frozenset({"START", "UNSTOP"})
HELP_WORDS = frozenset({"HELP", "INFO", "AYUDA"})
ANSWERS = {
    InboundHandling.OPT_OUT: MessageKind.OPT_OUT_ACK,
    InboundHandling.OPT_IN: MessageKind.OPT_IN_ACK,
    InboundHandling.HELP: MessageKind.HELP,
}
_NOT_A_LETTER = re.compile(r"[^A-Z]")


def keyword_of(body: str) -> str:
    """The carrier keyword a message consists of ("Stop." -> STOP), or "" if it is not one:
    like carriers, only a message that is the keyword alone counts."""
    word = _NOT_A_LETTER.sub("", unidecode(body).upper())
    if word in OPT_OUT_WORDS:
        return InboundHandling.OPT_OUT
    if word in OPT_IN_WORDS:
        return InboundHandling.OPT_IN
    if word in HELP_WORDS:
        return InboundHandling.HELP
    return ""


@transaction.atomic
def inbound_record(
    *, channel: str, from_address: str, to_address: str, body: str, provider_message_id: str
) -> InboundMessage:
    """Keep a message someone sent us, and act on STOP, START and HELP.

    Invariants: one row per (channel, provider id), so a webhook the gateway retries is
    not handled twice: the retry gets the row recorded first. The message is linked to the
    clinic that last texted that number (or, failing that, one that has a patient there)
    and to that patient; a number nobody knows is kept without a clinic.
    Side effects of a keyword: STOP withdraws consent to texts from every patient at the
    number in every clinic (the number we text from is shared); START restores it; each
    is answered once, and HELP is answered with the clinic's name and phone. Other
    messages are left with an empty `handled_as` for scheduling to read.
    """
    from_address = from_address.strip()
    recorded = InboundMessage.objects.filter(
        channel=channel, provider_message_id=provider_message_id
    ).first()
    if recorded is not None:
        return recorded
    organization, patient = _sender(channel, from_address)
    inbound = _create(
        channel=channel,
        from_address=from_address,
        to_address=to_address.strip(),
        body=body,
        provider_message_id=provider_message_id,
        received_at=clock.now(),
        organization=organization,
        patient=patient,
    )
    if inbound.handled_as or channel != MessageChannel.SMS:
        return inbound
    handling = keyword_of(body)
    if handling:
        _apply_keyword(inbound, handling)
    return inbound


def _create(**fields) -> InboundMessage:
    """Insert the row, or return the one a concurrent retry of the same webhook inserted."""
    try:
        with transaction.atomic():
            inbound = InboundMessage.objects.create(**fields)
    except IntegrityError:
        return InboundMessage.objects.get(
            channel=fields["channel"], provider_message_id=fields["provider_message_id"]
        )
    if inbound.patient is not None:
        audit_record(
            organization_id=inbound.organization_id,
            actor=None,
            action=AuditAction.CREATE,
            target=AuditTarget(
                "InboundMessage", str(inbound.public_id), str(inbound.patient.public_id)
            ),
        )
    return inbound


def _sender(channel: str, from_address: str) -> tuple[Organization | None, Patient | None]:
    """The clinic and patient the latest message sent to this address went to; else the
    most recently changed patient with that mobile number; else nobody."""
    last_sent = (
        OutboundMessage.objects.filter(
            channel=channel, to_address=from_address, status=MessageStatus.SENT
        )
        .select_related("organization", "patient")
        .order_by("-sent_at", "-pk")
        .first()
    )
    if last_sent is not None:
        return last_sent.organization, last_sent.patient
    patient = _patients_at(from_address).order_by("-updated_at", "-pk").first()
    return (patient.organization, patient) if patient else (None, None)


def _patients_at(phone: str):
    # Across clinics on purpose: a carrier keyword speaks for the phone, whoever texted it.
    return Patient.objects.filter(phone_mobile=phone).select_related("organization")


def _apply_keyword(inbound: InboundMessage, handling: str) -> None:
    if handling == InboundHandling.OPT_OUT:
        for patient in _one_patient_per_clinic(inbound):
            patient_contact_opt_out(patient=patient, channel=MessageChannel.SMS)
    elif handling == InboundHandling.OPT_IN:
        for patient in _one_patient_per_clinic(inbound, opted_out_only=True):
            patient_contact_opt_in(patient=patient, channel=MessageChannel.SMS)
    InboundMessage.objects.filter(pk=inbound.pk).update(handled_as=handling)
    inbound.handled_as = handling
    if inbound.organization is not None:
        _answer(inbound, ANSWERS[handling])


def _one_patient_per_clinic(inbound: InboundMessage, *, opted_out_only: bool = False):
    """The sender's patient first, then one patient at the number in each other clinic
    (the opt-out services cover the rest of a clinic's patients at the number). START
    restores other clinics only where a patient had opted out."""
    chosen = {inbound.organization_id: inbound.patient} if inbound.patient else {}
    others = _patients_at(inbound.from_address).exclude(organization_id__in=chosen)
    if opted_out_only:
        others = others.filter(sms_opted_out_at__isnull=False)
    for patient in others.order_by("pk"):
        chosen.setdefault(patient.organization_id, patient)
    return list(chosen.values())


def _answer(inbound: InboundMessage, kind: str) -> None:
    organization = inbound.organization
    language = inbound.patient.preferred_language if inbound.patient else "en"
    phones = [location.phone for location in location_list(organization=organization)]
    rendered = message_render(
        organization=organization,
        kind=kind,
        language=language,
        channel=MessageChannel.SMS,
        context={"clinic": organization.name, "clinic_phone": next(filter(None, phones), "")},
    )
    message_enqueue(
        organization=organization,
        kind=kind,
        channel=MessageChannel.SMS,
        to_address=inbound.from_address,
        body_text=rendered.body_text,
        patient=inbound.patient,
        language=language,
    )
