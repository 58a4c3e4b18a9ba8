"""Reads of patient records, scoped to one organization and written to the audit log."""

from __future__ import annotations

import datetime
import functools
import operator
import re
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Count, Q, QuerySet

from carebridge.accounts.models import Organization, User
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import (
    AuditTarget,
    audit_record,
    audit_record_many,
    get_or_audit_denied,
)
from carebridge.core.errors import NotFound
from carebridge.core.selectors import NOTHING, NameMatch, one_of_each
from carebridge.core.text import fold_text
from carebridge.patients.models import Patient, PatientIdentifier, PatientMerge
from carebridge.patients.services import digits_only, patient_standing_merge


@dataclass(frozen=True)
class PatientQuery:
    """Search criteria; every given criterion must match. Text terms match name prefixes.

    `one_of_each` adds groups of queries of which one in every group must match, for
    searches that offer alternatives and name a criterion more than once.
    """

    text: str = ""
    name: str = ""
    given: str = ""
    family: str = ""
    birth_date: datetime.date | None = None
    phone: str = ""
    email: str = ""
    sex: str = ""
    mrn: str = ""  # in any case, as the desk types it
    mrn_exact: str = ""  # as written, as an identifier is matched
    # How `name`, `given` and `family` match.
    name_match: NameMatch = NameMatch.START
    # An identifier held: this value (any, when blank) in this system (any system, the MRN
    # included, when None; "" is no system at all). The MRN is in no stored system.
    identifier_system: str | None = None
    identifier_value: str = ""
    public_ids: tuple[uuid.UUID, ...] = ()
    # Ways to reach the patient (CONTACTS) the record has no value for, or has one for.
    missing: tuple[str, ...] = ()
    present: tuple[str, ...] = ()
    include_inactive: bool = True
    include_merged: bool = True
    one_of_each: tuple[tuple[PatientQuery, ...], ...] = ()


def _identifier_held(system: str | None, value: str) -> Q:
    holders = PatientIdentifier.objects.all()
    if value:
        holders = holders.filter(value=value)
    if system is not None:
        holders = holders.filter(system=system)
    held = Q(pk__in=holders.values("patient_id"))
    return held | Q(mrn=value) if system is None else held


def _scoped(organization: Organization) -> QuerySet[Patient]:
    return Patient.objects.filter(organization=organization)


def _prefix(field: str, value: str) -> Q:
    """Starts-with as an index range (the LIKE that startswith makes cannot use an index on
    either database), kept exact by the startswith itself."""
    upper_bound = value[:-1] + chr(ord(value[-1]) + 1)
    return Q(**{f"{field}__gte": value, f"{field}__lt": upper_bound, f"{field}__startswith": value})


def _name_prefix(term: str) -> Q:
    folded = fold_text(term)
    if not folded:
        return Q()
    return _prefix("search_family", folded) | _given_prefix(folded)


def _given_prefix(folded: str) -> Q:
    return _prefix("search_given", folded) | _prefix("search_middle", folded)


def _name_words(words: list[str], *, or_mrn: bool = False) -> Q:
    """Words of a name: each a prefix of a family, given or middle name (or, with `or_mrn`,
    an MRN); or, read together, given names then family names or the other way round, as
    in "Uriel de la Torre", "Maria Elena Tafoya" or "Florez Ruben" (names of several
    words, which word by word match only from their first)."""
    each, starts = [], None
    for word in words:
        alternatives = _name_prefix(word)
        if or_mrn:
            alternatives |= Q(mrn__in={word, word.upper()})
        if alternatives:  # a word of punctuation alone asks nothing
            each.append(alternatives)
        if starts is None and fold_text(word):
            starts = alternatives
    folded = [word for word in map(fold_text, words) if word]
    if len(folded) < 2:
        return functools.reduce(operator.and_, each, Q())
    # The first word starts a given, middle or family name (or is an MRN) however the words
    # are read: said first, it is a plain OR of index ranges that SQLite answers from the
    # indexes (it scans every patient for an OR around an AND of ORs, and cannot tell a
    # rare word from a common one), while PostgreSQL still starts from the rarest word.
    return starts & (functools.reduce(operator.and_, each) | _name_read_together(folded))


def _name_read_together(folded: list[str]) -> Q:
    """Given names then family names or the other way round, split after any word, or the
    whole phrase as one name. A split into two single words is left out: the words one by
    one match it already."""
    together = _prefix("search_family", " ".join(folded)) | _prefix(
        "search_given", " ".join(folded)
    )
    for split in range(1, len(folded)):
        if split == 1 and len(folded) == 2:
            continue
        first, rest = " ".join(folded[:split]), " ".join(folded[split:])
        together |= _prefix("search_given", first) & _prefix("search_family", rest)
        together |= _prefix("search_family", first) & _prefix("search_given", rest)
    return together


