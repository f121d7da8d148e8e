"""SQLite: every statement the worker's connection runs while a test runs,
from sqlite3's own trace callback (``TRACE``, read by the test)."""

import os

from django.db import connection

from smoketest import SmokeTest
from tests.testapp.models import Widget

TRACE: list[str] = []


class Traced(SmokeTest):
    parallel = False  # one connection traced from the first test to the last, in order

    def test_a_start_tracing(self):
        connection.connection.set_trace_callback(TRACE.append)

    def test_b_the_test_traced(self):
        TRACE.append("-- test_b begins")
        if os.environ.get("SMOKETEST_TRACE_QUERY"):
            Widget.objects.count()
        TRACE.append("-- test_b ends")

    def test_c_stop_tracing(self):
        connection.connection.set_trace_callback(None)
