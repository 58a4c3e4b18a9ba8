"""Reads of the audit log, for reports and the chain check."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import QuerySet

from carebridge.accounts.models import Organization
from carebridge.audit.models import AuditEntry


@dataclass(frozen=True)
class AuditQuery:
    """Report criteria; every given criterion must match. `until` is exclusive; an entry
    matches `patient_refs` when it is about any of them."""

    patient_refs: tuple[str, ...] = ()
    username: str = ""
    since: datetime.datetime | None = None
    until: datetime.datetime | None = None


def audit_entry_list(*, organization: Organization, query: AuditQuery) -> QuerySet[AuditEntry]:
    """The organization's matching entries in the order they were appended."""
    entries = AuditEntry.objects.filter(organization=organization)
    if query.patient_refs:
        entries = entries.filter(patient_ref__in=query.patient_refs)
    if query.username:
        # The label is the username as it was when the entry was written, which is what
        # an auditor asks about even if the account was renamed since.
        entries = entries.filter(actor_label=query.username)
    if query.since:
        entries = entries.filter(occurred_at__gte=query.since)
    if query.until:
        entries = entries.filter(occurred_at__lt=query.until)
    return entries.order_by("sequence")
