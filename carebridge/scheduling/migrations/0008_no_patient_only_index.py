"""Drop the index of the patient alone: (patient, start), which it leads, serves every read
by patient. Only the index goes; Django's AlterField would rebuild the table on SQLite and
re-check every row's foreign key on PostgreSQL."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("patients", "0003_contact_opt_outs_zone_payer"),
        ("scheduling", "0007_appointment_busy_index"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="appointment",
                    name="patient",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="appointments",
                        to="patients.patient",
                    ),
                )
            ],
            database_operations=[
                migrations.RunSQL(
                    'DROP INDEX IF EXISTS "scheduling_appointment_patient_id_1a2fb708"',
                    reverse_sql='CREATE INDEX "scheduling_appointment_patient_id_1a2fb708"'
                    ' ON "scheduling_appointment" ("patient_id")',
                )
            ],
        )
    ]
