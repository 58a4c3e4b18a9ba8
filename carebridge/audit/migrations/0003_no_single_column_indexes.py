"""Drop the single-column indexes of organization and patient_ref: the unique constraint
and the composite index, both led by the organization, serve every read of the log.

Only the indexes go. Django's own AlterField would rebuild the table on SQLite, which drops
the append-only triggers with it, and on PostgreSQL re-check every row's foreign key.
"""

import django.db.models.deletion
from django.db import migrations, models

INDEXES = [
    "audit_auditentry_organization_id_ccde4cfe",
    "audit_auditentry_patient_ref_f6813666",
    "audit_auditentry_patient_ref_f6813666_like",  # PostgreSQL's pattern index of the text
]


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("audit", "0002_append_only_triggers"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="auditentry",
                    name="organization",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="accounts.organization",
                    ),
                ),
                migrations.AlterField(
                    model_name="auditentry",
                    name="patient_ref",
                    field=models.CharField(blank=True, max_length=64),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in INDEXES],
                    reverse_sql=[
                        'CREATE INDEX "audit_auditentry_organization_id_ccde4cfe"'
                        ' ON "audit_auditentry" ("organization_id")',
                        'CREATE INDEX "audit_auditentry_patient_ref_f6813666"'
                        ' ON "audit_auditentry" ("patient_ref")',
                    ],
                )
            ],
        )
    ]
