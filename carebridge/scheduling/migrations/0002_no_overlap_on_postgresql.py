"""Exclusion constraints that make overlapping active appointments impossible on PostgreSQL.

SQLite has no exclusion constraints; there the booking service checks and inserts inside an
IMMEDIATE transaction, which admits one writer at a time.
"""

from django.db import migrations

ACTIVE = "('proposed', 'pending', 'booked', 'arrived', 'checked-in', 'fulfilled')"

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    f"""ALTER TABLE scheduling_appointment ADD CONSTRAINT appointment_no_practitioner_overlap
        EXCLUDE USING gist (practitioner_id WITH =,
                            tstzrange(blocked_start, blocked_end, '[)') WITH &&)
        WHERE (status IN {ACTIVE} AND NOT overbooked)""",
    f"""ALTER TABLE scheduling_appointment ADD CONSTRAINT appointment_no_patient_overlap
        EXCLUDE USING gist (patient_id WITH =, tstzrange(start, "end", '[)') WITH &&)
        WHERE (status IN {ACTIVE})""",
]
BACKWARD = [
    "ALTER TABLE scheduling_appointment DROP CONSTRAINT appointment_no_patient_overlap",
    "ALTER TABLE scheduling_appointment DROP CONSTRAINT appointment_no_practitioner_overlap",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0001_initial")]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
