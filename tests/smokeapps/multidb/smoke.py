from django.db import connections

from smoketest import SmokeTest
from tests.testapp.models import Widget


class EveryAlias(SmokeTest):
    def test_writes_every_alias(self):
        for alias in connections:
            Widget.objects.using(alias).create(name=f"write-{alias}")
        self.assertEqual([Widget.objects.using(alias).count() for alias in connections], [1] * len(list(connections)))
