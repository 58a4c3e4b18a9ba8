"""The append-only, hash-chained audit log of every access to patient data."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from carebridge.audit.constants import AuditAction, AuditOutcome
from carebridge.audit.models import AuditChainHead, AuditEntry
from carebridge.core import clock, context

GENESIS_HASH = "0" * 64


@dataclass(frozen=True)
class AuditTarget:
    """The object an access touched and, when it holds PHI, the patient it belongs to."""

    object_type: str
    object_ref: str
    patient_ref: str = ""


def compute_entry_hash(entry: AuditEntry) -> str:
    fields = [
        entry.previous_hash,
        str(entry.organization_id),
        str(entry.sequence),
        entry.occurred_at.isoformat(),
        str(entry.actor_id or ""),
        entry.actor_label,
        str(entry.token_id or ""),
        entry.patient_ref,
        entry.object_type,
        entry.object_ref,
        entry.action,
        entry.outcome,
        entry.client_address,
        entry.request_id,
        entry.detail,
    ]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def _locked_head(organization_id: int) -> AuditChainHead:
    # The head row serialises appends per organization, so sequence and chain stay gap-free.
    AuditChainHead.objects.get_or_create(
        organization_id=organization_id, defaults={"last_hash": GENESIS_HASH}
    )
    return AuditChainHead.objects.select_for_update().get(organization_id=organization_id)


@transaction.atomic
def audit_record_many(
    *,
    organization_id: int,
    actor,
    action: str,
    targets: Iterable[AuditTarget],
    outcome: str = AuditOutcome.ALLOWED,
    detail: str = "",
) -> list[AuditEntry]:
    """Append one chained entry per target, in the caller's transaction.

    Call it last in a service: the chain head stays locked until the transaction commits.
    """
    targets = list(targets)
    if not targets:
        return []
    request = context.current()
    head = _locked_head(organization_id)
    occurred_at = clock.now()
    entries = []
    for target in targets:
        entry = AuditEntry(
            organization_id=organization_id,
            sequence=head.last_sequence + 1,
            occurred_at=occurred_at,
            actor=actor if getattr(actor, "pk", None) else None,
            actor_label=_actor_label(actor),
            token_id=request.token_id,
            patient_ref=target.patient_ref,
            object_type=target.object_type,
            object_ref=target.object_ref,
            action=action,
            outcome=outcome,
            client_address=request.client_address,
            request_id=request.request_id,
            detail=detail[:500],
            previous_hash=head.last_hash,
        )
        entry.entry_hash = compute_entry_hash(entry)
        head.last_hash, head.last_sequence = entry.entry_hash, entry.sequence
        entries.append(entry)
    AuditEntry.objects.bulk_create(entries)
    head.save(update_fields=["last_hash", "last_sequence"])
    return entries


def audit_record(
    *,
    organization_id: int,
    actor,
    action: str,
    target: AuditTarget,
    outcome: str = AuditOutcome.ALLOWED,
    detail: str = "",
) -> AuditEntry:
    """Append one entry; see `audit_record_many`."""
    return audit_record_many(
        organization_id=organization_id,
        actor=actor,
        action=action,
        targets=[target],
        outcome=outcome,
        detail=detail,
    )[0]


def audit_denied(*, organization_id: int, actor, object_type: str, object_ref: str) -> None:
    """Record a refused access (an unknown id, or another organization's record).

    The entry goes to the actor's organization, so probing for ids leaves a trace there.
    """
    audit_record(
        organization_id=organization_id,
        actor=actor,
        action=AuditAction.READ,
        target=AuditTarget(object_type, str(object_ref)[:64]),
        outcome=AuditOutcome.DENIED,
    )


def _actor_label(actor) -> str:
    if actor is None or not getattr(actor, "pk", None):
        return "system"
    return actor.get_username()


def audit_verify(*, organization_id: int) -> list[str]:
    """Walk the chain; return a description of each break (empty when intact)."""
    problems = []
    expected_previous, expected_sequence = GENESIS_HASH, 1
    entries = AuditEntry.objects.filter(organization_id=organization_id).order_by("sequence")
    for entry in entries.iterator(chunk_size=2000):
        if entry.sequence != expected_sequence:
            problems.append(f"entry {expected_sequence} is missing (next is {entry.sequence})")
        if entry.previous_hash != expected_previous:
            problems.append(f"entry {entry.sequence} does not follow the entry before it")
        if compute_entry_hash(entry) != entry.entry_hash:
            problems.append(f"entry {entry.sequence} was altered")
        expected_previous, expected_sequence = entry.entry_hash, entry.sequence + 1
    head = AuditChainHead.objects.filter(organization_id=organization_id).first()
    if head and (
        head.last_sequence != expected_sequence - 1 or head.last_hash != expected_previous
    ):
        problems.append("the newest entries were removed or replaced")
    return problems
