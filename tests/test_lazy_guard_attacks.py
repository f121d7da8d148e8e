"""Careless smoke tests aimed at the lazy start of the isolation guard
(``tests/smokeapps/lazyattacks``): on a worker's own connection the guarded
transaction begins only with a test's first statement, so each attack sends
its first statement an unusual way. Each attack runs alone (a fresh worker
session: the worst case for what the lazy start leaves open): no row may
be left on any alias, and the attack is its test's error naming what it
tried, or, where the write provably stayed in the guarded transaction, the
test passes. The holes found are strict expected failures."""

import re

import pytest

from tests.conftest import by_name, database_hash
from tests.settings import BACKEND

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

VENDOR = {"sqlite": "sqlite", "postgres": "postgresql", "mariadb": "mysql"}[BACKEND]
APP = "tests.smokeapps.lazyattacks.smoke."
ALL = ("sqlite", "postgresql", "mysql")
PASS = "pass"  # the write stayed in the guarded transaction (no row left: the hash)
ENDED = r"its transaction on 'default' was ended"
PIPELINE = r"smoke tests cannot use psycopg's pipeline mode"
XA_REFUSED = r"tried to (run '{}' \(XAER_RMFAIL\)|commit its transaction) on 'default' \(refused\)"


def on(vendors, outcome):
    return dict.fromkeys(vendors, outcome)


# label run alone -> {test: {vendor: PASS or the regular expression its error must match}};
# a test whose vendor is missing must be skipped.
RUNS = {
    "attacks.FirstStatements.test_driver_cursor_write_first": on(ALL, PASS),
    # psycopg's executemany() uses pipeline mode, refused before the guarded
    # BEGIN: a false refusal when it is a test's first statement, not a hole.
    "attacks.FirstStatements.test_driver_executemany_first": {
        "sqlite": PASS,
        "postgresql": PIPELINE,
        "mysql": PASS,
    },
    "attacks.FirstStatements.test_nested_atomic_first": on(ALL, PASS),
    "attacks.FirstStatements.test_savepoint_first": on(ALL, PASS),
    "attacks.FirstStatements.test_connection_execute_first": on(["sqlite"], PASS),
    "attacks.FirstStatements.test_connection_executemany_first": on(["sqlite"], PASS),
    "attacks.FirstStatements.test_executescript_first": on(["sqlite"], r"tried to COMMIT its transaction"),
    "attacks.FirstStatements.test_iterdump_first_then_writes": on(["sqlite"], PASS),
    "attacks.FirstStatements.test_driver_savepoint_first_then_release": on(["sqlite"], PASS),
    "attacks.FirstStatements.test_isolation_level_first_then_driver_commit": on(
        ["sqlite"], r"tried to COMMIT its transaction"
    ),
    "attacks.FirstStatements.test_isolation_level_first_then_orm_writes": on(["sqlite"], PASS),
    "attacks.FirstStatements.test_backup_into_the_connection_first": on(["sqlite"], r"."),
    "attacks.FirstStatements.test_pg_rollback_and_write_in_one_driver_query": on(["postgresql"], ENDED),
    "attacks.FirstStatements.test_pg_pipeline_first": on(["postgresql"], PIPELINE),
    "attacks.FirstStatements.test_pg_pipeline_rollback_then_write": on(["postgresql"], ENDED),
    "attacks.FirstStatements.test_pg_driver_transaction_first": on(["postgresql"], r"read-only transaction"),
    "attacks.FirstStatements.test_pg_driver_transaction_after_first": on(["postgresql"], PASS),
    "attacks.FirstStatements.test_pg_set_autocommit_method_first": on(
        ["postgresql"], r"tried to turn autocommit on on 'default'"
    ),
    "attacks.FirstStatements.test_pg_copy_first": on(["postgresql"], PASS),
    "attacks.FirstStatements.test_pg_named_cursor_first_then_writes": on(["postgresql"], PASS),
    "attacks.FirstStatements.test_pg_driver_rollback_first_then_writes": on(["postgresql"], PASS),
    "attacks.FirstStatements.test_mysql_send_query_first": on(["mysql"], PASS),
    "attacks.FirstStatements.test_mysql_set_autocommit_first": on(["mysql"], XA_REFUSED.format("SET autocommit = 1")),
    "attacks.FirstStatements.test_mysql_set_session_autocommit_first_through_django": on(
        ["mysql"], r"smoke tests may not change how the session commits"
    ),
    "attacks.FirstStatements.test_mysql_driver_commit_first_then_writes": on(["mysql"], XA_REFUSED.format("COMMIT")),
    "attacks.FirstStatements.test_mysql_driver_begin_first": on(["mysql"], XA_REFUSED.format("BEGIN")),
    "attacks.FirstStatements.test_mysql_change_user_then_writes": on(
        ["mysql"], r"tried to reset its session \(change_user\) on 'default' \(refused\)"
    ),
    "attacks.Reconnects.test_connect_first_then_lift_read_only": on(
        ALL, r"its connection to 'default' was opened again during the test"
    ),
    "attacks.Reconnects.test_driver_close_first_then_writes": on(
        ALL, r"its connection to 'default' was closed during the test"
    ),
    "attacks.KeptAcrossTests": {
        "test_a_keep": on(["sqlite"], PASS),
        "test_b_write_kept_blob_first": on(["sqlite"], r"abort due to ROLLBACK|blobs: Python 3\.11\+"),
        # The authorizer installed again as the test began makes SQLite
        # authorize the statement compiled in test_a again: refused.
        "test_c_plain_cursor_reuses_compiled_statement_first": on(
            ["sqlite"], r"tried to run a statement past its guard"
        ),
    },
    # The other worker has closed its connection by then (or runs a test of
    # its own, whose transaction takes the write): refused either way.
    "attacks.KeptAcrossWorkers": {
        "test_a_keep_connection": on(["postgresql", "mysql"], PASS),
        "test_b_use_kept_connection": on(["postgresql", "mysql"], r"closed|\(2006|same worker"),
    },
    "attacks.AuthorizerReset": {
        "test_a_own_authorizer_reset_to_none": on(["sqlite"], PASS),
        "test_b_driver_rollback_then_driver_write": on(["sqlite"], r"tried to ROLLBACK its transaction"),
        "test_c_plain_cursor_first": on(["sqlite"], r"tried to run a statement past its guard"),
    },
    "attacks.MysqlSendQuery": {
        "test_a_reads": on(["mysql"], PASS),
        "test_b_send_query_first_then_driver_commit": on(["mysql"], r"."),
    },
    # setUpModule and setUpClass whose first statement is a driver cursor's write.
    "fixtures": {"test_writes_through_the_driver": on(ALL, PASS)},
}

