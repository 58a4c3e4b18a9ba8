"""Booking, moving, cancelling and progressing appointments without ever double-booking.

How overlaps are prevented: every service checks for overlapping active appointments and
then writes, inside one transaction. On SQLite the transaction is IMMEDIATE, so writers
queue and the check cannot go stale. On PostgreSQL two bookings can pass the check at once;
the exclusion constraints (migration 0002) then let the first commit win and make the
second fail, which becomes the same Conflict the check raises.
"""

from __future__ import annotations

import datetime
import functools
from dataclasses import dataclass, replace

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connection, connections, transaction
from django.db.models import F

from carebridge.accounts.models import Organization, User, saved_user
from carebridge.audit.constants import AuditAction
from carebridge.audit.services import AuditTarget, audit_batch, audit_record
from carebridge.core import clock
from carebridge.core.db import (
    LockSpace,
    advisory_locks,
    insert_new,
    insert_statement,
    prepared_rows,
    quoted_column,
    retry_transaction,
    saved_as,
    unnest_of,
)
from carebridge.core.errors import Conflict, DomainError, InvalidInput, NotFound, StaleVersion
from carebridge.core.validation import check_years, choice_values
from carebridge.directory.models import Location, Practitioner
from carebridge.patients.models import Patient
from carebridge.scheduling.availability import (
    PlacementCheck,
    check_patient_bookable,
    patient_kind_refusal,
    placement_check,
)
from carebridge.scheduling.constants import (
    ACTIVE_STATUSES,
    ALLOWED_TRANSITIONS,
    AppointmentStatus,
    BookingChannel,
    CancelledBy,
)
from carebridge.scheduling.errors import SchedulingErrorCode as Code
from carebridge.scheduling.models import (
    Appointment,
    AppointmentFieldChange,
    AppointmentHistory,
    RescheduleOffer,
    VisitType,
)
from carebridge.scheduling.services.backfill import (
    backfill_after_cancel,
    backfill_after_reschedule,
    backfill_after_transition,
)
from carebridge.scheduling.services.notices import (
    notice_after_book,
    notice_after_cancel,
    notice_after_reschedule,
    notice_after_transition,
)

BOOKABLE_STATUSES = (
    AppointmentStatus.PROPOSED,
    AppointmentStatus.PENDING,
    AppointmentStatus.BOOKED,
)
MOVABLE_STATUSES = BOOKABLE_STATUSES
TRACKED_FIELDS = (
    "status",
    "start",
    "end",
    "practitioner_id",
    "location_id",
    "notes",
    "cancellation_reason",
    "cancelled_by",
    "overbook_reason",
)
PG_CONSTRAINT_CODES = {
    "appointment_no_practitioner_overlap": Code.SLOT_TAKEN,
    "appointment_no_patient_overlap": Code.PATIENT_BUSY,
}


def _check_references(organization: Organization, **objects) -> None:
    """Every referenced object belongs to the organization; otherwise it is 'not found'."""
    for name, obj in objects.items():
        if obj is None or obj.organization_id != organization.pk:
            raise NotFound(f"{name}: not found", field=name)


def _check_start(start: datetime.datetime, *, allow_past: bool) -> datetime.datetime:
    if not isinstance(start, datetime.datetime) or start.tzinfo is None:
        raise InvalidInput("start: must be a date and time with a time zone", field="start")
    check_years({"start": start})
    if not allow_past and start < clock.now():
        raise InvalidInput("start: is in the past", field="start")
    return start.astimezone(datetime.UTC)


def _check_placement(appointment: Appointment) -> PlacementCheck:
    """The practitioner works at the location and has a specialty the visit type allows (a
    visit type without allowed specialties suits everyone); read in the same statement as
    the free time, which `_check_free` then judges."""
    practitioner, location, visit_type = (
        appointment.practitioner,
        appointment.location,
        appointment.visit_type,
    )
    check = placement_check(
        practitioner=practitioner,
        location=location,
        visit_type=visit_type,
        start=appointment.start,
        end=appointment.end,
    )
    if not check.works_here:
        raise DomainError(
            f"location: {practitioner} does not work at {location}",
            code=Code.NOT_AT_LOCATION,
            field="location",
        )
    if not check.specialty_fits:
        raise DomainError(
            f"visit_type: {visit_type} needs a specialty {practitioner} does not have",
            code=Code.SPECIALTY_MISMATCH,
            field="visit_type",
        )
    return check


