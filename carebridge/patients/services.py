"""Creating and changing patient records."""

from __future__ import annotations

import copy
import datetime
import secrets
from dataclasses import dataclass
from typing import Any, Protocol

import phonenumbers
from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import DateTimeField, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce

from carebridge.accounts.models import Organization, User, saved_user
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import AuditTarget, audit_record, audit_record_many
from carebridge.core import clock
from carebridge.core.errors import Conflict, InvalidInput, NotFound, StaleVersion, raise_all
from carebridge.core.text import fold_text
from carebridge.core.timeranges import zone_of
from carebridge.core.validation import clean_problems
from carebridge.patients.constants import MERGED_MRN_SYSTEM, ContactChannel
from carebridge.patients.locks import patients_lock
from carebridge.patients.models import (
    Patient,
    PatientIdentifier,
    PatientMerge,
    PatientMergeFill,
    PatientMergeMove,
)

# The demographics staff may edit, in the order forms and documents show them.
EDITABLE_FIELDS = (
    "given_name",
    "middle_name",
    "family_name",
    "birth_date",
    "sex",
    "mrn",
    "phone_mobile",
    "phone_home",
    "email",
    "address_line",
    "city",
    "state",
    "postal_code",
    "country",
    "preferred_language",
    "preferred_channel",
    "consent_sms",
    "consent_email",
    "consent_phone",
    "timezone",
    "payer_group",
    "emergency_contact_name",
    "emergency_contact_phone",
    "emergency_contact_relationship",
    "active",
)
# Longer ago than anyone has lived: an older birth date is a mistyped year (0001 for 2001).
OLDEST_AGE_YEARS = 130

PHONE_FIELDS = ("phone_mobile", "phone_home", "emergency_contact_phone")
# Stored without surrounding spaces: "  " is no name, and " D0002220 " is the MRN D0002220.
STRIPPED_FIELDS = ("given_name", "middle_name", "family_name", "mrn")
# A record is of nobody without these; spaces alone do not count as one.
REQUIRED_NAMES = ("given_name", "family_name")
# What decides where, on which channel and in which language messages reach a patient.
CONTACT_FIELDS = (
    "phone_mobile",
    "email",
    "preferred_language",
    "preferred_channel",
    "consent_sms",
    "consent_email",
    "sms_opted_out_at",
    "email_opted_out_at",
)


# The apps that queue messages for patients (scheduling, above this one) keep what they
# queued in step with the patient's contact details. This app may not import them, so they
# register a handler here, as the outbox lets them register their relevance checks.
class ContactChangeHandler(Protocol):
    def __call__(self, *, patient: Patient) -> None: ...


_contact_change_handlers: list[ContactChangeHandler] = []


def contact_change_register(handler: ContactChangeHandler) -> None:
    """Have `handler(patient=...)` called, inside the transaction of the change, whenever a
    patient's contact details (CONTACT_FIELDS) change: an edit, an opt-out or an opt-in.
    Called from an AppConfig.ready(); registering a handler again changes nothing."""
    if handler not in _contact_change_handlers:
        _contact_change_handlers.append(handler)


def _contact(patient: Patient) -> tuple:
    return tuple(getattr(patient, name) for name in CONTACT_FIELDS)


def _contact_changed(patients: list[Patient]) -> None:
    for patient in patients:
        for handler in _contact_change_handlers:
            handler(patient=patient)


# Merging two records moves what other apps keep about a patient (visits, waitlist
# entries, messages), and undoing a merge moves it back; they register handlers here as they
# do for contact changes. What a merge moved, by model: the ids of the rows it gave the
# record kept.
Moved = dict[type[models.Model], list[int]]


class MergeMove(Protocol):
    def __call__(self, *, duplicate: Patient, keep: Patient, actor: User | None) -> Moved: ...


class MergeMoveBack(Protocol):
    def __call__(
        self, *, duplicate: Patient, keep: Patient, moved: Moved, actor: User | None
    ) -> None: ...


@dataclass(frozen=True)
class _MergeHandlers:
    move: MergeMove
    move_back: MergeMoveBack


