from django.db import migrations
from django.db.models import F


def joined_when_created(apps, schema_editor):
    apps.get_model("scheduling", "WaitlistEntry").objects.update(joined_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0011_waitlist_joined_at")]

    operations = [migrations.RunPython(joined_when_created, migrations.RunPython.noop)]
