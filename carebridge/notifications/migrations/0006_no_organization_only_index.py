"""Drop the index of the organization alone: outbox_org_recent, which it leads, serves every
read by organization, and each version of a message (written, claimed, sent) wrote an entry
in it. Only the index goes; Django's AlterField would rebuild the table on SQLite and
re-check every row's foreign key on PostgreSQL."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organization_messaging_revision"),
        ("notifications", "0005_message_template_messaging_revision"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="outboundmessage",
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
                    'DROP INDEX IF EXISTS "notifications_outboundmessage_organization_id_d159f603"',
                    reverse_sql='CREATE INDEX'
                    ' "notifications_outboundmessage_organization_id_d159f603"'
                    ' ON "notifications_outboundmessage" ("organization_id")',
                )
            ],
        )
    ]
