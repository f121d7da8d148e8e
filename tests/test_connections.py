"""Worker connections live as the site says (``CONN_MAX_AGE``,
``CONN_HEALTH_CHECKS``), and how many workers run by default."""

import time

import pytest
from django.db import connection, connections

from smoketest.core.settings import smoketest_settings
from smoketest.engine import supervisor
from smoketest.engine.isolation import limit_statements
from smoketest.engine.supervisor import retire_idle_workers
from tests.smokeapps.dbsessions.smoke import SESSIONS
from tests.smokeapps.limitchange.smoke import CHANGES
from tests.smokeapps.limits.smoke import LIMITS

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


def test_default_workers_are_4_on_a_server_and_1_on_sqlite(settings):
    assert not hasattr(settings, "SMOKETEST_WORKERS")
    assert smoketest_settings.WORKERS == 4
    assert smoketest_settings.workers == (1 if connection.vendor == "sqlite" else 4)


def kill(session: int) -> None:
    """End a session from this thread's own connection, and wait until the server has."""
    if connection.vendor == "postgresql":
        kill_sql, alive_sql = "SELECT pg_terminate_backend(%s)", "SELECT count(*) FROM pg_stat_activity WHERE pid = %s"
    else:
        kill_sql = "KILL CONNECTION %s"
        alive_sql = "SELECT COUNT(*) FROM information_schema.PROCESSLIST WHERE ID = %s"
    with connection.cursor() as cursor:
        cursor.execute(kill_sql, [session])
        end = time.monotonic() + 5
        while time.monotonic() < end:
            cursor.execute(alive_sql, [session])
            if cursor.fetchone()[0] == 0:
                return
            time.sleep(0.05)
    pytest.fail(f"session {session} is still there")


@pytest.fixture
def persistent(settings, smoke_apps, monkeypatch):
    """One worker, whose connection to 'default' outlives a run (CONN_MAX_AGE)."""
    if connection.vendor == "sqlite":
        pytest.skip("no server to end a SQLite connection")
    retire_idle_workers()  # no worker keeps a connection opened under other settings
    monkeypatch.setitem(connections.settings["default"], "CONN_MAX_AGE", 60)
    smoke_apps("dbsessions")
    settings.SMOKETEST_WORKERS = 1  # the next run is served by the same worker
    settings.SMOKETEST_DATABASES = ["default"]
    SESSIONS.clear()
    yield
    retire_idle_workers()
    SESSIONS.clear()


@pytest.mark.parametrize("health_checks", [True, False])
def test_a_persistent_connection_the_server_ended_is_replaced_at_the_next_run(
    get_json, persistent, monkeypatch, health_checks
):
    monkeypatch.setitem(connections.settings["default"], "CONN_HEALTH_CHECKS", health_checks)
    for _ in range(2):
        response, document = get_json()
        assert document["status"] == "PASS", document
    (worker, session), again = SESSIONS
    assert again == (worker, session)  # the same worker, on the same connection
    kill(session)
    response, document = get_json()
    if not health_checks:
        # As in a request: the dead connection is found by the test's first
        # statement, and the error makes it obsolete, closed at the run's end.
        assert document["status"] == "FAIL"
        (error,) = document["errored_tests"]
        assert "OperationalError" in error, error
        response, document = get_json()
    # With health checks, already at the first run after the kill.
    assert document["status"] == "PASS", document
    assert len(SESSIONS) == 3
    replaced_by, new_session = SESSIONS[-1]
    assert (replaced_by, new_session != session) == (worker, True)  # the same worker, a new connection


def test_a_postgresql_session_keeps_its_statement_limit_across_runs_and_a_new_one_gets_it(
    get_json, persistent, smoke_apps, monkeypatch
):
    if connection.vendor != "postgresql":
        pytest.skip("MariaDB/MySQL keep a test's own SET: there the limit is sent again in each run")
    monkeypatch.setitem(connections.settings["default"], "CONN_HEALTH_CHECKS", True)
    smoke_apps("limits")
    LIMITS.clear()
    sent = []

    def counted(connection, seconds):
        sent.append(seconds)
        limit_statements(connection, seconds)

    monkeypatch.setattr(supervisor, "limit_statements", counted)
    for _ in range(3):
        response, document = get_json()
        assert document["status"] == "PASS", document
    recorded, session = list(LIMITS), LIMITS[0][0]
    assert recorded == [(session, "3s")] * 3  # one session; what the first test lifted, its rollback put back
    assert sent == [3]  # in the first run only
    kill(session)
    response, document = get_json()
    assert document["status"] == "PASS", document
    assert LIMITS[-1][0] != session and LIMITS[-1][1] == "3s"  # a new connection, bounded again
    assert sent == [3, 3]


def test_each_test_runs_under_its_own_statement_limit_however_the_limits_alternate(get_json, persistent, smoke_apps):
    if connection.vendor != "postgresql":
        pytest.skip("recorded with PostgreSQL's current_setting()")
    smoke_apps("limitchange")
    CHANGES.clear()
    for _ in range(2):  # the second run starts on the session the first left under the 3 s limit
        response, document = get_json()
        assert document["status"] == "PASS", document
    assert CHANGES == ["3s", "2s", "3s"] * 2
