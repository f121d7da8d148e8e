"""Records its worker's session and that session's statement limit
(``LIMITS``, read by the test), after a test that lifted the limit inside
its own transaction."""

from django.db import connection

from smoketest import SmokeTest

LIMITS: list[tuple[int, str]] = []


class Limits(SmokeTest):
    timeout = 3

    def test_a_lifts_its_sessions_limit(self):
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")  # undone by the test's rollback

    def test_b_records_its_session_and_limit(self):
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid(), current_setting('statement_timeout')")
            LIMITS.append(cursor.fetchone())
