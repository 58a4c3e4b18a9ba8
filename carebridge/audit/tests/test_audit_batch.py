"""`audit_batch`: entries recorded inside one block are chained and written together."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from carebridge.audit.constants import AuditAction
from carebridge.audit.errors import AuditChainBroken
from carebridge.audit.models import AuditChainHead, AuditEntry
from carebridge.audit.services import AuditTarget, audit_batch, audit_record, audit_verify

LIFT_HEAD_NO_DELETE = {
    "sqlite": "DROP TRIGGER audit_head_no_delete",
    "postgresql": "DROP TRIGGER audit_head_no_delete ON audit_auditchainhead",
}


def read(organization, actor, ref: str) -> None:
    audit_record(
        organization_id=organization.pk,
        actor=actor,
        action=AuditAction.READ,
        target=AuditTarget("Patient", ref, ref),
    )


def refs(organization) -> list[str]:
    entries = AuditEntry.objects.filter(organization=organization).order_by("sequence")
    return list(entries.values_list("object_ref", flat=True))


def test_entries_of_a_block_are_written_when_it_ends_in_their_order(org_a, coordinator_a):
    with transaction.atomic(), audit_batch():
        with CaptureQueriesContext(connection) as inside:
            for ref in ("first", "second", "third"):
                read(org_a, coordinator_a, ref)
        assert refs(org_a) == []

    assert len(inside.captured_queries) == 0
    assert refs(org_a) == ["first", "second", "third"]
    assert audit_verify(organization_id=org_a.pk) == []


def test_a_block_spanning_two_organizations_keeps_each_chain(
    org_a, org_b, coordinator_a, coordinator_b
):
    read(org_b, coordinator_b, "before")
    with transaction.atomic(), audit_batch():
        read(org_a, coordinator_a, "a-1")
        read(org_b, coordinator_b, "b-1")
        read(org_a, coordinator_a, "a-2")

    assert refs(org_a) == ["a-1", "a-2"]
    assert refs(org_b) == ["before", "b-1"]
    assert audit_verify(organization_id=org_a.pk) == []
    assert audit_verify(organization_id=org_b.pk) == []


def test_a_failing_block_writes_nothing(org_a, coordinator_a):
    with pytest.raises(RuntimeError), transaction.atomic(), audit_batch():
        read(org_a, coordinator_a, "lost")
        raise RuntimeError("the change failed")

    assert refs(org_a) == []


def test_a_failing_inner_block_takes_back_only_its_own_entries(org_a, coordinator_a):
    with transaction.atomic(), audit_batch():
        read(org_a, coordinator_a, "outer")
        with pytest.raises(RuntimeError), transaction.atomic(), audit_batch():
            read(org_a, coordinator_a, "inner")
            raise RuntimeError("the inner change failed")
        read(org_a, coordinator_a, "after")

    assert refs(org_a) == ["outer", "after"]
    assert audit_verify(organization_id=org_a.pk) == []


def test_a_batch_larger_than_one_insert_stays_one_chain(org_a, coordinator_a, monkeypatch):
    # Four entries per statement where the database limits parameters (SQLite); PostgreSQL
    # takes any number of rows in one.
    per_row = len(AuditEntry._meta.concrete_fields) - 1
    monkeypatch.setattr("carebridge.core.db.SQLITE_MAX_PARAMETERS", 4 * per_row)
    names = [f"patient-{n}" for n in range(10)]
    read(org_a, coordinator_a, "before")  # the head exists

    with CaptureQueriesContext(connection) as queries, transaction.atomic(), audit_batch():
        for ref in names:
            read(org_a, coordinator_a, ref)

    table = connection.ops.quote_name(AuditEntry._meta.db_table)
    inserts = [q for q in queries.captured_queries if f"INSERT INTO {table}" in q["sql"]]
    assert len(inserts) == (1 if connection.vendor == "postgresql" else 3)  # 4 + 4 + 2 rows
    assert refs(org_a) == ["before", *names]
    assert audit_verify(organization_id=org_a.pk) == []


@pytest.mark.parametrize("entries", [1, 40])
def test_one_statement_locks_chains_and_writes_on_postgresql(org_a, coordinator_a, entries):
    read(org_a, coordinator_a, "first")  # the head exists

    with CaptureQueriesContext(connection) as queries, transaction.atomic(), audit_batch():
        for n in range(entries):
            read(org_a, coordinator_a, f"ref-{n}")

    # Every other writer of the clinic waits while the head is locked: on PostgreSQL the
    # lock, the entries and the head's advance are one statement, so that lock is never
    # held while this process answers; SQLite reads the head, writes, then advances it.
    statements = [q["sql"] for q in queries.captured_queries if "SAVEPOINT" not in q["sql"]]
    assert len(statements) == (1 if connection.vendor == "postgresql" else 3)
    assert refs(org_a) == ["first", *(f"ref-{n}" for n in range(entries))]
    assert audit_verify(organization_id=org_a.pk) == []


def test_the_first_entry_of_an_organization_starts_its_chain(org_a, coordinator_a):
    AuditEntry.objects.filter(organization=org_a).exists()  # nothing recorded yet
    AuditChainHead.objects.filter(organization=org_a).delete()

    read(org_a, coordinator_a, "first")
    read(org_a, coordinator_a, "second")

    assert refs(org_a) == ["first", "second"]
    assert AuditChainHead.objects.get(organization=org_a).last_sequence == 2
    assert audit_verify(organization_id=org_a.pk) == []


def test_no_entry_is_chained_onto_a_log_whose_head_was_deleted(org_a, coordinator_a):
    read(org_a, coordinator_a, "first")
    with connection.cursor() as cursor:  # the test's transaction restores the trigger
        cursor.execute(LIFT_HEAD_NO_DELETE[connection.vendor])
        cursor.execute("DELETE FROM audit_auditchainhead")

    with (
        pytest.raises(AuditChainBroken, match=r"audit chain head .* is missing"),
        transaction.atomic(),
    ):
        read(org_a, coordinator_a, "second")

    assert refs(org_a) == ["first"]
    assert not AuditChainHead.objects.filter(organization=org_a).exists()


def test_any_text_hashes_alike_in_python_and_in_the_database(org_a, coordinator_a):
    odd = "Zoë 李 \u2603 'quoted' \\ back%slash\x1fseparator\nnewline"
    audit_record(
        organization_id=org_a.pk,
        actor=coordinator_a,
        action=AuditAction.READ,
        target=AuditTarget("Patient", odd[:64], odd[:64]),
        detail=odd,
    )

    assert AuditEntry.objects.get(organization=org_a).detail == odd
    assert audit_verify(organization_id=org_a.pk) == []