def _parse_birth_date(term: str) -> datetime.date | None:
    for pattern in ("%Y-%m-%d", "%m/%d/%Y"):
        try:
            return datetime.datetime.strptime(term, pattern).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def _phone_prefix(digits: str) -> Q:
    """Phone numbers are searched by their national number, from the area code on."""
    national = digits[1:] if len(digits) == 11 and digits.startswith("1") else digits
    return _prefix("search_phone", national)


# The column that is blank when a record has no way of this kind to reach the patient: the
# searched phone is the mobile number, else the home one.
CONTACTS = {"email": "email", "phone": "search_phone"}

PHONE_TEXT = re.compile(r"[\d\s()+.\-]+")


def _text_filter(text: str) -> Q:
    """Free text as a coordinator types it: each word is a name prefix, an MRN, a birth date
    (2001-02-03 or 02/03/2001) or a phone number; every word must match. A phone number may
    be typed with spaces, so text of digits and phone punctuation alone is one number."""
    text = text.strip()
    if PHONE_TEXT.fullmatch(text) and digits_only(text) and not _parse_birth_date(text):
        return _phone_prefix(digits_only(text)) | Q(mrn=text)
    condition, names = Q(), []
    for term in text.replace(",", " ").split():
        mrn = Q(mrn__in={term, term.upper()})
        born = _parse_birth_date(term)
        if born:
            condition &= Q(birth_date=born) | mrn
        elif PHONE_TEXT.fullmatch(term) and len(digits_only(term)) >= 3:
            condition &= _phone_prefix(digits_only(term)) | mrn
        else:
            names.append(term)
    return condition & _name_words(names, or_mrn=True)


def _names(query: PatientQuery) -> Q:
    """`name` (a given, middle or family name), `given` (a given or middle name) and
    `family`, matched as `name_match` says."""
    if query.name_match == NameMatch.EXACT:
        return _exact_names(query)
    if query.name_match == NameMatch.CONTAINS:
        return _names_containing(query)
    condition = _name_words(query.name.replace(",", " ").split())
    if fold_text(query.given):
        condition &= _given_prefix(fold_text(query.given))
    if fold_text(query.family):
        condition &= _prefix("search_family", fold_text(query.family))
    return condition


def _exact_names(query: PatientQuery) -> Q:
    condition = Q()
    if query.name:
        named = Q(family_name=query.name) | Q(given_name=query.name)
        condition &= named | Q(middle_name=query.name)
    if query.given:
        condition &= Q(given_name=query.given) | Q(middle_name=query.given)
    if query.family:
        condition &= Q(family_name=query.family)
    return condition


def _names_containing(query: PatientQuery) -> Q:
    name, given, family = map(fold_text, (query.name, query.given, query.family))
    condition = Q()
    if name:
        condition &= Q(search_family__contains=name) | _given_containing(name)
    if given:
        condition &= _given_containing(given)
    if family:
        condition &= Q(search_family__contains=family)
    return condition


def _given_containing(folded: str) -> Q:
    return Q(search_given__contains=folded) | Q(search_middle__contains=folded)


def _query_filter(query: PatientQuery) -> Q:
    condition = _text_filter(query.text)
    condition &= _names(query)
    if query.birth_date:
        condition &= Q(birth_date=query.birth_date)
    if query.phone.strip():
        digits = digits_only(query.phone)
        condition &= _phone_prefix(digits) if digits else NOTHING
    if query.email:
        condition &= Q(email__iexact=query.email)
    if query.sex:
        condition &= Q(sex=query.sex)
    if query.mrn:
        condition &= Q(mrn__iexact=query.mrn)
    if query.mrn_exact:
        condition &= Q(mrn=query.mrn_exact)
    if query.identifier_value or query.identifier_system is not None:
        condition &= _identifier_held(query.identifier_system, query.identifier_value)
    if query.public_ids:
        condition &= Q(public_id__in=query.public_ids)
    for contact in query.missing:
        condition &= Q(**{CONTACTS[contact]: ""})
    for contact in query.present:
        condition &= ~Q(**{CONTACTS[contact]: ""})
    condition &= one_of_each(map(_query_filter, group) for group in query.one_of_each)
    if not query.include_inactive:
        condition &= Q(active=True)
    if not query.include_merged:
        condition &= Q(merged_into=None)
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
    queryset = _scoped(organization).filter(_query_filter(query))
    patients = list(_in_name_order(queryset)[offset : offset + limit])
    total = queryset.count() if with_total else None
    _audit_shown(organization, actor, patients)
    return patients, total


