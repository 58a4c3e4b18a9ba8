"""Reads of a clinic's reminder policy: its own and the visit types' overrides."""

from __future__ import annotations

from django.db.models import QuerySet

from carebridge.accounts.models import Organization
from carebridge.scheduling.models import ReminderPolicy, VisitType


def _policies(organization: Organization) -> QuerySet[ReminderPolicy]:
    return ReminderPolicy.objects.filter(organization=organization).prefetch_related("offsets")


def reminder_policy_of(
    *, organization: Organization, visit_type: VisitType | None = None
) -> ReminderPolicy | None:
    """The organization's policy (no visit type) or a visit type's override, if set."""
    return _policies(organization).filter(visit_type=visit_type).first()


def reminder_policy_overrides(*, organization: Organization) -> list[ReminderPolicy]:
    """The visit types' own policies, by visit type name."""
    overrides = _policies(organization).filter(visit_type__isnull=False)
    return list(overrides.select_related("visit_type").order_by("visit_type__name"))
