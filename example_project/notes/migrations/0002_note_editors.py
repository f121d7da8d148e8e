from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR_PERMISSIONS = ["add_note", "change_note", "view_note"]


def create_editors(apps, schema_editor):
    # Django creates permissions after the last migration (post_migrate): create this app's now.
    notes = apps.get_app_config("notes")
    notes.models_module = True  # create_permissions skips an app config without models
    create_permissions(notes, apps=apps, verbosity=0)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    editors, _ = Group.objects.get_or_create(name="Note editors")
    editors.permissions.add(*Permission.objects.filter(content_type__app_label="notes", codename__in=EDITOR_PERMISSIONS))


class Migration(migrations.Migration):
    dependencies = [("notes", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_editors, migrations.RunPython.noop)]
