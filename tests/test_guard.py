"""Hostile smoke tests (``tests/smokeapps/hostile``): no path gets a test's
writes committed on any alias, every attempt is the test's error naming what
it tried, and the classes around them run and report."""

import re
import signal
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connections

from smoketest.engine.supervisor import retire_idle_workers
from tests.conftest import ROOT, by_name, database_hash, subprocess_env

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

ENDED = r"tried to (COMMIT|commit|ROLLBACK|roll back|run '|turn autocommit)|its transaction on 'default' was ended"
FORBIDDEN = r"smoke tests may not end their transaction"
# What each attempt's report must say (a regular expression).
EXPECTED = {
    "test_block_comment_then_commit": FORBIDDEN,
    "test_line_comment_then_commit": FORBIDDEN,
    "test_nested_comment_then_end": FORBIDDEN + "|syntax",  # only PostgreSQL nests comments
    "test_select_then_commented_end": FORBIDDEN,
    "test_executable_comment_commit": FORBIDDEN,
    "test_bytes_commit": FORBIDDEN,
    "test_composed_commit": FORBIDDEN,
    "test_commit_and_chain": ENDED,
    "test_driver_commit": ENDED,
    "test_driver_cursor_commit": ENDED,
    "test_driver_cursor_end": ENDED,
    "test_refused_commit_swallowed_then_writes": ENDED,
    "test_driver_rollback_then_writes": ENDED,
    "test_executescript": ENDED,
    "test_set_autocommit_variable": r"tried to run 'SET @@autocommit = 1' \(XAER_RMFAIL\)",
    "test_set_names_and_autocommit": r"tried to run 'SET NAMES utf8mb4, autocommit = 1' \(XAER_RMFAIL\)",
    "test_check_table": r"tried to run 'CHECK TABLE testapp_widget' \(XAER_RMFAIL\)",
    "test_guessed_xa_end": r"\(XAER_NOTA\)",
    "test_driver_autocommit": r"tried to turn autocommit on on 'default'",
    "test_driver_query_commit": r"tried to run 'COMMIT' \(XAER_RMFAIL\)",
    "test_driver_execute_commit": ENDED,
    "test_guard_table_through_django": r"smoke tests may not change the isolation guard",
    "test_guard_table_through_the_driver": r"tried to change the isolation guard on 'default'",
    "test_session_read_write": r"smoke tests may not change how the session commits",
    "test_connect_then_writes": r"its connection to 'default' was opened again during the test",
    "test_connect_before_any_statement": r"its connection to 'default' was opened again during the test",
    "test_close_then_writes": r"its connection to 'default' was closed during the test",
    "test_driver_autocommit_first": ENDED,
}


@pytest.fixture
def hostile_run(get_json, smoke_apps):
    smoke_apps("hostile")
    before = database_hash()
    response, document = get_json()
    return response, by_name(document), before


def test_no_write_survives_on_any_alias_and_the_run_fails(hostile_run):
    response, tests, before = hostile_run
    assert database_hash() == before
    assert response.status_code == 500


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_every_attempt_is_its_tests_error_naming_what_it_tried(hostile_run, name):
    _, tests, _ = hostile_run
    test = tests[name]
    if test["status"] == "skip":
        assert test["message"].endswith(" only")
        return
    if name == "test_driver_autocommit_first" and connections["default"].vendor == "sqlite":
        # Django's SQLite connections are in sqlite3's autocommit mode already
        # (Django sends BEGIN itself, here with the test's first statement):
        # nothing to refuse, and the write that follows begins the guarded
        # transaction (no row left: the hash test).
        assert test["status"] == "pass", test
        return
    assert test["status"] == "error", test
    assert re.search(EXPECTED[name], test["message"]), test["message"]


def test_every_hostile_test_is_expected_and_runs_somewhere(hostile_run):
    _, tests, _ = hostile_run
    hostile = {name for name, test in tests.items() if ".Commits." in test["name"] or ".Reconnects." in test["name"]}
    assert hostile == set(EXPECTED)


def test_a_driver_cursor_kept_from_an_earlier_test_writes_inside_the_guard(hostile_run):
    _, tests, _ = hostile_run  # no row left: test_no_write_survives_on_any_alias_and_the_run_fails
    assert [tests[name]["status"] for name in ("test_a_keep", "test_b_write_through_it")] == ["pass", "pass"]


