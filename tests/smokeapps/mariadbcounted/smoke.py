"""MySQL/MariaDB: what the worker's session sent the server while a test
ran, from the server's own per-session counters (``Questions``, ``Com_*``):
``Counted`` minus ``Baseline``, whose only difference is ``test_b``
(``COUNTS``, read by the test)."""

import os

from django.db import connection

from smoketest import SmokeTest
from tests.testapp.models import Widget

COUNTS: dict[str, dict[str, int]] = {}


def counters() -> dict[str, int]:
    """This session's statement counters so far (this statement included)."""
    with connection.cursor() as cursor:
        cursor.execute("SHOW SESSION STATUS WHERE Variable_name = 'Questions' OR Variable_name LIKE 'Com\\_%'")
        return {name: int(value) for name, value in cursor.fetchall() if value.isdigit()}


class Baseline(SmokeTest):
    parallel = False  # one session, in order

    def test_a_count(self):
        COUNTS["baseline_a"] = counters()

    def test_c_count(self):
        COUNTS["baseline_c"] = counters()


class Counted(SmokeTest):
    parallel = False

    def test_a_count(self):
        COUNTS["counted_a"] = counters()

    def test_b_the_test_counted(self):
        if os.environ.get("SMOKETEST_TRACE_QUERY"):
            Widget.objects.count()

    def test_c_count(self):
        COUNTS["counted_c"] = counters()