_merge_handlers: list[_MergeHandlers] = []


def merge_register(*, move: MergeMove, move_back: MergeMoveBack) -> None:
    """Have `move(duplicate=..., keep=..., actor=...)` move what its app keeps about the
    duplicate record to the one kept, inside the merge's transaction, and return the ids of
    what it moved; raising a DomainError refuses the merge. When the merge is undone,
    `move_back(duplicate=..., keep=..., moved=..., actor=...)` gets back what every `move`
    returned. Called from an AppConfig.ready(); registering again changes nothing."""
    handlers = _MergeHandlers(move, move_back)
    if handlers not in _merge_handlers:
        _merge_handlers.append(handlers)


def _birth_date_problems(patient: Patient) -> list[InvalidInput]:
    birth_date, today = patient.birth_date, clock.now().date()
    # Somewhere it is already tomorrow or still yesterday: only the clinic's own date says
    # whether a birth date that close is in the future (its zone may take a query to read).
    if abs((birth_date - today).days) <= 1:
        today = clock.today(zone_of(patient.organization.timezone))
    if birth_date > today:
        return [InvalidInput("birth_date: cannot be in the future", field="birth_date")]
    if today.year - birth_date.year > OLDEST_AGE_YEARS:
        message = f"birth_date: more than {OLDEST_AGE_YEARS} years ago; check the year"
        return [InvalidInput(message, field="birth_date")]
    return []


def digits_only(value: str) -> str:
    return "".join(ch for ch in value or "" if ch.isdigit())


def normalize_phone(value: str, *, field: str, region: str = "US") -> str:
    """A phone number in E.164, or InvalidInput naming the field."""
    if not value:
        return ""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException as error:
        raise InvalidInput(f"{field}: {value!r} is not a phone number", field=field) from error
    if not phonenumbers.is_possible_number(number):
        raise InvalidInput(f"{field}: {value!r} is not a possible phone number", field=field)
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_country(value: str) -> str:
    """An ISO 3166 two-letter code in upper case, or InvalidInput naming the field. The
    country is also the region a patient's phones are read in, so it must be one of the
    regions the phonenumbers package knows the numbering plan of."""
    country = (value or "").strip().upper()
    if country not in phonenumbers.SUPPORTED_REGIONS:
        message = f"country: {value!r} is not an ISO 3166 two-letter country code"
        raise InvalidInput(message, field="country")
    return country


def _country(fields: dict[str, Any]) -> tuple[dict[str, Any], list[InvalidInput]]:
    """The fields with the country normalized, or without it and with its problem (the
    phones are then read in the record's present country, so that only the country is
    reported)."""
    if "country" not in fields:
        return fields, []
    try:
        return fields | {"country": normalize_country(fields["country"])}, []
    except InvalidInput as problem:
        return {name: value for name, value in fields.items() if name != "country"}, [problem]


def national_digits(e164: str) -> str:
    """The national number of a stored E.164 phone (what people type, area code first)."""
    if not e164:
        return ""
    return str(phonenumbers.parse(e164).national_number)


def _stripped(fields: dict[str, Any]) -> tuple[dict[str, Any], list[InvalidInput]]:
    """The fields with names and MRN stripped, or without a required name left blank and
    with its problem (a blank MRN stays: on create it means "assign one")."""
    stripped = {
        name: value.strip() if name in STRIPPED_FIELDS and isinstance(value, str) else value
        for name, value in fields.items()
    }
    blank = [name for name in REQUIRED_NAMES if name in stripped and not stripped[name]]
    problems = [InvalidInput(f"{name}: required", field=name) for name in blank]
    return {name: value for name, value in stripped.items() if name not in blank}, problems


