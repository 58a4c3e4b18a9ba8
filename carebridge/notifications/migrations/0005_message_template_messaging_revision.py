from django.db import migrations

from carebridge.accounts.revision_triggers import revision_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organization_messaging_revision"),
        ("notifications", "0004_no_idempotency_key_pattern_index"),
    ]

    operations = [revision_triggers("notifications_messagetemplate", "ROW.organization_id")]