def _check_patient_kind(patient: Patient, visit_type: VisitType, start: datetime.datetime) -> None:
    refusal = patient_kind_refusal(patient, visit_type, start)
    if refusal is not None:
        raise refusal


def _place(appointment: Appointment, visit_type: VisitType, start: datetime.datetime) -> None:
    appointment.start = start
    appointment.end = start + datetime.timedelta(minutes=visit_type.duration_minutes)
    appointment.blocked_start = start - datetime.timedelta(minutes=visit_type.buffer_before_minutes)
    appointment.blocked_end = appointment.end + datetime.timedelta(
        minutes=visit_type.buffer_after_minutes
    )


def _check_free(appointment: Appointment, check: PlacementCheck) -> None:
    if appointment.overbooked or check.free:
        return
    local = appointment.local_start
    raise DomainError(
        f"start: {local:%Y-%m-%d %H:%M %Z} is outside {appointment.practitioner}'s "
        f"availability at {appointment.location}",
        code=Code.OUTSIDE_AVAILABILITY,
        field="start",
    )


@functools.cache
def _clash_sql() -> str:
    """Active appointments clashing with a placement, as one statement written out (like
    the fit check) because every booking and move runs it. Parameters: the statuses and
    the placement's own id (0 when new), its organization, whether the practitioner's time
    counts (not when overbooking), the practitioner and blocked span; then the statuses
    and own id again, the patient and visit span.

    One branch per rule, each with only the conditions its index leads with (a patient's
    visits are all in the patient's organization). With the rules joined by OR, or the
    organization in both, a plan PostgreSQL made while the table was small stayed in use
    and scanned all of the clinic's visits for every booking (seeding the demo spent a
    fifth of its time there)."""
    quote = connection.ops.quote_name
    meta = Appointment._meta

    def column(name: str) -> str:
        return f"a.{quoted_column(meta, name)}"

    statuses = ", ".join(["%s"] * len(ACTIVE_STATUSES))
    active = (
        f"SELECT {column('practitioner')} FROM {quote(meta.db_table)} a"  # noqa: S608
        f" WHERE {column('status')} IN ({statuses}) AND {column('id')} <> %s"
    )
    return (
        f"{active} AND {column('organization')} = %s AND %s AND {column('practitioner')} = %s"
        f" AND {column('blocked_start')} < %s AND {column('blocked_end')} > %s"
        f" UNION ALL {active} AND {column('patient')} = %s"
        f" AND {column('start')} < %s AND {column('end')} > %s"
    )


def _check_overlaps(appointment: Appointment) -> None:
    """One query for both rules; the practitioner's clash is reported first."""
    clashing_practitioners = _clashing_practitioners(appointment)
    if not clashing_practitioners:
        return
    if not appointment.overbooked and appointment.practitioner_id in clashing_practitioners:
        raise Conflict(
            "start: the practitioner is already booked at that time",
            code=Code.SLOT_TAKEN,
            field="start",
        )
    raise Conflict(
        "start: the patient already has an appointment at that time",
        code=Code.PATIENT_BUSY,
        field="start",
    )


def _clashing_practitioners(appointment: Appointment) -> set[int]:
    """The practitioners of the active visits that overlap this one for its practitioner or
    its patient. On PostgreSQL the same statement first takes the practitioner's and the
    patient's booking locks (see `advisory_locks`), held until commit."""
    database = connections[DEFAULT_DB_ALIAS]  # once: each look-up through `connection` costs
    moment = database.ops.adapt_datetimefield_value
    sql = _clash_sql()
    active = [*sorted(map(str, ACTIVE_STATUSES)), appointment.pk or 0]
    parameters = [
        *active,
        appointment.organization_id,
        not appointment.overbooked,
        appointment.practitioner_id,
        moment(appointment.blocked_end),
        moment(appointment.blocked_start),
        *active,
        appointment.patient_id,
        moment(appointment.end),
        moment(appointment.start),
    ]
    with database.cursor() as cursor:
        if database.vendor != "postgresql":
            cursor.execute(sql, parameters)
            return {practitioner_id for (practitioner_id,) in cursor}
        locks, keys = advisory_locks(
            (LockSpace.PRACTITIONER_TIME, appointment.practitioner_id),
            (LockSpace.PATIENT_TIME, appointment.patient_id),
        )
        cursor.execute(f"SELECT {locks}, ARRAY({sql})", [*keys, *parameters])
        return set(cursor.fetchone()[-1])


