"""`carebridge audit --verify`: an edited, deleted or reordered audit log is reported."""

import io
from contextlib import contextmanager

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from carebridge.audit.constants import AuditAction
from carebridge.audit.services import AuditTarget, audit_record

DROP_TRIGGERS = {
    "sqlite": [
        "DROP TRIGGER audit_entry_no_update",
        "DROP TRIGGER audit_entry_no_delete",
        "DROP TRIGGER audit_head_no_rewind",
        "DROP TRIGGER audit_head_no_delete",
    ],
    "postgresql": [
        "DROP TRIGGER audit_entry_append_only ON audit_auditentry",
        "DROP TRIGGER audit_head_no_rewind ON audit_auditchainhead",
        "DROP TRIGGER audit_head_no_delete ON audit_auditchainhead",
    ],
}


@contextmanager
def tampering():
    """Lift the triggers of the log and its chain head; the test's transaction restores
    them on rollback."""
    with connection.cursor() as cursor:
        for statement in DROP_TRIGGERS[connection.vendor]:
            cursor.execute(statement)
        yield cursor


def verify(slug: str = "clinic-a") -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("audit", "--org", slug, "--verify", stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def broken_chain_report() -> str:
    err = io.StringIO()
    with pytest.raises(CommandError, match="the audit log of clinic-a is broken") as raised:
        call_command("audit", "--org", "clinic-a", "--verify", stderr=err)
    assert raised.value.returncode == 1
    return err.getvalue()


@pytest.fixture
def four_reads(org_a, coordinator_a):
    for number in range(1, 5):
        audit_record(
            organization_id=org_a.pk,
            actor=coordinator_a,
            action=AuditAction.READ,
            target=AuditTarget("Patient", f"patient-{number}", f"patient-{number}"),
        )


def test_intact_log_passes(four_reads):
    out, err = verify()

    assert out.strip() == "The audit log of clinic-a is intact (4 entries)."
    assert err == ""


def test_the_triggers_refuse_changes_without_tampering(four_reads):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE audit_auditentry SET detail = 'x' WHERE sequence = 2")


@pytest.mark.parametrize(
    "statement",
    [
        "DELETE FROM audit_auditchainhead",
        "UPDATE audit_auditchainhead SET last_sequence = last_sequence - 1",
        "UPDATE audit_auditchainhead SET last_hash = 'x'",
    ],
)
def test_the_triggers_let_the_chain_head_only_advance(four_reads, statement):
    with (
        pytest.raises(DatabaseError, match="the audit chain head only advances"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)


def test_edited_entry(four_reads):
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditentry SET actor_label = 'nobody' WHERE sequence = 2")

    assert broken_chain_report().splitlines() == ["entry 2 was altered"]


def test_deleted_entry(four_reads):
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE sequence = 2")

    assert broken_chain_report().splitlines() == [
        "entry 2 is missing (next is 3)",
        "entry 3 does not follow the entry before it",
    ]


def test_deleted_newest_entry(four_reads):
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE sequence = 4")

    assert broken_chain_report().splitlines() == ["the newest entries were removed or replaced"]


def test_every_entry_deleted(four_reads):
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditentry")

    assert broken_chain_report().splitlines() == ["the newest entries were removed or replaced"]


@pytest.mark.parametrize("newest_deleted_too", [False, True])
def test_deleted_chain_head(four_reads, newest_deleted_too):
    with tampering() as cursor:
        cursor.execute("DELETE FROM audit_auditchainhead")
        if newest_deleted_too:
            cursor.execute("DELETE FROM audit_auditentry WHERE sequence = 4")

    assert broken_chain_report().splitlines() == ["the chain head is missing"]


def test_swapped_entries(four_reads):
    with tampering() as cursor:
        for old, new in [(2, -2), (3, 2), (-2, 3)]:
            cursor.execute(
                "UPDATE audit_auditentry SET sequence = %s WHERE sequence = %s", [new, old]
            )

    report = broken_chain_report().splitlines()
    assert "entry 2 does not follow the entry before it" in report
    assert "entry 2 was altered" in report
    assert "entry 3 was altered" in report


def test_other_clinics_log_is_checked_separately(four_reads, org_b):
    with tampering() as cursor:
        cursor.execute("UPDATE audit_auditentry SET detail = 'x' WHERE sequence = 3")

    out, _ = verify("clinic-b")

    assert out.strip() == "The audit log of clinic-b is intact (0 entries)."
