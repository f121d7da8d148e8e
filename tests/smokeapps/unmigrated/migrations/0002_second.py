from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("unmigrated", "0001_initial")]
    operations = []
