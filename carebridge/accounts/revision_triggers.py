"""Database triggers that give an organization a new messaging revision whenever a row of
a table it depends on changes (see `Organization.messaging_revision`): every way of
writing, the admin and plain SQL included, tells the processes that keep those rows in
memory.

The new revision is a random number, not the old one plus one: a change that rolls back
(a preview's draft) takes its revision with it for good, so what a process kept under it
is never asked for again."""

from __future__ import annotations

from django.db import migrations

ORGANIZATION_TABLE = "accounts_organization"


# A random non-negative 63-bit number, in each database's words.
RANDOM_REVISION = {
    "postgresql": "floor(random() * 9223372036854775807)::bigint",
    "sqlite": "random() & 9223372036854775807",
}


def _renew(vendor: str, organization: str) -> str:
    return (
        f"UPDATE {ORGANIZATION_TABLE} SET messaging_revision = {RANDOM_REVISION[vendor]}"  # noqa: S608
        f" WHERE id = {organization}"
    )


def _statements(vendor: str, table: str, organization: str) -> tuple[list[str], list[str]]:
    """Create and drop statements. `organization` is an SQL expression over the changed
    row, which it names ROW (e.g. "ROW.organization_id")."""
    old, new = organization.replace("ROW", "OLD"), organization.replace("ROW", "NEW")
    if vendor == "postgresql":
        function = f"{table}_renews_messaging_revision"
        return [
            f"""CREATE FUNCTION {function}() RETURNS trigger AS $$
            BEGIN
                IF TG_OP <> 'INSERT' THEN {_renew(vendor, old)}; END IF;
                IF TG_OP <> 'DELETE' THEN {_renew(vendor, new)}; END IF;
                RETURN NULL;
            END $$ LANGUAGE plpgsql""",
            f"""CREATE TRIGGER {table}_messaging_revision
            AFTER INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION {function}()""",
        ], [f"DROP TRIGGER {table}_messaging_revision ON {table}", f"DROP FUNCTION {function}()"]
    events = {"insert": [new], "update": [old, new], "delete": [old]}
    return [
        f"""CREATE TRIGGER {table}_{event}_messaging_revision AFTER {event.upper()} ON {table}
        BEGIN {"; ".join(_renew(vendor, row) for row in rows)}; END"""
        for event, rows in events.items()
    ], [f"DROP TRIGGER {table}_{event}_messaging_revision" for event in events]


def revision_triggers(table: str, organization: str) -> migrations.RunPython:
    """A migration operation adding (and on reversal dropping) the triggers on `table`;
    `organization` as in `_statements`."""

    def run(direction: int):
        def apply(apps, schema_editor):
            vendor = schema_editor.connection.vendor
            for statement in _statements(vendor, table, organization)[direction]:
                schema_editor.execute(statement)

        return apply

    return migrations.RunPython(run(0), run(1))