def patient_possible_duplicates(
    *,
    organization: Organization,
    actor: User | None,
    given_name: str,
    family_name: str,
    birth_date: datetime.date,
    limit: int = 5,
) -> list[Patient]:
    """Records the person about to be registered may already have: born the same day, with
    the same given and family names in any case and with or without accents. A merged
    record is left out (the one it was merged into stands for it). Each one shown gets a
    `query` audit entry."""
    same_person = Q(
        birth_date=birth_date,
        search_given=fold_text(given_name),
        search_family=fold_text(family_name),
        merged_into=None,
    )
    patients = list(_in_name_order(_scoped(organization).filter(same_person))[:limit])
    _audit_shown(organization, actor, patients)
    return patients


def _in_name_order(patients: QuerySet[Patient]) -> QuerySet[Patient]:
    return patients.order_by("search_family", "search_given", "id")


def _audit_shown(organization: Organization, actor: User | None, patients: list[Patient]) -> None:
    audit_record_many(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.QUERY,
        targets=[_target(patient) for patient in patients],
    )


def access_patient(
    *, organization: Organization, actor: User | None, public_id: uuid.UUID | str
) -> Patient:
    """One patient by public id, or NotFound (also for another organization's patient)."""
    patient = patient_reference(organization=organization, actor=actor, public_id=public_id)
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.READ,
        target=_target(patient),
    )
    return patient


def patient_reference(
    *, organization: Organization, actor: User | None, public_id: uuid.UUID | str
) -> Patient:
    """A patient named by a write (a booking, a filter) whose own audit entry names them, so
    no separate read entry; an unknown or other organization's id is audited as denied."""
    return get_or_audit_denied(
        Patient.objects.all(),
        organization=organization,
        actor=actor,
        public_id=public_id,
        object_type="Patient",
    )


def patient_by_mrn_or_id(*, organization: Organization, identifier: str) -> Patient:
    """For commands that name a patient by MRN or public id; no audit (the caller audits
    what it shows)."""
    found = _scoped(organization).filter(mrn=identifier).first()
    if found is None and _is_uuid(identifier):
        found = _scoped(organization).filter(public_id=identifier).first()
    if found is None:
        raise NotFound(f"patient: no patient with MRN or id {identifier!r}", field="patient")
    return found


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def patient_merged_records(*, patient: Patient) -> list[Patient]:
    """The records merged into this one, then those merged into them in turn, and so on;
    no audit (for reports that show their history with the patient's)."""
    found: list[Patient] = []
    level = [patient.pk]
    while level:
        merged = list(
            Patient.objects.filter(organization_id=patient.organization_id, merged_into__in=level)
            .exclude(pk__in=[patient.pk, *(record.pk for record in found)])
            .order_by("mrn")
        )
        found += merged
        level = [record.pk for record in merged]
    return found


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


@dataclass(frozen=True)
class MergeUndoPreview:
    """What undoing a merge would do, for the page that asks to confirm it."""

    merge: PatientMerge
    moved_back: list[tuple[str, int]]  # (kind of row, how many): e.g. ("appointments", 2)
    blanked: list[tuple[str, str]]  # (field, value) the kept record gives up
    stays: list[tuple[str, str]]  # (field, value) filled by the merge, changed since


def patient_merge_undo_preview(*, duplicate: Patient) -> MergeUndoPreview:
    """What undoing the merge of this record gives back to it and takes from the kept one;
    Conflict when it is not merged (or was merged before merges were recorded)."""
    merge = patient_standing_merge(duplicate=duplicate)
    counts = merge.moves.values("content_type").annotate(rows=Count("pk")).order_by("content_type")
    moved_back = []
    for row in counts:
        meta = ContentType.objects.get_for_id(row["content_type"]).model_class()._meta
        name = meta.verbose_name if row["rows"] == 1 else meta.verbose_name_plural
        moved_back.append((str(name), row["rows"]))
    blanked, stays = [], []
    for fill in merge.fills.order_by("pk"):
        label = str(Patient._meta.get_field(fill.field).verbose_name).capitalize()
        (blanked if fill.stands_on(merge.keep) else stays).append((label, fill.value))
    return MergeUndoPreview(merge, moved_back, blanked, stays)
