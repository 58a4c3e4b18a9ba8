"""Loading the directory and patients of one clinic from FHIR R4 NDJSON and Bundle files.

Tenancy: everything lands in the one clinic named on the command line. Synthea's
Organizations are outside organizations (the hospitals and practices its people visit);
the directory has no table for outside organizations, so they are not stored. They are read
so that the PractitionerRoles naming them resolve, and are reported as skipped. Their sites
arrive as Locations and their staff as Practitioners, and those become the clinic's own.
An Organization that is the clinic itself (its public id, or its slug under
urn:carebridge:organization) resolves to the clinic.

Order: every file is read first, then resources are imported by type in dependency order
(Organization, Location, Practitioner, PractitionerRole, Patient), so references resolve
whatever the order of files and lines. A reference may be literal (`Location/<id>`: the id
in the files or a CareBridge public id), logical or conditional
(`Practitioner?identifier=system|value`), or a Bundle entry's `urn:uuid:` fullUrl.
An organization reference resolves only to the clinic or to an Organization in the same
import, since outside organizations are not kept.

Matching, so that a second run creates nothing: locations match on their identifier,
practitioners on NPI or identifier, roles on practitioner + location + specialty (or their
identifier), patients on MRN or any identifier, and directory records also on a CareBridge
public id. A match that differs is updated; one that does not is skipped.

Transactions: new records are created in batches, one transaction per batch. A batch that
fails is rolled back to its savepoint; the records that fail on their own are reported, and
the rest retried (halved while a clash with other rows remains), so a bad record is
reported with its file and line and never leaves half a record behind.
Updates are one transaction per record. Specialties named by roles are added to the
clinic's list as they are met.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from django.db import transaction

from carebridge.accounts.models import Organization, User
from carebridge.core.errors import Conflict, DomainError, InvalidInput
from carebridge.directory.models import (
    Location,
    OpeningHours,
    Practitioner,
    PractitionerLanguage,
    PractitionerRole,
    Specialty,
)
from carebridge.directory.selectors import (
    PractitionerQuery,
    location_list,
    practitioner_list,
    practitioner_role_list_any_status,
    specialty_list,
)
from carebridge.directory.services import (
    location_check,
    location_create_many,
    location_update,
    practitioner_check,
    practitioner_create_many,
    practitioner_role_create_many,
    practitioner_role_update,
    practitioner_update,
    specialty_ensure,
)
from carebridge.fhir_api.resources import (
    NPI_SYSTEM,
    ORGANIZATION_SYSTEM,
    Reference,
    identifier_token,
)
from carebridge.fhir_api.resources.location import LOCATION_ELEMENTS, LocationInput, parse_location
from carebridge.fhir_api.resources.organization import parse_organization
from carebridge.fhir_api.resources.patient import PATIENT_ELEMENTS, PatientInput, parse_patient
from carebridge.fhir_api.resources.practitioner import (
    PRACTITIONER_ELEMENTS,
    PractitionerInput,
    parse_practitioner,
)
from carebridge.fhir_api.resources.practitioner_role import parse_practitioner_role
from carebridge.patients.models import Patient, PatientIdentifier
from carebridge.patients.selectors import patient_match_candidates
from carebridge.patients.services import (
    identifier_add,
    patient_changes,
    patient_check,
    patient_create_many,
    patient_update,
)

BATCH_SIZE = 500
IMPORT_ORDER = ("Organization", "Location", "Practitioner", "PractitionerRole", "Patient")
# What an import writes (besides audit entries), for refreshing the planner's statistics.
STORED_MODELS = (
    Location,
    OpeningHours,
    Specialty,
    Practitioner,
    Practitioner.specialties.through,
    PractitionerLanguage,
    PractitionerRole,
    Patient,
    PatientIdentifier,
)
# Stands for an outside organization in the reference index: known, but not stored.
OUTSIDE_ORGANIZATION = object()


@dataclass(frozen=True)
class Source:
    """Where a resource came from: a file and its line, and the entry when in a Bundle."""

    path: str
    line: int
    entry: int | None = None

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}"
        return where if self.entry is None else f"{where} entry {self.entry}"


@dataclass(frozen=True)
class Entry:
    source: Source
    resource: dict
    full_url: str = ""

    @property
    def resource_type(self) -> str:
        return str(self.resource.get("resourceType", ""))


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    failed: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.skipped + self.failed


@dataclass
class ImportReport:
    counts: dict[str, Counts] = field(default_factory=lambda: defaultdict(Counts))
    problems: list[tuple[Source, str]] = field(default_factory=list)
    # Per resource type this import does not take, where each of its resources was.
    unsupported: dict[str, list[Source]] = field(default_factory=dict)

    def fail(self, source: Source, resource_type: str, reason: str) -> None:
        if resource_type:
            self.counts[resource_type].failed += 1
        self.problems.append((source, reason))

    @property
    def resources(self) -> int:
        return sum(counts.total for counts in self.counts.values())


def read_entries(path: Path, report: ImportReport) -> Iterator[Entry]:
    """The resources of an NDJSON file (one per line) or of a JSON Bundle or resource.

    A line that is not a JSON object is reported and the next line read; a file that is
    not UTF-8 is reported and none of it read."""
    content = _text(path, report)
    if content is None:
        return
    if path.suffix != ".ndjson":
        try:
            document = json.loads(content)
        except json.JSONDecodeError:
            document = None
        if isinstance(document, dict):
            yield from _unpack(document, Source(str(path), 1), report)
            return
    for number, line in enumerate(content.splitlines(), start=1):
        if not line.strip():
            continue
        source = Source(str(path), number)
        try:
            document = json.loads(line)
        except json.JSONDecodeError as error:
            report.fail(source, "", f"not valid JSON: {error.msg} at column {error.colno}")
            continue
        if not isinstance(document, dict):
            report.fail(source, "", "expected a JSON object with a resourceType")
            continue
        yield from _unpack(document, source, report)


def _text(path: Path, report: ImportReport) -> str | None:
    """The file's text, without the byte order mark some editors put first; None, and
    the file reported at its first bad line, when it is not UTF-8 (FHIR's encoding)."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        reason = (
            f"not UTF-8 text (byte 0x{data[error.start]:02x}); nothing in the file was imported"
        )
        report.fail(Source(str(path), line), "", reason)
        return None