@dataclass(frozen=True)
class _Change:
    """A history entry to write: what was done, by whom, when and why, and each tracked
    field whose text changed (name, old, new)."""

    action: str
    actor: User | None
    changed_at: datetime.datetime
    reason: str
    fields: list[tuple[str, str, str]]


def _change(
    appointment: Appointment, actor: User | None, action: str, before: dict, reason: str = ""
) -> _Change:
    # As text, as kept: a booking's empty notes or reasons are no change from nothing.
    texts = [
        (name, _text(before.get(name)), _text(getattr(appointment, name)))
        for name in TRACKED_FIELDS
    ]
    return _Change(
        action=action,
        actor=saved_user(actor),
        changed_at=clock.now(),
        reason=reason,
        fields=[(name, old, new) for name, old, new in texts if old != new],
    )


def _history(appointment: Appointment, change: _Change) -> AppointmentHistory:
    return AppointmentHistory(
        appointment=appointment,
        version=appointment.version,
        action=change.action,
        changed_by=change.actor,
        changed_at=change.changed_at,
        reason=change.reason,
    )


def _save_without_overlap(appointment: Appointment, change: _Change) -> None:
    """Write the appointment and its history entry, unless another active visit overlaps it.
    A new one on PostgreSQL goes in one statement with its history.

    No savepoint around the write: a constraint violation aborts the whole service, whose
    own atomic block rolls back (to its savepoint, when a caller's transaction surrounds it)."""
    _check_overlaps(appointment)
    try:
        if appointment._state.adding and connection.vendor == "postgresql":
            _insert_with_history(appointment, change)
            return
        if appointment._state.adding:
            insert_new([appointment])
        else:
            appointment.save()
    except IntegrityError as error:
        constraint = getattr(getattr(error.__cause__, "diag", None), "constraint_name", None)
        code = PG_CONSTRAINT_CODES.get(constraint)
        if code is None:
            raise
        raise Conflict("start: that time was just taken", code=code, field="start") from error
    _history_write(appointment, change)


def _record(
    appointment: Appointment, actor: User | None, action: str, before: dict, reason: str = ""
) -> None:
    _history_write(appointment, _change(appointment, actor, action, before, reason))
    _audit(appointment, actor, action, reason)


def _audit(appointment: Appointment, actor: User | None, action: str, reason: str) -> None:
    audit_record(
        organization_id=appointment.organization_id,
        actor=actor,
        action=AuditAction.CREATE if action == "book" else AuditAction.UPDATE,
        target=AuditTarget(
            "Appointment", str(appointment.public_id), str(appointment.patient.public_id)
        ),
        detail=f"{action}: {reason}"[:500] if reason else action,
    )


def _history_write(appointment: Appointment, change: _Change) -> None:
    """The history entry and its field changes; on PostgreSQL in one statement (a
    data-modifying WITH): every booking, move and cancellation writes both while it holds
    the practitioner's booking lock."""
    history = _history(appointment, change)
    if connection.vendor != "postgresql":
        insert_new([history])
        insert_new(
            [
                AppointmentFieldChange(history=history, field=name, old_value=old, new_value=new)
                for name, old, new in change.fields
            ]
        )
        return
    fields, rows = prepared_rows([history])
    entry, parameters = insert_statement(AppointmentHistory, fields, rows, returning=True)
    with connection.cursor() as cursor:
        cursor.execute(
            f"WITH entry AS ({entry}) {_changes_sql()}", [*parameters, *_change_arrays(change)]
        )


def _insert_with_history(appointment: Appointment, change: _Change) -> None:
    """PostgreSQL: the new appointment, its history entry and field changes, one statement."""
    fields, rows = prepared_rows([appointment])
    insert, parameters = insert_statement(Appointment, fields, rows, returning=True)
    history_fields, [history_row] = prepared_rows([_history(appointment, change)])
    given = [
        value
        for field, value in zip(history_fields, history_row, strict=True)
        if field.name != "appointment"
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            _booking_sql(insert, history_fields),
            [*parameters, *given, *_change_arrays(change)],
        )
        (key,) = cursor.fetchone()
    saved_as(appointment, key)


def _change_arrays(change: _Change) -> list[list[str]]:
    """One array per column of the field changes: field names, old values, new values."""
    return [[field[position] for field in change.fields] for position in range(3)]


