"""PostgreSQL: what the driver sends while a test runs, from libpq's own
trace of the wire protocol (``SMOKETEST_TRACE_FILE``, set by the test)."""

import os

from django.db import connection

from smoketest import SmokeTest
from tests.testapp.models import Widget

TRACE = {}


class Traced(SmokeTest):
    parallel = False  # one connection traced from the first test to the last, in order

    def test_a_start_tracing(self):
        TRACE["file"] = open(os.environ["SMOKETEST_TRACE_FILE"], "w")  # noqa: SIM115  (closed by test_c)
        connection.connection.pgconn.trace(TRACE["file"].fileno())

    def test_b_the_test_traced(self):
        if os.environ.get("SMOKETEST_TRACE_QUERY"):
            Widget.objects.count()

    def test_c_stop_tracing(self):
        connection.connection.pgconn.untrace()
        TRACE.pop("file").close()