def _unpack(document: dict, source: Source, report: ImportReport) -> Iterator[Entry]:
    if document.get("resourceType") != "Bundle":
        yield Entry(source, document)
        return
    items = document.get("entry") or []
    if not isinstance(items, list):
        report.fail(source, "", "Bundle.entry: expected a list of entries")
        return
    for number, item in enumerate(items, start=1):
        where = replace(source, entry=number)
        if not isinstance(item, dict):
            report.fail(where, "", "Bundle.entry: expected an object with a resource")
            continue
        resource = item.get("resource")
        yield Entry(where, resource if isinstance(resource, dict) else {}, item.get("fullUrl", ""))


class FhirImport:
    """One import run into one clinic; `run` returns the report."""

    def __init__(
        self,
        *,
        organization: Organization,
        actor: User | None = None,
        batch_size: int = BATCH_SIZE,
    ):
        self.organization = organization
        self.actor = actor
        self.batch_size = batch_size
        self.report = ImportReport()
        # Per resource type: "id:", "url:", "token:" (and "role:") keys to the record.
        self.index: dict[str, dict[str, Any]] = {name: {} for name in IMPORT_ORDER}
        # Keys of resources that were in the files but could not be imported.
        self.failed: dict[str, set[str]] = defaultdict(set)
        self.specialties: dict[str, Specialty] = {}
        self.kinds = {
            kind.resource_type: kind(self)
            for kind in (LocationKind, PractitionerKind, PractitionerRoleKind, PatientKind)
        }

    def run(self, paths: list[Path]) -> ImportReport:
        by_type: dict[str, list[Entry]] = defaultdict(list)
        for path in paths:
            for entry in read_entries(path, self.report):
                by_type[entry.resource_type].append(entry)
        for resource_type, entries in by_type.items():
            if resource_type not in IMPORT_ORDER:
                self._unsupported(resource_type, entries)
        self._load_index()
        self._import_organizations(by_type["Organization"])
        for resource_type in IMPORT_ORDER[1:]:
            self._import(self.kinds[resource_type], by_type[resource_type])
        return self.report

    def _unsupported(self, resource_type: str, entries: list[Entry]) -> None:
        if resource_type:
            self.report.unsupported[resource_type] = [entry.source for entry in entries]
            return
        for entry in entries:
            self.report.fail(entry.source, "", "the resource has no resourceType")

    def _load_index(self) -> None:
        organization = self.organization
        tenant = self.index["Organization"]
        tenant[f"id:{organization.public_id}"] = organization
        tenant[f"token:{identifier_token(ORGANIZATION_SYSTEM, organization.slug)}"] = organization
        self.specialties = {s.code: s for s in specialty_list(organization=organization)}
        for kind in self.kinds.values():
            for record in kind.existing():
                self.register(kind.resource_type, kind.record_keys(record), record)

    def register(self, resource_type: str, keys: list[str], record: Any) -> None:
        index = self.index[resource_type]
        for key in keys:
            index[key] = record

    def resolve(self, reference: Reference, element: str) -> Any:
        """The record a reference names, or InvalidInput naming the element."""
        if reference.url:
            key, shown = f"url:{reference.url}", reference.url
        elif reference.id:
            key, shown = f"id:{reference.id}", f"{reference.resource_type}/{reference.id}"
        else:
            token = identifier_token(*reference.identifier)
            key, shown = f"token:{token}", f"{reference.resource_type}?identifier={token}"
        record = self.index[reference.resource_type].get(key)
        if record is None and key in self.failed[reference.resource_type]:
            raise InvalidInput(f"{element}: {shown} could not be imported", field=element)
        if record is None:
            raise InvalidInput(
                f"{element}: {shown} is neither in this clinic nor in this import", field=element
            )
        return record

    def specialty(self, code: str, name: str) -> Specialty:
        if code not in self.specialties:
            self.specialties[code] = specialty_ensure(
                organization=self.organization, code=code, name=name
            )
        return self.specialties[code]

    def _import_organizations(self, entries: list[Entry]) -> None:
        counts = self.report.counts["Organization"]
        for entry in entries:
            try:
                organization = parse_organization(entry.resource)
            except DomainError as error:
                self.report.fail(entry.source, "Organization", error.message)
                continue
            keys = entry_keys(entry) + [
                f"token:{identifier_token(*pair)}" for pair in organization.identifiers
            ]
            index = self.index["Organization"]
            known = next((index[key] for key in keys if key in index), OUTSIDE_ORGANIZATION)
            self.register("Organization", keys, known)
            counts.skipped += 1

    def _import(self, kind: Kind, entries: list[Entry]) -> None:
        for start in range(0, len(entries), self.batch_size):
            self._import_batch(kind, entries[start : start + self.batch_size])

    def _import_batch(self, kind: Kind, entries: list[Entry]) -> None:
        parsed = []
        for entry in entries:
            try:
                parsed.append((entry, kind.parse(entry)))
            except DomainError as error:
                self._fail(kind, entry, error)
        kind.preload([item for _, item in parsed])
        pending: list[tuple[Entry, Any, list[str]]] = []
        pending_keys: set[str] = set()
        for entry, item in parsed:
            keys = entry_keys(entry) + kind.item_keys(item)
            if pending_keys.intersection(keys):
                # The same record twice: create the first before matching the second.
                self._create(kind, pending)
                pending, pending_keys = [], set()
            try:
                existing = kind.find(keys, item)
            except DomainError as error:
                self._fail(kind, entry, error)
                continue
            if existing is None:
                pending.append((entry, item, keys))
                pending_keys.update(keys)
            else:
                self._update_or_skip(kind, entry, item, keys, existing)
        self._create(kind, pending)

    def _fail(self, kind: Kind, entry: Entry, error: DomainError) -> None:
        element = kind.elements.get(error.field or "", error.field or "")
        named = element.startswith(kind.resource_type) and not error.message.startswith(element)
        reason = f"{element}: {error.message}" if named else error.message
        self.report.fail(entry.source, kind.resource_type, reason)
        self.failed[kind.resource_type].update(entry_keys(entry) + raw_identifier_keys(entry))

    def _create(self, kind: Kind, pending: list[tuple[Entry, Any, list[str]]]) -> None:
        counts = self.report.counts[kind.resource_type]
        # One commit per batch: the retries of a failed batch run in savepoints inside it.
        with transaction.atomic():
            records = self._create_batch(kind, pending)
        for (_, _, keys), record in zip(pending, records, strict=True):
            if record is not None:
                counts.created += 1
                self.register(kind.resource_type, keys + kind.record_keys(record), record)

    def _create_batch(self, kind: Kind, pending: list[tuple[Entry, Any, list[str]]]) -> list:
        """The created records, None for each bad one. When the batch fails, the records
        its service refuses on their own are reported and the rest retried; a failure that
        remains (a clash with another row) halves the batch until the bad record is alone."""
        if not pending:
            return []
        try:
            return kind.create([item for _, item, _ in pending])
        except DomainError as error:
            if len(pending) == 1:
                self._fail(kind, pending[0][0], error)
                return [None]
        sound = [self._passes_check(kind, entry, item) for entry, item, _ in pending]
        if not all(sound):
            kept = [record for record, ok in zip(pending, sound, strict=True) if ok]
            created = iter(self._create_batch(kind, kept))
            return [next(created) if ok else None for ok in sound]
        half = len(pending) // 2
        return self._create_batch(kind, pending[:half]) + self._create_batch(kind, pending[half:])

    def _passes_check(self, kind: Kind, entry: Entry, item: Any) -> bool:
        try:
            kind.check(item)
        except DomainError as error:
            self._fail(kind, entry, error)
            return False
        return True

    def _update_or_skip(
        self, kind: Kind, entry: Entry, item: Any, keys: list[str], existing: Any
    ) -> None:
        counts = self.report.counts[kind.resource_type]
        try:
            if kind.differs(existing, item):
                with transaction.atomic():
                    existing = kind.update(existing, item)
                counts.updated += 1
            else:
                counts.skipped += 1
        except DomainError as error:
            self._fail(kind, entry, error)
            return
        self.register(kind.resource_type, keys + kind.record_keys(existing), existing)


