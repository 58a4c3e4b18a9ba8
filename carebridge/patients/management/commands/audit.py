"""The access report lives with patients: it names a patient by MRN or public id."""

import csv
import datetime
import json
import uuid
import zoneinfo

from django.core.management.base import CommandError

from carebridge.accounts.models import Organization
from carebridge.accounts.selectors import organization_by_slug
from carebridge.audit.models import AuditEntry
from carebridge.audit.selectors import AuditQuery, audit_entry_list
from carebridge.audit.services import audit_verify
from carebridge.core.errors import InvalidInput, NotFound
from carebridge.core.management.base import DomainCommand
from carebridge.patients.models import Patient
from carebridge.patients.selectors import patient_by_mrn_or_id, patient_merged_records

ROW_KEYS = (
    "sequence", "when", "who", "what", "action", "object_type", "object_ref",
    "patient", "outcome", "from", "request_id", "token_id", "detail",
)  # fmt: skip
TABLE_COLUMNS = (
    ("#", "sequence"), ("When", "when"), ("Who", "who"), ("What", "what"),
    ("Outcome", "outcome"), ("From", "from"),
)  # fmt: skip


class Command(DomainCommand):
    help = (
        "Show who accessed a patient's record (--patient) or what a user did (--user), "
        "or check that the audit log was not edited, deleted or reordered (--verify)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--org", required=True, help="the clinic's slug")
        parser.add_argument("--patient", help="the patient's MRN or public id")
        parser.add_argument("--user", help="only entries by this username")
        parser.add_argument("--since", help="from this date or time (clinic's time zone)")
        parser.add_argument("--until", help="up to this date (inclusive) or time (exclusive)")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table")
        parser.add_argument(
            "--verify", action="store_true", help="walk the hash chain; exit code 1 on a break"
        )

    def run(self, *, org, verify, patient, user, since, until, format, **options):
        organization = organization_by_slug(slug=org)
        if verify:
            return self._verify(organization)
        if not patient and not user:
            raise InvalidInput(
                "patient: give --patient ID or --user USERNAME, or --verify", field="patient"
            )
        zone = zoneinfo.ZoneInfo(organization.timezone)
        patient_refs, merged = _patient_refs(organization, patient) if patient else ((), [])
        query = AuditQuery(
            patient_refs=patient_refs,
            username=user or "",
            since=_parse_moment(since, zone, "since", end_of_day=False),
            until=_parse_moment(until, zone, "until", end_of_day=True),
        )
        rows = [
            _row(entry, zone) for entry in audit_entry_list(organization=organization, query=query)
        ]
        if format == "table" and merged:
            # csv and json name each entry's record in their patient column
            self.stdout.write(_merged_preface(merged))
        {"table": self._table, "csv": self._csv, "json": self._json}[format](rows)

    def _verify(self, organization: Organization) -> None:
        problems = audit_verify(organization_id=organization.pk)
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(
                f"the audit log of {organization.slug} is broken in {len(problems)} place(s)"
            )
        count = audit_entry_list(organization=organization, query=AuditQuery()).count()
        self.stdout.write(f"The audit log of {organization.slug} is intact ({count} entries).")

    def _table(self, rows: list[dict]) -> None:
        if not rows:
            self.stdout.write("No audit entries match.")
            return
        cells = [[str(row[key]) for _, key in TABLE_COLUMNS] for row in rows]
        headers = [title for title, _ in TABLE_COLUMNS]
        widths = [max(len(line[i]) for line in [headers, *cells]) for i in range(len(headers))]
        for line in [headers, ["-" * width for width in widths], *cells]:
            self.stdout.write(
                "  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
            )

    def _csv(self, rows: list[dict]) -> None:
        writer = csv.DictWriter(self.stdout, fieldnames=ROW_KEYS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)

    def _json(self, rows: list[dict]) -> None:
        self.stdout.write(json.dumps(rows, indent=2, ensure_ascii=False))


def _patient_refs(
    organization: Organization, identifier: str
) -> tuple[tuple[str, ...], list[Patient]]:
    """The public ids the audit log names the patient by, and the records merged into
    theirs: a merged duplicate was the same person, so its history is part of theirs."""
    try:
        patient = patient_by_mrn_or_id(organization=organization, identifier=identifier)
    except NotFound:
        return (_unkept_patient_ref(organization, identifier),), []
    merged = patient_merged_records(patient=patient)
    return tuple(str(record.public_id) for record in [patient, *merged]), merged


def _unkept_patient_ref(organization: Organization, identifier: str) -> str:
    """A public id whose record is no longer kept (deleted in the admin) is still known by
    its entries: every patient's record starts with a creation entry, so a public id
    without any entry in this clinic is not one of its patients."""
    try:
        public_id = str(uuid.UUID(identifier))
    except ValueError:
        public_id = ""
    if (
        not public_id
        or not audit_entry_list(
            organization=organization, query=AuditQuery(patient_refs=(public_id,))
        ).exists()
    ):
        raise NotFound(f"patient: no patient with MRN or id {identifier!r}", field="patient")
    return public_id


def _merged_preface(merged: list[Patient]) -> str:
    records = ", ".join(f"{record.mrn} ({record.public_id})" for record in merged)
    return f"With the history of the records merged into this one: {records}"


def _parse_moment(
    value: str | None, zone: zoneinfo.ZoneInfo, field: str, *, end_of_day: bool
) -> datetime.datetime | None:
    """A date or an ISO time; without an offset it is in the clinic's zone. A date used as
    the end of a range includes that whole day."""
    if not value:
        return None
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        day = None
    if day:
        start = datetime.datetime.combine(day, datetime.time(), tzinfo=zone)
        return start + datetime.timedelta(days=1) if end_of_day else start
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError as error:
        raise InvalidInput(
            f"{field}: {value!r} is not a date (2025-03-01) or time (2025-03-01T09:30)",
            field=field,
        ) from error
    return moment if moment.tzinfo else moment.replace(tzinfo=zone)


def _row(entry: AuditEntry, zone: zoneinfo.ZoneInfo) -> dict:
    values = (
        entry.sequence,
        entry.occurred_at.astimezone(zone).isoformat(sep=" ", timespec="seconds"),
        entry.actor_label,
        f"{entry.action} {entry.object_type} {entry.object_ref}",
        entry.action,
        entry.object_type,
        entry.object_ref,
        entry.patient_ref,
        entry.outcome,
        entry.client_address or "command line or task",
        entry.request_id,
        entry.token_id or "",
        entry.detail,
    )
    return dict(zip(ROW_KEYS, values, strict=True))
