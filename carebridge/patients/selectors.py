"""Reads of patient records, scoped to one organization and written to the audit log."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from django.db.models import Q, QuerySet

from carebridge.accounts.models import Organization, User
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import (
    AuditTarget,
    audit_denied,
    audit_record,
    audit_record_many,
)
from carebridge.core.errors import NotFound
from carebridge.core.selectors import get_in_organization
from carebridge.patients.models import Patient, PatientIdentifier
from carebridge.patients.services import digits_only, fold_text


@dataclass(frozen=True)
class PatientQuery:
    """Search criteria; every given criterion must match. Text terms match name prefixes."""

    text: str = ""
    name: str = ""
    given: str = ""
    family: str = ""
    birth_date: datetime.date | None = None
    phone: str = ""
    email: str = ""
    sex: str = ""
    mrn: str = ""
    identifier_system: str = ""
    identifier_value: str = ""
    public_ids: tuple[uuid.UUID, ...] = ()
    include_inactive: bool = True


def _scoped(organization: Organization) -> QuerySet[Patient]:
    return Patient.objects.filter(organization=organization)


def _name_prefix(term: str) -> Q:
    folded = fold_text(term)
    return Q(search_family__startswith=folded) | Q(search_given__startswith=folded)


def _text_filter(text: str) -> Q:
    """Free text as a coordinator types it: names, an MRN, a phone number or a birth date."""
    condition = Q()
    for term in text.split():
        try:
            born = datetime.date.fromisoformat(term)
        except ValueError:
            born = None
        term_condition = _name_prefix(term) | Q(mrn__iexact=term)
        if born:
            term_condition |= Q(birth_date=born)
        digits = digits_only(term)
        if len(digits) >= 4 and len(digits) >= len(term) - 4:
            term_condition |= Q(search_phone__contains=digits)
        condition &= term_condition
    return condition


def _query_filter(query: PatientQuery) -> Q:
    condition = _text_filter(query.text)
    for term in query.name.split():
        condition &= _name_prefix(term)
    if query.given:
        condition &= Q(search_given__startswith=fold_text(query.given))
    if query.family:
        condition &= Q(search_family__startswith=fold_text(query.family))
    if query.birth_date:
        condition &= Q(birth_date=query.birth_date)
    if query.phone:
        condition &= Q(search_phone__contains=digits_only(query.phone))
    if query.email:
        condition &= Q(email__iexact=query.email)
    if query.sex:
        condition &= Q(sex=query.sex)
    if query.mrn:
        condition &= Q(mrn__iexact=query.mrn)
    if query.identifier_value:
        identifier = Q(identifiers__value=query.identifier_value)
        if query.identifier_system:
            identifier &= Q(identifiers__system=query.identifier_system)
        condition &= identifier | Q(mrn=query.identifier_value)
    if query.public_ids:
        condition &= Q(public_id__in=query.public_ids)
    if not query.include_inactive:
        condition &= Q(active=True)
    return condition


def patient_search(
    *,
    organization: Organization,
    actor: User | None,
    query: PatientQuery,
    limit: int = 20,
    offset: int = 0,
    with_total: bool = False,
) -> tuple[list[Patient], int | None]:
    """Matching patients in name order, and the total count when asked.

    Every patient returned gets a `query` audit entry.
    """
    queryset = _scoped(organization).filter(_query_filter(query)).distinct()
    patients = list(
        queryset.order_by("search_family", "search_given", "id")[offset : offset + limit]
    )
    total = queryset.count() if with_total else None
    audit_record_many(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.QUERY,
        targets=[_target(patient) for patient in patients],
    )
    return patients, total


def access_patient(
    *, organization: Organization, actor: User | None, public_id: uuid.UUID | str
) -> Patient:
    """One patient by public id, or NotFound (also for another organization's patient)."""
    try:
        patient = get_in_organization(Patient.objects.all(), organization, public_id)
    except NotFound:
        audit_denied(
            organization_id=organization.pk,
            actor=actor,
            object_type="Patient",
            object_ref=str(public_id),
        )
        raise
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.READ,
        target=_target(patient),
    )
    return patient


def patient_by_mrn(*, organization: Organization, mrn: str) -> Patient:
    """For commands that name a patient by MRN; no audit (the caller audits what it shows)."""
    try:
        return _scoped(organization).get(mrn=mrn)
    except Patient.DoesNotExist as error:
        raise NotFound("patient not found") from error


def _target(patient: Patient) -> AuditTarget:
    return AuditTarget("Patient", str(patient.public_id), str(patient.public_id))


def patient_match_candidates(
    *,
    organization: Organization,
    mrns: Collection[str],
    identifiers: Collection[tuple[str, str]],
) -> list[Patient]:
    """Patients holding any of these MRNs or (system, value) ids, with their identifiers
    loaded: what an import matches a batch of records against. No audit: nothing is shown,
    and the import's creates and updates are audited by their services."""
    wanted = set(identifiers)
    owners = PatientIdentifier.objects.filter(
        organization=organization, value__in={value for _, value in wanted}
    ).values_list("patient_id", "system", "value")
    owner_ids = {patient_id for patient_id, *pair in owners if tuple(pair) in wanted}
    matches = _scoped(organization).filter(Q(mrn__in=set(mrns)) | Q(pk__in=owner_ids))
    return list(matches.prefetch_related("identifiers").order_by("id"))