def entry_keys(entry: Entry) -> list[str]:
    """How other resources of the same import may refer to this one."""
    keys = []
    if entry.resource.get("id"):
        keys.append(f"id:{entry.resource['id']}")
    if entry.full_url:
        keys.append(f"url:{entry.full_url}")
    return keys


def raw_identifier_keys(entry: Entry) -> list[str]:
    """The identifier keys of a resource that may not have parsed."""
    identifiers = entry.resource.get("identifier")
    if not isinstance(identifiers, list):
        return []
    return _token_keys(
        *(
            identifier_token(str(item.get("system", "")), str(item["value"]))
            for item in identifiers
            if isinstance(item, dict) and item.get("value")
        )
    )


def entry_keys_of(keys: list[str]) -> list[str]:
    """The keys that name a resource by its id or fullUrl rather than by an identifier."""
    return [key for key in keys if key.startswith(("id:", "url:"))]


def _token_keys(*tokens: str) -> list[str]:
    return [f"token:{token}" for token in tokens if token]


def _differs(record: Any, fields: dict[str, Any]) -> bool:
    return any(getattr(record, name) != value for name, value in fields.items())


class Kind(ABC):
    """How one resource type is parsed, matched, compared, created and updated."""

    resource_type = ""
    # Which FHIR element a service's field comes from, to name it in the report.
    elements: dict[str, str] = {}

    def __init__(self, run: FhirImport):
        self.run = run
        self.organization = run.organization

    def existing(self) -> list:
        """The clinic's records to match against, loaded once per run."""
        return []

    def record_keys(self, record: Any) -> list[str]:
        return [f"id:{record.public_id}"]

    def preload(self, items: list) -> None:  # noqa: B027 - most kinds load all up front
        """Load what the batch's items may match, when `existing` did not load it all."""

    def find(self, keys: list[str], item: Any) -> Any:
        index = self.run.index[self.resource_type]
        return next((index[key] for key in keys if key in index), None)

    @abstractmethod
    def parse(self, entry: Entry) -> Any:
        """The service input of one resource, references resolved."""

    @abstractmethod
    def item_keys(self, item: Any) -> list[str]:
        """The identifier keys a parsed item is matched on."""

    @abstractmethod
    def differs(self, record: Any, item: Any) -> bool:
        """Whether updating the record with the item would change it."""

    @abstractmethod
    def check(self, item: Any) -> None:
        """Raise what `create` would raise for this item alone, short of other rows."""

    @abstractmethod
    def create(self, items: list) -> list:
        """Create every item in one call of a batch service (all or none)."""

    @abstractmethod
    def update(self, record: Any, item: Any) -> Any:
        """Update one record through its service."""