@functools.lru_cache(maxsize=8)
def _booking_sql(appointment_insert: str, history_fields: tuple) -> str:
    """The appointment's INSERT (as `insert_statement` writes it), then its history entry
    (the appointment's new id, then one parameter per other field, in order) and the
    entry's field changes (`_changes_sql`); answers the appointment's id."""
    quote = connection.ops.quote_name
    meta = AppointmentHistory._meta
    key = quote(Appointment._meta.pk.column)
    columns = ", ".join(quote(field.column) for field in history_fields)
    selected = ", ".join(
        f"appointment.{key}" if field.name == "appointment" else f"%s::{field.db_type(connection)}"
        for field in history_fields
    )
    return (
        f"WITH appointment AS ({appointment_insert}),"  # noqa: S608 - names from the models
        f" entry AS (INSERT INTO {quote(meta.db_table)} ({columns})"
        f" SELECT {selected} FROM appointment RETURNING {quote(meta.pk.column)}),"
        f" changes AS ({_changes_sql()})"
        f" SELECT {key} FROM appointment"
    )


@functools.cache
def _changes_sql() -> str:
    """INSERT of the field changes of the history entry written by the enclosing WITH
    (`entry`), from three arrays: field names, old values, new values."""
    quote = connection.ops.quote_name
    meta = AppointmentFieldChange._meta
    names = ("history", "field", "old_value", "new_value")
    columns = ", ".join(quoted_column(meta, name) for name in names)
    arrays = unnest_of([meta.get_field(name) for name in names[1:]])
    return (
        f"INSERT INTO {quote(meta.db_table)} ({columns})"  # noqa: S608
        f" SELECT entry.{quote(AppointmentHistory._meta.pk.column)}, change.*"
        f" FROM entry, {arrays} AS change"
    )


def _text(value) -> str:
    if isinstance(value, datetime.datetime):
        return value.astimezone(datetime.UTC).isoformat()
    return "" if value is None else str(value)[:200]


def _snapshot(appointment: Appointment) -> dict:
    return {name: getattr(appointment, name) for name in TRACKED_FIELDS}


def _claim_version(appointment: Appointment, expected_version: int | None) -> None:
    """Bump the version only if nobody else did since the caller read it."""
    version = appointment.version if expected_version is None else expected_version
    claimed = Appointment.objects.filter(pk=appointment.pk, version=version).update(
        version=F("version") + 1
    )
    if not claimed:
        raise _stale_version()
    appointment.version = version + 1


def _stale_version() -> StaleVersion:
    return StaleVersion(
        "version: the appointment was changed by someone else; reload and try again",
        field="version",
    )


def check_fresh(appointment: Appointment, expected_version: int | None) -> None:
    """Refuse a change made from a page read before the appointment's latest version."""
    if expected_version not in (None, appointment.version):
        raise _stale_version()


@retry_transaction()
@transaction.atomic
@audit_batch()
def appointment_book(
    *,
    organization: Organization,
    actor: User | None,
    patient: Patient,
    practitioner: Practitioner,
    location: Location,
    visit_type: VisitType,
    start: datetime.datetime,
    channel: str = BookingChannel.WEB,
    notes: str = "",
    overbook_reason: str = "",
    status: str = AppointmentStatus.BOOKED,
    allow_past: bool = False,
    booked_at: datetime.datetime | None = None,
) -> Appointment:
    """Book a visit. `booked_at` (default now) is when the patient asked, for imported history.

    Invariants: all references belong to the organization; the patient's record is active
    and not merged into another; the practitioner works at the location and has a specialty
    the visit type allows; the visit lies in free time (unless
    overbooked with a reason); neither the practitioner (visit plus buffers) nor the patient
    has another active appointment overlapping it. Side effects: history, audit entry, the
    patient's confirmation and the reminders due within a day in the outbox.
    """
    _check_references(
        organization,
        patient=patient,
        practitioner=practitioner,
        location=location,
        visit_type=visit_type,
    )
    check_patient_bookable(patient)
    if status not in BOOKABLE_STATUSES:
        raise InvalidInput(
            f"status: a new appointment can be {', '.join(BOOKABLE_STATUSES)}", field="status"
        )
    if channel not in choice_values(BookingChannel):
        raise InvalidInput(f"channel: unknown booking channel {channel!r}", field="channel")
    if booked_at is not None and booked_at > clock.now():
        raise InvalidInput(
            "booked_at: a visit cannot have been booked later than now", field="booked_at"
        )
    appointment = Appointment(
        organization=organization,
        patient=patient,
        practitioner=practitioner,
        location=location,
        visit_type=visit_type,
        status=status,
        notes=notes,
        booking_channel=channel,
        created_by=saved_user(actor),
        overbooked=bool(overbook_reason.strip()),
        overbook_reason=overbook_reason.strip(),
        booked_at=booked_at or clock.now(),
    )
    _place(appointment, visit_type, _check_start(start, allow_past=allow_past))
    placement = _check_placement(appointment)
    _check_patient_kind(patient, visit_type, appointment.start)
    _check_free(appointment, placement)
    reason = appointment.overbook_reason
    change = _change(appointment, actor, "book", {}, reason)
    # The history's "book" is when the patient booked: imported history says when that was.
    _save_without_overlap(appointment, replace(change, changed_at=appointment.booked_at))
    _audit(appointment, actor, "book", reason)
    notice_after_book(appointment=appointment)
    return appointment


