"""Visit types and the rules that say when practitioners can be booked (their one-off
changes, time off and extra hours, are in `time_off`)."""

from __future__ import annotations

import datetime

from django.db import transaction

from carebridge.accounts.models import Organization
from carebridge.core.errors import InvalidInput
from carebridge.core.validation import clean_or_raise
from carebridge.directory.models import Location, Practitioner, Specialty
from carebridge.scheduling.constants import PatientKind, RuleKind
from carebridge.scheduling.models import (
    AvailabilityRule,
    ClosedDay,
    VisitType,
)


@transaction.atomic
def visit_type_create(
    *,
    organization: Organization,
    name: str,
    code: str,
    duration_minutes: int,
    buffer_before_minutes: int = 0,
    buffer_after_minutes: int = 0,
    allowed_specialties: list[Specialty] | None = None,
    patient_kind: str = PatientKind.ANY,
    telehealth: bool = False,
    preparation_instructions: str = "",
    colour: str = "#4f7cac",
) -> VisitType:
    """A kind of visit with its length, buffers and who may be booked for it."""
    visit_type = VisitType(
        organization=organization,
        name=name,
        code=code,
        duration_minutes=duration_minutes,
        buffer_before_minutes=buffer_before_minutes,
        buffer_after_minutes=buffer_after_minutes,
        patient_kind=patient_kind,
        telehealth=telehealth,
        preparation_instructions=preparation_instructions,
        colour=colour,
    )
    clean_or_raise(visit_type, exclude=["organization"], validate_unique=False)
    visit_type.save()
    visit_type.allowed_specialties.set(allowed_specialties or [])
    return visit_type


@transaction.atomic
def availability_rule_create(
    *,
    practitioner: Practitioner,
    location: Location,
    weekday: int,
    start_time: datetime.time,
    end_time: datetime.time,
    kind: str = RuleKind.WORKING,
    effective_from: datetime.date | None = None,
    effective_until: datetime.date | None = None,
) -> AvailabilityRule:
    """Weekly hours (or a break) in the location's wall-clock time."""
    if practitioner.organization_id != location.organization_id:
        raise InvalidInput("location: not found", field="location")
    if effective_from and effective_until and effective_until < effective_from:
        raise InvalidInput("effective_until: before effective_from", field="effective_until")
    rule = AvailabilityRule(
        organization_id=practitioner.organization_id,
        practitioner=practitioner,
        location=location,
        weekday=weekday,
        start_time=start_time,
        end_time=end_time,
        kind=kind,
        effective_from=effective_from,
        effective_until=effective_until,
    )
    if end_time <= start_time:
        raise InvalidInput("end_time: must be after start_time", field="end_time")
    clean_or_raise(rule, exclude=["organization", "practitioner", "location"])
    rule.save()
    return rule


@transaction.atomic
def closed_day_create(
    *,
    organization: Organization,
    date: datetime.date,
    reason: str,
    location: Location | None = None,
) -> ClosedDay:
    """Close one location, or the whole clinic, for a day."""
    return ClosedDay.objects.create(
        organization=organization, location=location, date=date, reason=reason
    )
