"""Writes to a table without transactions (MyISAM), which no rollback undoes."""

from django.db import connection

from smoketest import SmokeTest
from tests.testapp.models import Widget


class NonTransactional(SmokeTest):
    def test_writes_the_myisam_table(self):
        with connection.cursor() as cursor:
            cursor.execute("INSERT INTO smoketest_myisam (id) VALUES (1)")

    def test_writes_a_transactional_table_beside_it(self):
        Widget.objects.create(name="beside-myisam")