class LocationKind(Kind):
    resource_type = "Location"
    elements = LOCATION_ELEMENTS

    def existing(self) -> list[Location]:
        return list(location_list(organization=self.organization, active_only=False))

    def record_keys(self, record: Location) -> list[str]:
        return super().record_keys(record) + _token_keys(record.identifier)

    def parse(self, entry: Entry) -> LocationInput:
        location = parse_location(entry.resource)
        # A site without a zone is taken to keep the clinic's hours.
        fields = {"timezone": self.organization.timezone, **location.fields}
        return replace(location, fields=fields)

    def item_keys(self, item: LocationInput) -> list[str]:
        return _token_keys(item.fields["identifier"])

    def differs(self, record: Location, item: LocationInput) -> bool:
        hours = [(row.weekday, row.opens, row.closes) for row in record.opening_hours.all()]
        return _differs(record, item.fields) or sorted(hours) != list(item.opening_hours)

    def check(self, item: LocationInput) -> None:
        location_check(organization=self.organization, record=self._record(item))

    def create(self, items: list[LocationInput]) -> list[Location]:
        records = [self._record(item) for item in items]
        return location_create_many(organization=self.organization, records=records)

    @staticmethod
    def _record(item: LocationInput) -> dict[str, Any]:
        return {**item.fields, "opening_hours": list(item.opening_hours)}

    def update(self, record: Location, item: LocationInput) -> Location:
        return location_update(
            location=record, fields=item.fields, opening_hours=list(item.opening_hours)
        )


