import datetime

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.db.models import Model

from carebridge.accounts.models import Organization
from carebridge.core.db import insert_new
from carebridge.scheduling.waitlist_models import WaitlistEntry

pytestmark = pytest.mark.django_db

NOON = datetime.datetime(2026, 3, 2, 12, tzinfo=datetime.UTC)


def _waitlist_entry(clinic, patient, **fields) -> WaitlistEntry:
    return WaitlistEntry(
        organization=clinic.organization, patient=patient, visit_type=clinic.visit_type, **fields
    )


def _columns(obj: Model) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


@time_machine.travel(NOON, tick=False)
def test_writes_every_row_in_one_statement_and_keys_each(django_assert_num_queries):
    clinics = [Organization(slug=f"clinic-{n}", name=f"Clinic {n}") for n in range(3)]

    with django_assert_num_queries(1):
        insert_new(clinics)

    for clinic in clinics:
        assert clinic.pk is not None and not clinic._state.adding
        assert clinic.created_at == NOON  # auto_now_add, as bulk_create sets it
        # each object got its own row's key
        assert _columns(Organization.objects.get(pk=clinic.pk)) == _columns(clinic)


def test_nothing_to_write_runs_no_statement(django_assert_num_queries):
    with django_assert_num_queries(0):
        insert_new([])


def test_a_broken_constraint_writes_none_of_the_rows():
    Organization.objects.create(slug="taken", name="First")

    with pytest.raises(IntegrityError), transaction.atomic():
        insert_new([Organization(slug="free", name="A"), Organization(slug="taken", name="B")])

    assert not Organization.objects.filter(slug="free").exists()


def test_many_rows_keep_their_order_values_and_empty_columns(clinic_a, patient_a):
    # Every kind of column a booking writes: text, JSON, dates and times, keys that are
    # empty in every row (PostgreSQL then gets an array of nulls), in more rows than one
    # VALUES list of SQLite would take.
    entries = [
        _waitlist_entry(
            clinic_a,
            patient_a,
            weekdays=[n % 7, (n + 2) % 7] if n % 3 else [],
            time_from=datetime.time(8 + n % 9) if n % 2 else None,
            earliest_date=datetime.date(2026, 3, 1) + datetime.timedelta(days=n),
            note=f"entry {n}" + " 'quoted', {braced}" * (n % 2),
        )
        for n in range(1200)
    ]

    insert_new(entries)

    stored = WaitlistEntry.objects.in_bulk([entry.pk for entry in entries])
    assert [entry.pk for entry in entries] == sorted(entry.pk for entry in entries)
    for entry in entries:
        assert _columns(stored[entry.pk]) == _columns(entry)
    assert {entry.practitioner_id for entry in stored.values()} == {None}


def test_postgresql_writes_many_rows_with_one_statement_text_whatever_their_number(clinic_a):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite takes one VALUES list per insert")
    statements = []

    def note(execute, sql, params, many, context):
        statements.append((sql, len(params)))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(note):
        for count in (10, 60, 1):
            insert_new([Organization(slug=f"c-{count}-{n}", name="C") for n in range(count)])

    (many, arrays), (more, more_arrays), (one, values) = statements
    assert many == more and arrays == more_arrays  # one array per column
    assert "VALUES" in one and values == arrays  # one row: single values
    assert Organization.objects.filter(slug__startswith="c-").count() == 71


@time_machine.travel(NOON, tick=False)
def test_rows_alike_in_every_column_are_each_written(clinic_a, patient_a):
    # Enough rows for PostgreSQL's arrays, and not one value that differs between them.
    entries = [
        _waitlist_entry(clinic_a, patient_a, weekdays=[1, 3], note="same") for _ in range(60)
    ]

    insert_new(entries)

    assert len({entry.pk for entry in entries}) == 60
    stored = WaitlistEntry.objects.filter(note="same")
    assert sorted(stored.values_list("pk", flat=True)) == [entry.pk for entry in entries]
    assert all(entry.weekdays == [1, 3] for entry in stored)


def test_a_value_shared_by_rows_is_written_in_each_among_others(clinic_a, patient_a):
    # Rows share the very same objects (one list, one time) between rows that differ.
    weekdays, time_from = [2, 4], datetime.time(9)
    choices = [(weekdays, time_from), ([5], None), (weekdays, time_from), (weekdays, None)]
    entries = [
        _waitlist_entry(clinic_a, patient_a, weekdays=days, time_from=start, note=str(n))
        for n, (days, start) in enumerate(choices * 20)
    ]

    insert_new(entries)

    stored = WaitlistEntry.objects.in_bulk([entry.pk for entry in entries])
    for entry in entries:
        assert _columns(stored[entry.pk]) == _columns(entry)