def _apply(patient: Patient, fields: dict[str, Any]) -> list[InvalidInput]:
    """Set the fields, phones in E.164, names and MRN stripped; returns what is wrong with
    the values (one that cannot be read is left as it was), so that every problem is
    reported at once."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        name = sorted(unknown)[0]
        raise InvalidInput(f"{name}: not a patient field", field=name)
    fields, blank_names = _stripped(fields)
    fields, problems = _country(fields)
    problems += blank_names
    # A phone changed alone is read in the country the record already has.
    region = fields.get("country") or patient.country or "US"
    for name, value in fields.items():
        if name in PHONE_FIELDS:
            try:
                value = normalize_phone(value, field=name, region=region)
            except InvalidInput as problem:
                problems.append(problem)
                continue
        setattr(patient, name, value)
    if isinstance(patient.birth_date, datetime.date):
        problems += _birth_date_problems(patient)
    patient.search_family = fold_text(patient.family_name)
    patient.search_given = fold_text(patient.given_name)
    patient.search_middle = fold_text(patient.middle_name)
    patient.search_phone = national_digits(patient.phone_mobile or patient.phone_home)
    return problems


def _validate(patient: Patient, problems: list[InvalidInput], **clean_options) -> None:
    """Raise the problems `_apply` found together with the model's own, one per field."""
    found = {problem.field for problem in problems}
    checked = clean_problems(
        patient, exclude=["organization", "merged_into"], validate_unique=False, **clean_options
    )
    raise_all(problems + [problem for problem in checked if problem.field not in found])


def _save_unique(patient: Patient, **save_kwargs) -> None:
    try:
        with transaction.atomic():
            patient.save(**save_kwargs)
    except IntegrityError as error:
        raise Conflict(f"mrn: {patient.mrn!r} is already in use", field="mrn") from error


def new_mrn() -> str:
    return f"M{secrets.randbelow(10**9):09d}"


def _audit(patient: Patient, actor: User | None, action: str, detail: str = "") -> None:
    audit_record(
        organization_id=patient.organization_id,
        actor=actor,
        action=action,
        target=AuditTarget("Patient", str(patient.public_id), str(patient.public_id)),
        detail=detail,
    )


@transaction.atomic
def patient_create(
    *,
    organization: Organization,
    actor: User | None,
    fields: dict[str, Any],
    identifiers: list[tuple[str, str]] | None = None,
) -> Patient:
    """Register a patient. Without an MRN one is assigned; MRNs are unique per organization.

    Side effects: identifier rows, an audit entry.
    """
    patient = Patient(organization=organization)
    problems = _apply(patient, fields)
    if not patient.mrn:
        patient.mrn = new_mrn()
    _validate(patient, problems)
    _save_unique(patient)
    for system, value in identifiers or []:
        identifier_add(patient=patient, system=system, value=value)
    _audit(patient, actor, AuditAction.CREATE)
    return patient


def identifier_add(*, patient: Patient, system: str, value: str) -> PatientIdentifier:
    """Attach another system's id; the pair is unique within the organization."""
    if not system or not value:
        raise InvalidInput("identifier: system and value are both required", field="identifier")
    try:
        with transaction.atomic():
            return PatientIdentifier.objects.create(
                organization_id=patient.organization_id,
                patient=patient,
                system=system,
                value=value,
            )
    except IntegrityError as error:
        raise Conflict(
            f"identifier: {system}|{value} belongs to another patient", field="identifier"
        ) from error