@retry_transaction()
@transaction.atomic
@audit_batch()
def appointment_reschedule(
    *,
    appointment: Appointment,
    actor: User | None,
    start: datetime.datetime,
    practitioner: Practitioner | None = None,
    location: Location | None = None,
    expected_version: int | None = None,
    reason: str = "",
    overbook_reason: str = "",
) -> Appointment:
    """Move a visit to another time (and optionally practitioner or location).

    Same invariants as booking, checked against every other appointment. Side effects:
    version + 1, history with the old and new values, audit entry, the visit's open
    reschedule offer closed, the patient's update and re-planned reminders in the outbox.
    A move to where the visit already is changes nothing and is returned as it is.
    """
    organization = appointment.organization
    practitioner = practitioner or appointment.practitioner
    location = location or appointment.location
    _check_references(organization, practitioner=practitioner, location=location)
    if appointment.status not in MOVABLE_STATUSES:
        raise DomainError(
            f"status: a {appointment.status} appointment cannot be moved",
            code=Code.ILLEGAL_TRANSITION,
            field="status",
        )
    if (practitioner.pk, location.pk, start) == (
        appointment.practitioner_id,
        appointment.location_id,
        appointment.start,
    ):
        # Telling the patient their visit "moved" to the time it already has would only
        # confuse them; a stale version is still refused, as for any change.
        check_fresh(appointment, expected_version)
        return appointment
    before = _snapshot(appointment)
    _claim_version(appointment, expected_version)
    appointment.practitioner, appointment.location = practitioner, location
    appointment.overbooked = bool(overbook_reason.strip())
    appointment.overbook_reason = overbook_reason.strip()
    _place(appointment, appointment.visit_type, _check_start(start, allow_past=False))
    _check_free(appointment, _check_placement(appointment))
    reason = reason.strip()
    _save_without_overlap(appointment, _change(appointment, actor, "reschedule", before, reason))
    _audit(appointment, actor, "reschedule", reason)
    reschedule_offers_close(appointment=appointment)
    notice_after_reschedule(appointment=appointment)
    backfill_after_reschedule(appointment=appointment, before=before)
    return appointment


@transaction.atomic
@audit_batch()
def appointment_cancel(
    *,
    appointment: Appointment,
    actor: User | None,
    reason: str,
    cancelled_by: str = CancelledBy.CLINIC,
    expected_version: int | None = None,
) -> Appointment:
    """Cancel a visit, recording who cancelled and why; its time becomes free at once.

    Side effects: history, audit entry, its open reschedule offer closed, the patient's
    notice in the outbox, the freed time offered to the waitlist.
    """
    if not reason.strip():
        raise InvalidInput("reason: say why the appointment is cancelled", field="reason")
    if cancelled_by not in choice_values(CancelledBy):
        raise InvalidInput(
            f"cancelled_by: one of {', '.join(CancelledBy.values)}", field="cancelled_by"
        )
    _check_transition(appointment, AppointmentStatus.CANCELLED, expected_version)
    before = _snapshot(appointment)
    _claim_version(appointment, expected_version)
    appointment.status = AppointmentStatus.CANCELLED
    appointment.cancellation_reason = reason.strip()[:200]
    appointment.cancelled_by = cancelled_by
    appointment.save()
    _record(appointment, actor, "cancel", before, reason=appointment.cancellation_reason)
    reschedule_offers_close(appointment=appointment)
    notice_after_cancel(appointment=appointment)
    backfill_after_cancel(appointment=appointment)
    return appointment