def test_an_interrupt_in_a_test_is_its_error_and_the_class_goes_on(hostile_run):
    _, tests, _ = hostile_run
    assert [tests[name]["status"] for name in ("test_a_before", "test_b_interrupt", "test_c_after")] == [
        "pass",
        "error",
        "pass",
    ]
    assert tests["test_b_interrupt"]["message"] == "KeyboardInterrupt: "
    assert tests["test_d_other_base_exception"]["message"] == "GeneratorExit: "


def test_settings_a_test_changes_are_restored_and_reported(hostile_run):
    _, tests, _ = hostile_run
    assert (tests["test_a_debug"]["status"], tests["test_a_debug"]["message"]) == (
        "error",
        "SettingsChanged: changed settings: DEBUG",
    )
    assert tests["test_b_sees_the_original"]["status"] == "pass"
    assert settings.DEBUG is False


def test_the_next_run_is_clean(hostile_run, get_json, smoke_apps):
    smoke_apps("passing", "multidb")
    response, document = get_json()
    assert (response.status_code, document["status"]) == (200, "PASS"), document


def test_a_real_interrupt_of_the_command_prints_what_ran_and_exits_2(smoke_apps):
    smoke_apps("sleepy")
    process = subprocess.Popen(
        [sys.executable, "-m", "django", "smoketest", "-v", "2"],
        cwd=ROOT,
        env=subprocess_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # Python ignores Ctrl-C if it starts with SIGINT ignored (a background job's)
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    try:
        line = process.stderr.readline()  # the first progress line: a test ran
        while line and " ... " not in line:
            line = process.stderr.readline()
        process.send_signal(signal.SIGINT)
        stdout, stderr = process.communicate(timeout=60)
    finally:
        process.kill()
    assert process.returncode == 2, stderr
    assert stdout.startswith("FAIL\n"), stdout
    assert "test classes: 1\n" in stdout
    assert "\ntests passed: 0\n" not in stdout
    assert "smoketest errored: interrupted: the run was stopped here" in stdout


@pytest.fixture
def myisam_table():
    connection = connections["default"]
    if connection.vendor != "mysql":
        pytest.skip("MySQL/MariaDB storage engines")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE smoketest_myisam (id integer PRIMARY KEY) ENGINE=MyISAM")
    yield
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE smoketest_myisam")


def test_storage_without_transactions_is_a_check_error_and_refuses_writes(myisam_table, get_json, smoke_apps):
    from django.core import checks

    smoke_apps("myisam")
    errors = [message for message in checks.run_checks(databases=["default"]) if message.id == "smoketest.E017"]
    assert [error.msg for error in errors] == [
        "Database 'default' has tables without transactions: smoketest_myisam: smoke tests could not roll "
        "their writes back, so every write there is refused."
    ]
    before = database_hash()
    response, document = get_json()
    tests = by_name(document)
    assert database_hash() == before
    assert response.status_code == 500
    for name in ("test_writes_the_myisam_table", "test_writes_a_transactional_table_beside_it"):
        assert tests[name]["status"] == "error"
        assert "READ ONLY transaction" in tests[name]["message"]


@pytest.mark.parametrize("query", [False, True])
def test_postgresql_sends_nothing_for_a_test_without_queries_and_the_guard_rides_on_begin(
    query, get_json, smoke_apps, settings, tmp_path, monkeypatch
):
    if connections["default"].vendor != "postgresql":
        pytest.skip("libpq's trace")
    smoke_apps("traced")
    settings.SMOKETEST_DATABASES = ["default"]
    monkeypatch.setenv("SMOKETEST_TRACE_FILE", str(tmp_path / "trace"))
    if query:
        monkeypatch.setenv("SMOKETEST_TRACE_QUERY", "1")
    response, document = get_json()
    assert document["status"] == "PASS", document
    sent = [
        [part.strip() for part in line.split("\t")[3:5]]
        for line in (tmp_path / "trace").read_text().splitlines()
        if "\tF\t" in line
    ]
    if not query:
        assert sent == []
        return
    # One message for BEGIN and the guard row (a round trip psycopg makes
    # anyway; the session's first also creates the guard tables), then the
    # test's query, then the rollback.
    first = (
        '"SET TRANSACTION READ WRITE; SET default_transaction_read_only = on; SET LOCAL synchronous_commit = off; '
        "CREATE TEMP TABLE"
    )
    assert sent[0][0] == "Query" and sent[0][1].startswith(first), sent
    assert sent[0][1].endswith('COMMIT; BEGIN READ WRITE; INSERT INTO pg_temp.smoketest_guard VALUES (0), (0)"'), sent
    assert len(sent) == 3 and sent[2] == ["Query", '"ROLLBACK"'], sent


def sqlite_trace(query: bool, get_json, smoke_apps, settings, monkeypatch) -> list[str]:
    """The statements the worker's SQLite connection ran while ``sqlitetraced``
    ran (``test_b`` runs one query or none; ``test_a`` and ``test_c`` run
    none), from sqlite3's trace callback: Django's, the guard's and the test's."""
    if connections["default"].vendor != "sqlite":
        pytest.skip("sqlite3's trace callback")
    from tests.smokeapps.sqlitetraced.smoke import TRACE

    smoke_apps("sqlitetraced")
    settings.SMOKETEST_DATABASES = ["default"]
    if query:
        monkeypatch.setenv("SMOKETEST_TRACE_QUERY", "1")
    TRACE.clear()
    response, document = get_json()
    assert document["status"] == "PASS", document
    assert TRACE[0] == "-- test_b begins", TRACE
    return [statement for statement in TRACE if not statement.startswith("-- ")]


SQLITE_GUARD_ROW = "INSERT INTO temp.smoketest_guard VALUES (0)"


@pytest.mark.parametrize("query", [False, True])
def test_sqlite_runs_nothing_for_a_test_without_queries_and_the_guard_row_before_the_first(
    query, get_json, smoke_apps, settings, monkeypatch
):
    sent = sqlite_trace(query, get_json, smoke_apps, settings, monkeypatch)
    if not query:
        assert sent == []
        return
    # atomic()'s BEGIN, run with the guard row just before the test's own
    # statement (no table made, no PRAGMA, nothing read back); the rollback.
    assert sent == ["BEGIN", SQLITE_GUARD_ROW, 'SELECT COUNT(*) AS "__count" FROM "testapp_widget"', "ROLLBACK"]


def mariadb_sent(query: bool, get_json, smoke_apps, settings, monkeypatch) -> dict[str, int]:
    """What the worker's session sent MySQL/MariaDB for ``test_b`` of
    ``mariadbcounted``: the server's own per-session counters (``Questions``,
    ``Com_*``) over ``Counted`` minus those over ``Baseline``, the same class
    without ``test_b``; only the counters that moved."""
    if connections["default"].vendor != "mysql":
        pytest.skip("MySQL/MariaDB session status counters")
    from tests.smokeapps.mariadbcounted.smoke import COUNTS

    smoke_apps("mariadbcounted")
    settings.SMOKETEST_DATABASES = ["default"]
    if query:
        monkeypatch.setenv("SMOKETEST_TRACE_QUERY", "1")
    COUNTS.clear()
    response, document = get_json()
    assert document["status"] == "PASS", document
    counted, baseline = [
        {name: COUNTS[f"{of}_c"][name] - COUNTS[f"{of}_a"][name] for name in COUNTS[f"{of}_a"]}
        for of in ("counted", "baseline")
    ]
    return {name: counted[name] - baseline[name] for name in counted if counted[name] != baseline[name]}


@pytest.mark.parametrize("query", [False, True])
def test_mariadb_sends_nothing_for_a_test_without_queries_and_the_xa_guard_rides_on_the_first(
    query, get_json, smoke_apps, settings, monkeypatch
):
    sent = mariadb_sent(query, get_json, smoke_apps, settings, monkeypatch)
    if not query:
        # atomic()'s autocommit switches and rollback wait for a statement: none came.
        assert sent == {}
        return
    # The session stays with autocommit off between tests (no switch); the
    # XA transaction is its only transaction, so no ROLLBACK either.
    xa = {"Com_xa_start": 1, "Com_xa_end": 1, "Com_xa_rollback": 1}
    assert sent == {**xa, "Com_select": 1, "Questions": 4}


def test_a_backend_without_transactions_is_a_check_error_and_runs_nothing(get_json, smoke_apps, monkeypatch):
    from django.core import checks

    features = type(connections["default"].features)
    monkeypatch.setattr(features, "supports_transactions", False)
    for alias in connections:
        connections[alias].features.__dict__.pop("supports_transactions", None)
    retire_idle_workers()  # their connections read the feature before it was patched
    smoke_apps("multidb")
    errors = [message for message in checks.run_checks(databases=["default"]) if message.id == "smoketest.E017"]
    assert [error.msg.split(":")[0] for error in errors] == [
        "Database 'default' has no transactions (its default storage engine keeps every write)"
    ]
    before = database_hash()
    response, document = get_json()
    assert database_hash() == before
    assert response.status_code == 500
    for test in document["tests"]:
        assert test["status"] == "error"
        assert "has no transactions: smoke tests cannot run on it safely" in test["message"]
