"""Records the database session each run's test is served by: the worker
thread and the server's id of its connection (``SESSIONS``, read by the test)."""

import threading

from django.db import connection

from smoketest import SmokeTest

SESSIONS: list[tuple[int, int]] = []


def session_id() -> int:
    sql = "SELECT pg_backend_pid()" if connection.vendor == "postgresql" else "SELECT CONNECTION_ID()"
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return int(cursor.fetchone()[0])


class Session(SmokeTest):
    def test_records_its_session(self):
        SESSIONS.append((threading.get_ident(), session_id()))
