from django.db import migrations


# Role groups get their permissions when first created (accounts.services.role_group); an
# installation made before coordinators could record time off needs them added. On a new
# database there are no groups yet, and the permissions come when they are created.
GRANTED = {
    "role:coordinator": [
        "view_availabilityexception",
        "add_availabilityexception",
        "delete_availabilityexception",
    ],
    "role:physician": ["view_availabilityexception"],
    "role:nurse": ["view_availabilityexception"],
}


def _each_group(apps):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GRANTED.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            yield group, Permission.objects.filter(
                content_type__app_label="scheduling", codename__in=codenames
            )


def grant_time_off(apps, schema_editor):
    for group, permissions in _each_group(apps):
        group.permissions.add(*permissions)


def revoke_time_off(apps, schema_editor):
    for group, permissions in _each_group(apps):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("scheduling", "0013_time_off_created_by"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]
    operations = [migrations.RunPython(grant_time_off, revoke_time_off)]
