"""Drop the index of the organization alone: the three (organization, ...) indexes, which it
leads, serve every read by organization, and every booking wrote an entry in it. Only the
index goes; Django's AlterField would rebuild the table on SQLite and re-check every row's
foreign key on PostgreSQL."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organization_messaging_revision"),
        ("scheduling", "0009_reminder_policy_messaging_revision"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="appointment",
                    name="organization",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        to="accounts.organization",
                    ),
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "scheduling_appointment_organization_id_b9bcf979"',
                    reverse_sql='CREATE INDEX "scheduling_appointment_organization_id_b9bcf979"'
                    ' ON "scheduling_appointment" ("organization_id")',
                )
            ],
        )
    ]
