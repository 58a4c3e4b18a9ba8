from django.db import migrations
from django.db.models import F


def booked_when_created(apps, schema_editor):
    apps.get_model("scheduling", "Appointment").objects.update(booked_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("scheduling", "0003_appointment_booked_confirmed")]

    operations = [migrations.RunPython(booked_when_created, migrations.RunPython.noop)]