@dataclass(frozen=True)
class PractitionerItem:
    fields: dict[str, Any]
    languages: list[str] | None
    specialties: list[Specialty] | None


class PractitionerKind(Kind):
    resource_type = "Practitioner"
    elements = PRACTITIONER_ELEMENTS

    def existing(self) -> list[Practitioner]:
        query = PractitionerQuery(active_only=False)
        return list(practitioner_list(organization=self.organization, query=query))

    def record_keys(self, record: Practitioner) -> list[str]:
        npi = identifier_token(NPI_SYSTEM, record.npi) if record.npi else ""
        return super().record_keys(record) + _token_keys(npi, record.identifier)

    def parse(self, entry: Entry) -> PractitionerItem:
        parsed: PractitionerInput = parse_practitioner(entry.resource)
        specialties = None
        if parsed.specialties is not None:
            specialties = [self.run.specialty(code, name) for code, name in parsed.specialties]
        languages = None if parsed.languages is None else list(parsed.languages)
        return PractitionerItem(parsed.fields, languages, specialties)

    def item_keys(self, item: PractitionerItem) -> list[str]:
        npi = item.fields["npi"]
        return _token_keys(
            identifier_token(NPI_SYSTEM, npi) if npi else "", item.fields["identifier"]
        )

    def differs(self, record: Practitioner, item: PractitionerItem) -> bool:
        languages = sorted(language.code for language in record.languages.all())
        specialties = {specialty.pk for specialty in record.specialties.all()}
        return (
            _differs(record, item.fields)
            or (item.languages is not None and languages != sorted(item.languages or ["en"]))
            or (item.specialties is not None and specialties != {s.pk for s in item.specialties})
        )

    def check(self, item: PractitionerItem) -> None:
        practitioner_check(organization=self.organization, record=self._record(item))

    def create(self, items: list[PractitionerItem]) -> list[Practitioner]:
        records = [self._record(item) for item in items]
        return practitioner_create_many(organization=self.organization, records=records)

    @staticmethod
    def _record(item: PractitionerItem) -> dict[str, Any]:
        return {**item.fields, "specialties": item.specialties, "languages": item.languages}

    def update(self, record: Practitioner, item: PractitionerItem) -> Practitioner:
        return practitioner_update(
            practitioner=record,
            fields=item.fields,
            specialties=item.specialties,
            languages=item.languages,
        )


@dataclass(frozen=True)
class RoleItem:
    practitioner: Practitioner
    location: Location
    specialty: Specialty | None
    identifier: str
    active: bool

    @property
    def natural_key(self) -> str:
        specialty = self.specialty.pk if self.specialty else ""
        return f"role:{self.practitioner.pk}:{self.location.pk}:{specialty}"


