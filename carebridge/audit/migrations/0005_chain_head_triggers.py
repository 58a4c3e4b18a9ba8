"""Triggers that let the audit chain head only advance, on both databases: deleting it, or
moving it back, would hide entries removed from the newest end of the log."""

from django.db import migrations

SQLITE_FORWARD = [
    """CREATE TRIGGER audit_head_no_rewind BEFORE UPDATE ON audit_auditchainhead
       WHEN NEW.last_sequence <= OLD.last_sequence OR NEW.organization_id <> OLD.organization_id
       BEGIN SELECT RAISE(ABORT, 'the audit chain head only advances'); END""",
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_auditchainhead
       BEGIN SELECT RAISE(ABORT, 'the audit chain head only advances'); END""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER audit_head_no_rewind",
    "DROP TRIGGER audit_head_no_delete",
]
# The condition sits on the trigger, so an append's advance calls no function at all.
POSTGRES_FORWARD = [
    """CREATE FUNCTION audit_head_refuse_change() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit chain head only advances'; END $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER audit_head_no_rewind BEFORE UPDATE ON audit_auditchainhead
       FOR EACH ROW WHEN (NEW.last_sequence <= OLD.last_sequence
       OR NEW.organization_id <> OLD.organization_id)
       EXECUTE FUNCTION audit_head_refuse_change()""",
    """CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_auditchainhead
       FOR EACH ROW EXECUTE FUNCTION audit_head_refuse_change()""",
]
POSTGRES_BACKWARD = [
    "DROP TRIGGER audit_head_no_delete ON audit_auditchainhead",
    "DROP TRIGGER audit_head_no_rewind ON audit_auditchainhead",
    "DROP FUNCTION audit_head_refuse_change()",
]
STATEMENTS = {
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
    "postgresql": (POSTGRES_FORWARD, POSTGRES_BACKWARD),
}


def _run(direction: int):
    def run(apps, schema_editor):
        for statement in STATEMENTS.get(schema_editor.connection.vendor, ([], []))[direction]:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_chain_hashes_function")]

    operations = [migrations.RunPython(_run(0), _run(1))]
