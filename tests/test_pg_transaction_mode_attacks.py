"""Careless smoke tests (``tests/smokeapps/txmodeattacks``) aimed at a
worker's PostgreSQL session kept out of autocommit between tests: the
outermost block is ``atomic(savepoint=False)`` over that session, then a
rollback, and ``end_run`` turns autocommit back on at the run's end.

Each attack runs as the one test of a run, and followed by an innocent test
of its class on the same worker: in a plain class, in a test of a class with
a ``setUpClass`` (a class transaction, the tests in savepoints), and in that
``setUpClass`` itself, on one worker whose connection outlives the run
(``CONN_MAX_AGE``). After each run: no row changed on any
alias, the attack is its test's error whenever it ended (or tried to end)
its transaction, the worker's sessions wait with autocommit on and no
transaction open, and the next run, on the same worker, passes and leaves
no row either, and no ``on_commit`` callback waits on it."""

import re
import time

import pytest
from django.db import connection, connections

from smoketest.engine import supervisor
from smoketest.engine.supervisor import retire_idle_workers
from tests.conftest import database_hash
from tests.settings import BACKEND
from tests.smokeapps.txmodeattacks.smoke import ATTACKS, SEEN, VARIANTS, class_name

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

APP = "tests.smokeapps.txmodeattacks.smoke."
PASS = "pass"  # the transaction was not ended: nothing to report (no row left: the hash)
IN_ATOMIC = r"TransactionManagementError: This is forbidden when an 'atomic' block is active"
CLOSED = r"its connection to 'default' was closed during the test"
REOPENED = r"its connection to 'default' was opened again during the test"
ENDED = r"its transaction on 'default' was ended"
AUTOCOMMIT = r"tried to turn autocommit on on 'default' \(refused\)"
LEFT_OPEN = r"a smoke test left an atomic block open on 'default'"

# attack -> PASS, or what the attacking test's error must match.
EXPECTED = {
    "close_then_query": CLOSED,
    "close_then_write_again": CLOSED,
    "close_then_connect_then_write": REOPENED,
    "connect_then_write": REOPENED,
    "close_old_connections_then_write": CLOSED,
    "set_autocommit_true": IN_ATOMIC,
    "set_autocommit_true_swallowed_then_write": PASS,
    "set_autocommit_false": IN_ATOMIC,
    "transaction_commit": IN_ATOMIC,
    "transaction_commit_swallowed_then_write": PASS,
    "django_rollback_swallowed_then_write": PASS,
    "driver_autocommit_then_write": AUTOCOMMIT,
    "driver_set_autocommit_then_write": AUTOCOMMIT,
    "driver_commit_then_write": ENDED,
    "driver_rollback_then_write": ENDED,
    "raw_cursor_commit_then_write": PASS,
    "driver_cursor_commit_then_write": ENDED,
    "driver_cursor_end_begin_then_write": ENDED,
    "durable_atomic": r"RuntimeError: A durable atomic block cannot be nested",
    "durable_atomic_swallowed_then_write": PASS,
    "leave_atomic_open": LEFT_OPEN,
    "leave_savepoint_free_atomic_open": LEFT_OPEN,
    "set_rollback_false": PASS,
    "set_rollback_true_then_false": PASS,
    "on_commit_callbacks": PASS,
    "on_commit_after_close": CLOSED,
    "on_commit_in_nested_atomic": PASS,
    "in_atomic_block_lifted_then_commit": ENDED,
    "in_atomic_block_lifted_then_autocommit": AUTOCOMMIT,
    "leave_driver_transaction_open": PASS,
    "leave_pipeline_open": PASS,
    "driver_prepare_transaction": ENDED,
    "raises_keyboard_interrupt": r"^(setUpClass: )?KeyboardInterrupt",
    "raises_system_exit": r"^(setUpClass: )?SystemExit: 3",
    "sleeps_past_its_limit": r"timed out after 0\.5 s",
}


@pytest.fixture
def one_persistent_worker(settings, smoke_apps, monkeypatch):
    """One worker whose connections outlive a run (CONN_MAX_AGE), on PostgreSQL."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: its worker sessions stay out of autocommit between tests")
    retire_idle_workers()  # no worker keeps a connection opened under other settings
    for alias in connections:
        monkeypatch.setitem(connections.settings[alias], "CONN_MAX_AGE", 60)
    smoke_apps("txmodeattacks")
    settings.SMOKETEST_WORKERS = 1
    SEEN.clear()
    yield
    retire_idle_workers()
    SEEN.clear()


def idle_worker_sessions() -> list[dict]:
    """What each idle worker's connections look like between runs (read from
    this thread: attributes only, and the server's view of the session)."""
    with supervisor._idle_lock:
        idle = list(supervisor._idle)
    sessions = []
    for worker in idle:
        for wrapper in worker.db_connections:
            raw = wrapper.connection
            session = {
                "alias": wrapper.alias,
                "autocommit": wrapper.autocommit,
                "in_atomic_block": wrapper.in_atomic_block,
                "needs_rollback": wrapper.needs_rollback,
                "on_commit": len(wrapper.run_on_commit),
            }
            if raw is not None and not raw.closed:
                session.update(raw_autocommit=raw.autocommit, status=raw.pgconn.transaction_status)
                with connections[wrapper.alias].cursor() as cursor:
                    cursor.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", [raw.info.backend_pid])
                    row = cursor.fetchone()
                session["server"] = row[0] if row else "gone"
            sessions.append(session)
    return sessions