# (label, backend): a write that survives the run.
HOLES = {
    ("attacks.FirstStatements.test_backup_into_the_connection_first", "sqlite"): (
        "SQLite: Connection.backup() with the worker's connection as its target (another database restored "
        "over it, or a snapshot taken the wrong way round) replaces the database: it is not a statement, "
        "the authorizer is not asked, and SQLite lets it through while the connection's transaction has "
        "not read the database yet; the test passes"
    ),
    **{
        ("attacks.Reconnects.test_connect_first_then_lift_read_only", backend): (
            f"{backend}: after connection.connect() the new session's read-only setting is lifted through the "
            "driver (SET default_transaction_read_only = off / SET SESSION TRANSACTION READ WRITE / PRAGMA "
            "query_only = OFF): Django's connection is in autocommit mode again, the write commits; reported "
            "as opened again, the row is kept"
        )
        for backend in ("sqlite", "postgres", "mariadb")
    },
}


def expectations(label: str) -> dict[str, dict[str, str]]:
    expected = RUNS[label]
    return {label.rsplit(".", 1)[-1]: expected} if label.split(".")[-1].startswith("test_") else expected


def params():
    for label in RUNS:
        hole = HOLES.get((label, BACKEND))
        marks = [pytest.mark.xfail(strict=True, reason=hole)] if hole else []
        yield pytest.param(label, marks=marks, id=label)


@pytest.mark.parametrize("label", list(params()))
def test_no_write_survives_and_every_attempt_is_reported(label, get_json, smoke_apps, settings):
    smoke_apps("lazyattacks")
    settings.SMOKETEST_WORKERS = 2  # KeptAcrossWorkers; SQLite runs one worker anyway
    before = database_hash()
    response, document = get_json(test=APP + label)
    assert database_hash() == before, "a write survived the run"
    tests = by_name(document)
    expected = expectations(label)
    assert set(tests) == set(expected)
    errors = False
    for name, outcomes in expected.items():
        test = tests[name]
        if VENDOR not in outcomes:
            assert test["status"] == "skip", test
            continue
        outcome = outcomes[VENDOR]
        if outcome == PASS:
            assert test["status"] == "pass", test
        elif test["status"] == "skip":  # KeptAcrossWorkers, both on one worker
            assert re.search(outcome, test["message"]), test
        else:
            errors = True
            assert test["status"] == "error", test
            assert re.search(outcome, test["message"]), test["message"]
    assert response.status_code == (500 if errors else 200), document["status"]