def reschedule_offers_close(*, appointment: Appointment) -> None:
    """Close the visit's open reschedule offer, if any.

    Its options were found for the visit as it was, so once the visit moves or ends they
    must not move it again. A patient's own choice closes its offer before moving the
    visit, so this finds nothing then and keeps the chosen number.
    """
    RescheduleOffer.objects.filter(appointment=appointment, closed_at__isnull=True).update(
        closed_at=clock.now()
    )


def _earliest_mark(appointment: Appointment, status: str) -> datetime.datetime | None:
    """The first moment the visit may be marked `status`: a no-show or a visit that took
    place once it has begun; arrived or checked in from the start of its day in the
    location's zone. None: no such limit."""
    if status in (AppointmentStatus.NOSHOW, AppointmentStatus.FULFILLED):
        return appointment.start
    if status in (AppointmentStatus.ARRIVED, AppointmentStatus.CHECKED_IN):
        local_start = appointment.local_start
        return local_start.replace(hour=0, minute=0, second=0, microsecond=0)
    return None


def transition_refusal(appointment: Appointment, status: str) -> DomainError | None:
    """Why the visit cannot move to `status` now, or None when it can: the lifecycle may not
    allow that step, or it may be too early for it (e.g. a no-show before the visit)."""
    if status not in ALLOWED_TRANSITIONS.get(appointment.status, ()):
        return DomainError(
            f"status: cannot go from {appointment.status} to {status}",
            code=Code.ILLEGAL_TRANSITION,
            field="status",
        )
    earliest = _earliest_mark(appointment, status)
    if earliest is not None and clock.now() < earliest:
        label = AppointmentStatus(status).label.lower()
        return DomainError(
            f"status: too early to mark the appointment as {label}",
            code=Code.TOO_EARLY,
            field="status",
        )
    return None


def _check_transition(appointment: Appointment, status: str, expected_version: int | None) -> None:
    # A page read before someone else's change is told so first: the status it shows is out
    # of date, so a step refused from the current one (two people pressing Arrived) is too.
    check_fresh(appointment, expected_version)
    refusal = transition_refusal(appointment, status)
    if refusal is not None:
        raise refusal


@transaction.atomic
@audit_batch()
def appointment_transition(
    *,
    appointment: Appointment,
    actor: User | None,
    status: str,
    expected_version: int | None = None,
    reason: str = "",
) -> Appointment:
    """Move a visit along its lifecycle (confirm, arrived, checked-in, fulfilled, no-show,
    entered-in-error); cancelling has its own service because it needs a reason."""
    if status == AppointmentStatus.CANCELLED:
        return appointment_cancel(
            appointment=appointment, actor=actor, reason=reason, expected_version=expected_version
        )
    if status not in choice_values(AppointmentStatus):
        raise InvalidInput(f"status: unknown status {status!r}", field="status")
    _check_transition(appointment, status, expected_version)
    before = _snapshot(appointment)
    _claim_version(appointment, expected_version)
    appointment.status = status
    appointment.save()
    _record(appointment, actor, status, before, reason=reason)
    notice_after_transition(appointment=appointment, previous_status=before["status"])
    backfill_after_transition(appointment=appointment, previous_status=before["status"])
    return appointment


@transaction.atomic
def appointment_patient_change(
    *,
    appointment: Appointment,
    patient: Patient,
    actor: User | None,
    reason: str,
    action: str = "merge",
) -> Appointment:
    """Move a visit to another record of the same person (two records merged, `action`
    "merge") or back (the merge undone, "unmerge"): the visit keeps its time and status;
    its history names the record it came from. The caller checks the record it goes to has
    no visit at the same time."""
    before = appointment.patient
    _claim_version(appointment, None)
    appointment.patient = patient
    appointment.save(update_fields=["patient", "version", "updated_at"])
    change = _Change(
        action=action,
        actor=saved_user(actor),
        changed_at=clock.now(),
        reason=reason,
        fields=[("patient", before.mrn, patient.mrn)],
    )
    _history_write(appointment, change)
    _audit(appointment, actor, action, reason)
    return appointment


@transaction.atomic
def appointment_update_notes(
    *,
    appointment: Appointment,
    actor: User | None,
    notes: str,
    expected_version: int | None = None,
) -> Appointment:
    """Change the free-text notes of a visit."""
    before = _snapshot(appointment)
    _claim_version(appointment, expected_version)
    appointment.notes = notes
    appointment.save()
    _record(appointment, actor, "notes", before)
    return appointment
