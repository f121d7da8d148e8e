from django.db import migrations, models


def seed(apps, schema_editor):
    Note = apps.get_model("notes", "Note")
    Note.objects.create(title="Welcome", body="The first note.")
    Note.objects.create(title="Deploy checklist", body="migrate, collectstatic, smoketest.")


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="Note",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("title", models.CharField(max_length=200, unique=True)),
                ("body", models.TextField(blank=True)),
                ("created", models.DateTimeField(auto_now_add=True)),
            ],
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
