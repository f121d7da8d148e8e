"""Tests with different time limits on one worker, one after the other:
each records its session's statement limit (``CHANGES``)."""

from django.db import connection

from smoketest import SmokeTest
from smoketest import timeout as own_limit

CHANGES: list[str] = []


def record() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('statement_timeout')")
        CHANGES.append(cursor.fetchone()[0])


class LimitChanges(SmokeTest):
    timeout = 3

    def test_a_class_limit(self):
        record()

    @own_limit(2)
    def test_b_own_limit(self):
        record()

    def test_c_class_limit_again(self):
        record()