@transaction.atomic
def patient_update(
    *,
    patient: Patient,
    actor: User | None,
    fields: dict[str, Any],
    expected_version: int | None = None,
) -> Patient:
    """Change demographics. With `expected_version`, a concurrent change raises StaleVersion.

    Side effects: the version goes up by one; an audit entry names the changed fields; when
    the contact details changed, the registered contact-change handlers run.
    Raises Conflict for making a merged duplicate active: only undoing the merge does that.
    """
    if patient.merged_into_id is not None and fields.get("active"):
        keep = patient.merged_into
        raise Conflict(
            f"active: this record was merged into {keep.display_name} ({keep.mrn}); undo the"
            " merge first",
            field="active",
        )
    before = copy.copy(patient)
    _validate(patient, _apply(patient, fields))
    # compared as stored, so that " Qa " sent for "Qa" is no change
    changed = sorted(name for name in fields if getattr(patient, name) != getattr(before, name))
    version = patient.version if expected_version is None else expected_version
    claimed = Patient.objects.filter(pk=patient.pk, version=version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise StaleVersion(
            "version: the patient was changed by someone else; reload and try again",
            field="version",
        )
    patient.version = version + 1
    _save_unique(patient)
    _audit(patient, actor, AuditAction.UPDATE, detail="changed: " + ", ".join(changed))
    if _contact(patient) != _contact(before):
        _contact_changed([patient])
    return patient


def patient_changes(*, patient: Patient, fields: dict[str, Any]) -> list[str]:
    """The fields that patient_update would change, compared after the same normalization
    (E.164 phones, upper-case country). Raises InvalidInput for a bad field; writes nothing."""
    changed = copy.copy(patient)
    raise_all(_apply(changed, fields))
    return sorted(name for name in fields if getattr(changed, name) != getattr(patient, name))


def _new_patient(organization: Organization, fields: dict[str, Any]) -> Patient:
    patient = Patient(organization=organization)
    problems = _apply(patient, fields)
    patient.mrn = patient.mrn or new_mrn()
    # MRN uniqueness is left to the database: one insert instead of a query per patient.
    _validate(patient, problems, validate_constraints=False)
    return patient


def patient_check(
    *, organization: Organization, fields: dict[str, Any], patient: Patient | None = None
) -> None:
    """Raise the InvalidInput that patient_create_many (or, given the `patient`, that
    patient_update) would raise for these fields, short of checks against other rows (a
    taken MRN or identifier); writes nothing."""
    if patient is None:
        _new_patient(organization, fields)
        return
    changed = copy.copy(patient)
    _validate(changed, _apply(changed, fields), validate_constraints=False)


@transaction.atomic
def patient_create_many(
    *,
    organization: Organization,
    actor: User | None,
    records: list[tuple[dict[str, Any], list[tuple[str, str]]]],
) -> list[Patient]:
    """Register many patients at once, each record being patient_create's `fields` and
    `identifiers`. All or none: the first invalid record or taken MRN/identifier raises.

    Side effects: identifier rows; one audit entry per patient, appended in one batch.
    """
    patients = [_new_patient(organization, fields) for fields, _ in records]
    identifiers = [
        PatientIdentifier(organization=organization, patient=patient, system=system, value=value)
        for patient, (_, pairs) in zip(patients, records, strict=True)
        for system, value in dict.fromkeys(pairs)
    ]
    if any(not (row.system and row.value) for row in identifiers):
        raise InvalidInput("identifier: system and value are both required", field="identifier")
    try:
        # Raising rolls the whole batch back, so no savepoint is needed around the inserts.
        Patient.objects.bulk_create(patients)
        PatientIdentifier.objects.bulk_create(identifiers)
    except IntegrityError as error:
        raise Conflict("an MRN or identifier is already in use", field="mrn") from error
    audit_record_many(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.CREATE,
        targets=[AuditTarget("Patient", str(p.public_id), str(p.public_id)) for p in patients],
    )
    return patients


@dataclass(frozen=True)
class _ContactFields:
    address: str  # where messages of the channel go
    consent: str
    opted_out_at: str


_CONTACT_FIELDS = {
    ContactChannel.SMS: _ContactFields("phone_mobile", "consent_sms", "sms_opted_out_at"),
    ContactChannel.EMAIL: _ContactFields("email", "consent_email", "email_opted_out_at"),
}


def _contact_fields(channel: str) -> _ContactFields:
    if channel not in _CONTACT_FIELDS:
        raise InvalidInput(f"channel: {channel!r} is neither sms nor email", field="channel")
    return _CONTACT_FIELDS[channel]


def _sharing_contact(patient: Patient, fields: _ContactFields) -> QuerySet[Patient]:
    """The patients of the organization reached at the patient's number or address (family
    members often share one); without an address, the patient alone."""
    address = getattr(patient, fields.address)
    patients = Patient.objects.filter(organization_id=patient.organization_id)
    if not address:
        return patients.filter(pk=patient.pk)
    # Phones are stored as E.164; email addresses are compared without case.
    lookup = fields.address if fields.address == "phone_mobile" else f"{fields.address}__iexact"
    return patients.filter(**{lookup: address})


def _update_contact(
    patients: QuerySet[Patient], *, actor: User | None, detail: str, **values: Any
) -> list[Patient]:
    """Apply `values` to these patients, one version step and one audit entry each, then run
    the contact-change handlers; returns them as changed."""
    changed = list(patients.values_list("pk", "organization_id", "public_id"))
    if not changed:
        return []
    ids = [pk for pk, _, _ in changed]
    Patient.objects.filter(pk__in=ids).update(version=F("version") + 1, **values)
    audit_record_many(
        organization_id=changed[0][1],
        actor=actor,
        action=AuditAction.UPDATE,
        targets=[AuditTarget("Patient", str(ref), str(ref)) for _, _, ref in changed],
        detail=detail,
    )
    patients = list(Patient.objects.filter(pk__in=ids))
    _contact_changed(patients)
    return patients


@transaction.atomic
def patient_contact_opt_out(
    *, patient: Patient, channel: str, actor: User | None = None
) -> list[Patient]:
    """Stop messages on `channel` (sms or email) to the patient and to every patient of the
    organization at the same number or address: a STOP speaks for the phone, not one record.

    Invariants: afterwards each of them has no consent on the channel and an opt-out time;
    an earlier opt-out time is kept. Consent given later needs patient_contact_opt_in.
    Side effects: for each patient that changed, the version goes up, an audit entry, and
    the contact-change handlers run.
    Returns the patients that changed; `patient` is refreshed.
    """
    fields = _contact_fields(channel)
    not_yet = Q(**{fields.consent: True}) | Q(**{f"{fields.opted_out_at}__isnull": True})
    now = Value(clock.now(), output_field=DateTimeField())
    changed = _update_contact(
        _sharing_contact(patient, fields).filter(not_yet),
        actor=actor,
        detail=f"opted out of {channel}",
        **{fields.consent: False, fields.opted_out_at: Coalesce(F(fields.opted_out_at), now)},
    )
    patient.refresh_from_db()
    return changed


@transaction.atomic
def patient_contact_opt_in(
    *, patient: Patient, channel: str, actor: User | None = None
) -> list[Patient]:
    """Resume messages on `channel` (sms or email), e.g. after a START reply: the patient,
    and every patient at the same number or address who had opted out, consent again.
    Patients there who never consented and never opted out are left alone.

    Invariants: afterwards each of them has consent on the channel and no opt-out time.
    Side effects: for each patient that changed, the version goes up, an audit entry, and
    the contact-change handlers run.
    Returns the patients that changed; `patient` is refreshed.
    """
    fields = _contact_fields(channel)
    opted_out = Q(**{f"{fields.opted_out_at}__isnull": False})
    already_in = Q(**{fields.consent: True, f"{fields.opted_out_at}__isnull": True})
    changed = _update_contact(
        _sharing_contact(patient, fields).filter(opted_out | Q(pk=patient.pk)).exclude(already_in),
        actor=actor,
        detail=f"opted in to {channel}",
        **{fields.consent: True, fields.opted_out_at: None},
    )
    patient.refresh_from_db()
    return changed


# What stays the kept record's own in a merge: who the person is, the record's number and
# state, and the consents and choices it was given. Every other editable field it has blank (contact
# details, address, language, emergency contact) it takes from the duplicate.
KEPT_AS_IS = frozenset(
    {
        "given_name",
        "family_name",
        "birth_date",
        "sex",
        "mrn",
        "preferred_channel",
        "consent_sms",
        "consent_email",
        "consent_phone",
        "payer_group",
        "active",
    }
)
FILLED_FROM_DUPLICATE = tuple(name for name in EDITABLE_FIELDS if name not in KEPT_AS_IS)


def _check_merge(duplicate: Patient, keep: Patient) -> None:
    if duplicate.pk == keep.pk:
        raise InvalidInput("duplicate: a record cannot be merged into itself", field="duplicate")
    for name, patient in (("duplicate", duplicate), ("keep", keep)):
        if patient.merged_into_id is not None:
            raise Conflict(
                f"{name}: {patient.display_name} ({patient.mrn}) was already merged into"
                " another record",
                field=name,
            )


def _take_identifiers(duplicate: Patient, keep: Patient) -> list[int]:
    """The duplicate's ids in other systems now name the kept record; its MRN stays with
    it, and is kept as an identifier of the kept record so imports and searches find it."""
    taken = list(PatientIdentifier.objects.filter(patient=duplicate).values_list("pk", flat=True))
    PatientIdentifier.objects.filter(pk__in=taken).update(patient=keep)
    identifier_add(patient=keep, system=MERGED_MRN_SYSTEM, value=duplicate.mrn)
    return taken


def _merge_record(
    duplicate: Patient, keep: Patient, actor: User | None, reason: str
) -> PatientMerge:
    return PatientMerge.objects.create(
        organization_id=keep.organization_id,
        duplicate=duplicate,
        keep=keep,
        duplicate_was_active=duplicate.active,
        merged_by=saved_user(actor),
        reason=reason[:200],
    )


def _record_moves(merge: PatientMerge, moved: Moved) -> None:
    # a proxy model names rows recorded for another reason (e.g. closed, not only moved)
    types = ContentType.objects.get_for_models(*moved, for_concrete_models=False)
    PatientMergeMove.objects.bulk_create(
        PatientMergeMove(merge=merge, content_type=types[model], object_id=pk)
        for model, ids in moved.items()
        for pk in ids
    )


def _fill_blanks(merge: PatientMerge, duplicate: Patient, keep: Patient) -> None:
    """Blanks of the kept record take the duplicate's values; what was filled is recorded."""
    blanks = [name for name in FILLED_FROM_DUPLICATE if not getattr(keep, name)]
    # through _apply, so the search copies (the phone's digits) follow
    raise_all(_apply(keep, {name: getattr(duplicate, name) for name in blanks}))
    PatientMergeFill.objects.bulk_create(
        PatientMergeFill(merge=merge, field=name, value=getattr(keep, name))
        for name in blanks
        if getattr(keep, name)
    )


@transaction.atomic
def patient_merge(
    *, duplicate: Patient, keep: Patient, actor: User | None, reason: str = ""
) -> Patient:
    """Fold a duplicate record into the record kept: the duplicate's visits, waitlist
    entries, messages and identifiers move to the kept one (through the registered merge
    handlers), blank demographics of the kept record are filled from the duplicate, and the
    duplicate stays, inactive and pointing at the kept record, for the record. What moved
    and what was filled is recorded (PatientMerge), so that `patient_unmerge` can undo it.

    Refused (nothing changes) for the same record, a record already merged, another
    organization's record, or when a handler refuses (e.g. two visits at once).
    Side effects: audit entries for both records; the contact-change handlers run for the
    kept record, so what is queued for it goes to its contact details.
    """
    if duplicate.organization_id != keep.organization_id:
        raise NotFound("duplicate: not found", field="duplicate")
    locked = patients_lock(organization_id=keep.organization_id, ids=[duplicate.pk, keep.pk])
    duplicate, keep = locked[duplicate.pk], locked[keep.pk]
    _check_merge(duplicate, keep)
    merge = _merge_record(duplicate, keep, actor, reason)
    moved: Moved = {}
    for handlers in _merge_handlers:
        moved |= handlers.move(duplicate=duplicate, keep=keep, actor=actor)
    moved[PatientIdentifier] = _take_identifiers(duplicate, keep)
    _record_moves(merge, moved)
    _fill_blanks(merge, duplicate, keep)
    keep.version += 1
    _save_unique(keep)
    duplicate.active, duplicate.merged_into, duplicate.version = False, keep, duplicate.version + 1
    duplicate.save(update_fields=["active", "merged_into", "version", "updated_at"])
    why = f" ({reason})" if reason else ""
    _audit(keep, actor, AuditAction.UPDATE, detail=f"merged {duplicate.mrn} into it{why}"[:500])
    _audit(duplicate, actor, AuditAction.UPDATE, detail=f"merged into {keep.mrn}{why}"[:500])
    _contact_changed([keep])
    return keep


def patient_standing_merge(*, duplicate: Patient) -> PatientMerge:
    """The merge that made this record a duplicate and is not undone; Conflict, naming the
    duplicate, when there is none to undo."""
    merge = (
        PatientMerge.objects.filter(duplicate=duplicate, undone_at=None)
        .select_related("keep", "merged_by")
        .first()
    )
    if merge is not None:
        return merge
    if duplicate.merged_into_id is None:
        raise Conflict(
            f"duplicate: {duplicate.display_name} ({duplicate.mrn}) is not merged into another"
            " record",
            field="duplicate",
        )
    raise Conflict(
        f"duplicate: {duplicate.display_name} ({duplicate.mrn}) was merged before merges"
        " were recorded; it cannot be undone",
        field="duplicate",
    )


def _moved_by(merge: PatientMerge) -> Moved:
    moved: Moved = {}
    for move in merge.moves.select_related("content_type"):
        moved.setdefault(move.content_type.model_class(), []).append(move.object_id)
    return moved


def _give_back_identifiers(duplicate: Patient, keep: Patient, moved: Moved) -> None:
    PatientIdentifier.objects.filter(pk__in=moved.get(PatientIdentifier, []), patient=keep).update(
        patient=duplicate
    )
    PatientIdentifier.objects.filter(
        patient=keep, system=MERGED_MRN_SYSTEM, value=duplicate.mrn
    ).delete()


def _unfill(merge: PatientMerge, keep: Patient) -> None:
    """Blank again what the merge filled, unless someone has changed it since."""
    filled = [fill.field for fill in merge.fills.all() if fill.stands_on(keep)]
    raise_all(_apply(keep, dict.fromkeys(filled, "")))


@transaction.atomic
def patient_unmerge(*, duplicate: Patient, actor: User | None, reason: str = "") -> Patient:
    """Undo the merge of `duplicate` into the record it went into, when they turn out to be
    two people: what the merge moved (visits, waitlist entries, messages, identifiers, through
    the registered handlers) and is still on the kept record goes back, the blanks it filled
    are blank again unless changed since, the kept record forgets the duplicate's MRN, and
    the duplicate stands on its own again, active as it was.

    Refused (nothing changes) for a record that is not merged, one merged before merges were
    recorded, or when the kept record has itself been merged into another since (undo that
    first). Side effects: audit entries for both records; the contact-change handlers run for
    both, so what is queued for each goes to its own contact details. Returns the duplicate.
    """
    merge = patient_standing_merge(duplicate=duplicate)
    locked = patients_lock(
        organization_id=merge.organization_id, ids=[merge.duplicate_id, merge.keep_id]
    )
    duplicate, keep = locked[merge.duplicate_id], locked[merge.keep_id]
    # read again under the locks: another undo may have come first
    merge = patient_standing_merge(duplicate=duplicate)
    if keep.merged_into_id is not None:
        raise Conflict(
            f"keep: {keep.display_name} ({keep.mrn}) has since been merged into another record;"
            " undo that merge first",
            field="keep",
        )
    moved = _moved_by(merge)
    for handlers in reversed(_merge_handlers):
        handlers.move_back(duplicate=duplicate, keep=keep, moved=moved, actor=actor)
    _give_back_identifiers(duplicate, keep, moved)
    _unfill(merge, keep)
    keep.version += 1
    _save_unique(keep)
    duplicate.active, duplicate.merged_into = merge.duplicate_was_active, None
    duplicate.version += 1
    duplicate.save(update_fields=["active", "merged_into", "version", "updated_at"])
    merge.undone_at, merge.undone_by, merge.undo_reason = (
        clock.now(),
        saved_user(actor),
        reason[:200],
    )
    merge.save(update_fields=["undone_at", "undone_by", "undo_reason", "updated_at"])
    why = f" ({reason})" if reason else ""
    _audit(keep, actor, AuditAction.UPDATE, detail=f"undid the merge of {duplicate.mrn}{why}"[:500])
    _audit(duplicate, actor, AuditAction.UPDATE, detail=f"merge into {keep.mrn} undone{why}"[:500])
    _contact_changed([duplicate, keep])
    return duplicate
