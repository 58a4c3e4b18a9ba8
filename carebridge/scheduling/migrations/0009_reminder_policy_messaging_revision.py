from django.db import migrations

from carebridge.accounts.revision_triggers import revision_triggers


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organization_messaging_revision"),
        ("scheduling", "0008_no_patient_only_index"),
    ]

    operations = [
        revision_triggers("scheduling_reminderpolicy", "ROW.organization_id"),
        revision_triggers(
            "scheduling_reminderoffset",
            "(SELECT organization_id FROM scheduling_reminderpolicy WHERE id = ROW.policy_id)",
        ),
    ]
