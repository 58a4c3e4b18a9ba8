"""Drop the pattern-matching index PostgreSQL gets beside the unique one on the idempotency
key: keys are looked up whole, never with LIKE, and every message written paid for it."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("notifications", "0003_unsubscribe_link")]

    operations = [
        migrations.RunSQL(
            'DROP INDEX IF EXISTS "notifications_outboundmessage_idempotency_key_66123342_like"',
            reverse_sql=migrations.RunSQL.noop,
        )
    ]