class PractitionerRoleKind(Kind):
    resource_type = "PractitionerRole"

    def existing(self) -> list[PractitionerRole]:
        return list(practitioner_role_list_any_status(organization=self.organization))

    def record_keys(self, record: PractitionerRole) -> list[str]:
        natural_key = f"role:{record.practitioner_id}:{record.location_id}:"
        natural_key += str(record.specialty_id or "")
        return [*super().record_keys(record), natural_key, *_token_keys(record.identifier)]

    def parse(self, entry: Entry) -> RoleItem:
        parsed = parse_practitioner_role(entry.resource)
        if parsed.organization:
            self.run.resolve(parsed.organization, "PractitionerRole.organization")
        specialty = self.run.specialty(*parsed.specialty) if parsed.specialty else None
        return RoleItem(
            practitioner=self.run.resolve(parsed.practitioner, "PractitionerRole.practitioner"),
            location=self.run.resolve(parsed.location, "PractitionerRole.location"),
            specialty=specialty,
            identifier=parsed.identifier,
            active=parsed.active,
        )

    def item_keys(self, item: RoleItem) -> list[str]:
        return [item.natural_key, *_token_keys(item.identifier)]

    def differs(self, record: PractitionerRole, item: RoleItem) -> bool:
        return _differs(record, self._fields(item))

    def check(self, item: RoleItem) -> None:
        """A role has nothing to refuse on its own: its references are already resolved."""

    def create(self, items: list[RoleItem]) -> list[PractitionerRole]:
        records = [
            {
                "practitioner": item.practitioner,
                "location": item.location,
                "specialty": item.specialty,
                **self._fields(item),
            }
            for item in items
        ]
        return practitioner_role_create_many(records=records)

    def update(self, record: PractitionerRole, item: RoleItem) -> PractitionerRole:
        return practitioner_role_update(role=record, fields=self._fields(item))

    @staticmethod
    def _fields(item: RoleItem) -> dict[str, Any]:
        return {"identifier": item.identifier, "active": item.active}


class PatientKind(Kind):
    """Patients are matched batch by batch in the database, since a clinic may hold many.

    A record with an MRN matches on its MRN only; one without, on its other identifiers.
    An identifier that already belongs to another patient is a conflict, reported here
    rather than failing the whole batch. Identifiers are added to a patient, never removed."""

    resource_type = "Patient"
    elements = PATIENT_ELEMENTS

    def record_keys(self, record: Patient) -> list[str]:
        return [*super().record_keys(record), f"mrn:{record.mrn}"]

    def parse(self, entry: Entry) -> PatientInput:
        patient = parse_patient(entry.resource)
        if not patient.fields.get("mrn") and not patient.identifiers:
            raise InvalidInput(
                "an MRN or another identifier is needed to recognise the patient on a later import",
                field="Patient.identifier",
            )
        return patient

    def item_keys(self, item: PatientInput) -> list[str]:
        mrn = item.fields.get("mrn")
        return ([f"mrn:{mrn}"] if mrn else []) + self._tokens(item)

    def preload(self, items: list[PatientInput]) -> None:
        candidates = patient_match_candidates(
            organization=self.organization,
            mrns=[item.fields["mrn"] for item in items if item.fields.get("mrn")],
            identifiers=[pair for item in items for pair in item.identifiers],
        )
        for patient in candidates:
            tokens = [identifier_token(row.system, row.value) for row in patient.identifiers.all()]
            self.run.register("Patient", self.record_keys(patient) + _token_keys(*tokens), patient)

    def find(self, keys: list[str], item: PatientInput) -> Patient | None:
        index = self.run.index["Patient"]
        mrn = item.fields.get("mrn")
        tokens = self._tokens(item)
        wanted = entry_keys_of(keys) + ([f"mrn:{mrn}"] if mrn else tokens)
        patient = next((index[key] for key in wanted if key in index), None)
        for token in tokens:
            if index.get(token, patient) is not patient:
                raise Conflict(
                    f"{token.removeprefix('token:')} already belongs to another patient",
                    field="Patient.identifier",
                )
        return patient

    def differs(self, record: Patient, item: PatientInput) -> bool:
        changed = patient_changes(patient=record, fields=item.fields)
        return bool(changed or self._new_ids(record, item))

    def check(self, item: PatientInput) -> None:
        patient_check(organization=self.organization, fields=item.fields)

    def create(self, items: list[PatientInput]) -> list[Patient]:
        return patient_create_many(
            organization=self.organization,
            actor=self.run.actor,
            records=[(item.fields, list(item.identifiers)) for item in items],
        )

    def update(self, record: Patient, item: PatientInput) -> Patient:
        new_ids = self._new_ids(record, item)
        patient = patient_update(patient=record, actor=self.run.actor, fields=item.fields)
        for system, value in new_ids:
            identifier_add(patient=patient, system=system, value=value)
        return patient

    @staticmethod
    def _tokens(item: PatientInput) -> list[str]:
        return _token_keys(*(identifier_token(*pair) for pair in item.identifiers))

    @staticmethod
    def _new_ids(record: Patient, item: PatientInput) -> list[tuple[str, str]]:
        known = {(row.system, row.value) for row in record.identifiers.all()}
        return [pair for pair in item.identifiers if pair not in known]