def assert_sessions_wait_in_autocommit() -> None:
    sessions = idle_worker_sessions()
    for session in sessions:
        expected = {**session, "in_atomic_block": False, "on_commit": 0}
        if "status" in session:  # a session kept: autocommit back on, no transaction open (0: IDLE)
            expected.update(autocommit=True, raw_autocommit=True, status=0, server="idle")
        assert session == expected, sessions


def params():
    for attack in EXPECTED:
        for variant in VARIANTS:
            for alone in (True, False):
                ident = f"{attack}-{variant}-{'alone' if alone else 'then_innocent'}"
                yield pytest.param(attack, variant, alone, id=ident)


def test_every_attack_is_expected():
    assert set(EXPECTED) == set(ATTACKS)


# Skipped before any database is set up on other backends (the fixture also skips).
@pytest.mark.skipif(BACKEND != "postgres", reason="PostgreSQL only")
@pytest.mark.parametrize("attack, variant, alone", list(params()))
def test_no_row_changes_the_attack_is_reported_and_the_next_run_passes(
    attack, variant, alone, get_json, one_persistent_worker
):
    label = APP + class_name(attack, variant) + (".test_a_attack" if alone else "")
    before = database_hash()
    response, document = get_json(test=label)
    assert database_hash() == before, "a row changed"
    tests = outcomes(document)
    assert all(len(each) == 1 for each in tests.values()), tests
    assert set(tests) == ({"test_a_attack"} if alone else {"test_a_attack", "test_b_innocent"}), tests
    expected = EXPECTED[attack]
    if variant == "in_set_up_class":
        # The attack is setUpClass's: all pass where it did not end (or try to
        # end) the class's transaction, else the run fails with its error,
        # folded into every test's entry of the class.
        reported = [outcome for each in tests.values() for outcome in each]
        if expected == PASS:
            assert {outcome["status"] for outcome in reported} == {"pass"}, reported
        else:
            errors = [outcome["message"] for outcome in reported if outcome["status"] in ("error", "fail")]
            assert any(re.search(expected, message) for message in errors), reported
    else:
        attacked = tests["test_a_attack"]
        if expected == PASS:
            assert [outcome["status"] for outcome in attacked] == ["pass"], attacked
        else:
            # An error (its class's transaction's folded in), never a pass.
            assert all(outcome["status"] in ("error", "fail") for outcome in attacked), attacked
            assert re.search(expected, attacked[0]["message"]), attacked[0]["message"]
        if not alone:
            innocent = tests["test_b_innocent"]
            # The attack ended or lost its class's transaction: the class's next
            # test may only fail, never pass (it checks its own guarded transaction).
            if [outcome["status"] for outcome in innocent] != ["pass"]:
                assert variant == "in_class" and expected != PASS, innocent
                assert all(outcome["status"] in ("error", "fail") for outcome in innocent), innocent
    failed = any(outcome["status"] in ("error", "fail") for each in tests.values() for outcome in each)
    assert (response.status_code, document["status"]) == ((500, "FAIL") if failed else (200, "PASS")), document
    supervisor_wait_for_idle()
    assert_sessions_wait_in_autocommit()

    # The next run, on the same worker (or a new one after an abandoned worker).
    SEEN.clear()
    response, document = get_json(test=APP + "Plain")
    assert database_hash() == before, "a row changed in the next run"
    assert (response.status_code, document["status"]) == (200, "PASS"), document
    assert [seen[:2] for seen in SEEN] == [("Plain", "test_b_innocent")]
    supervisor_wait_for_idle()
    assert_sessions_wait_in_autocommit()


def outcomes(document: dict) -> dict[str, list[dict]]:
    """A run's outcomes by test method, in the order reported: one each."""
    tests: dict[str, list[dict]] = {}
    for test in document["tests"]:
        tests.setdefault(test["name"].rsplit(".", 1)[-1], []).append(test)
    return tests


def supervisor_wait_for_idle(limit: float = 5) -> None:
    """The run is over when the response is; its worker parks itself just after."""
    end = time.monotonic() + limit
    while time.monotonic() < end:
        with supervisor._idle_lock:
            if supervisor._idle:
                return
        time.sleep(0.02)
