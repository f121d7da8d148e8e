"""The one rule: nothing a smoke test does survives the request."""

import pytest
from django.db import connections

from smoketest.engine.isolation import rolled_back
from tests.conftest import by_name, database_hash, widget_names
from tests.parsers import metric_families
from tests.settings import BACKEND
from tests.testapp.models import Widget

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


@pytest.fixture
def isolation_run(get_json, smoke_apps):
    smoke_apps("isolation", "multidb")
    response, document = get_json()
    return response, by_name(document)


def test_no_write_survives_on_any_alias(isolation_run):
    response, _ = isolation_run
    assert response.status_code == 500
    assert widget_names() == {"default": [], "other": []}


def test_writes_on_every_alias_pass_and_are_rolled_back(isolation_run):
    _, tests = isolation_run
    assert tests["test_writes_every_alias"]["status"] == "pass"
    assert tests["test_nested_atomic_commits_inside"]["status"] == "pass"


@pytest.mark.parametrize(
    "name, message",
    [
        ("test_commit", "TransactionManagementError: This is forbidden when an 'atomic' block is active."),
        ("test_raw_commit", "CommitForbidden: smoke tests may not end their transaction: 'COMMIT'"),
        (
            "test_raw_commit_after_statement",
            "CommitForbidden: smoke tests may not end their transaction: 'SELECT 1; commit'",
        ),
        ("test_autocommit", "TransactionManagementError: This is forbidden when an 'atomic' block is active."),
        ("test_durable_block", "RuntimeError: A durable atomic block cannot be nested within another atomic block."),
    ],
)
def test_attempts_to_commit_are_errors(isolation_run, name, message):
    _, tests = isolation_run
    assert (tests[name]["status"], tests[name]["message"]) == ("error", message)


def test_on_commit_hooks_never_run(isolation_run):
    _, tests = isolation_run
    assert tests["test_on_commit"]["status"] == "pass"
    assert not Widget.objects.filter(name="on-commit").exists()
    assert not Widget.objects.using("other").filter(name="on-commit").exists()


def test_an_atomic_block_left_open_is_an_error_and_its_writes_are_dropped(isolation_run):
    _, tests = isolation_run
    assert tests["test_leaves_atomic_open"]["status"] == "error"
    assert "left an atomic block open" in tests["test_leaves_atomic_open"]["message"]
    for alias in connections:
        assert not connections[alias].in_atomic_block
    assert widget_names() == {"default": [], "other": []}


def test_a_broken_transaction_does_not_reach_the_next_test(isolation_run):
    _, tests = isolation_run
    assert tests["test_b_next_test_is_unaffected"]["status"] == "pass"


def test_works_with_atomic_requests(get_json, smoke_apps):
    smoke_apps("isolation", "multidb", "passing")
    for alias in connections:
        connections[alias].settings_dict["ATOMIC_REQUESTS"] = True
    try:
        response, document = get_json()
    finally:
        for alias in connections:
            connections[alias].settings_dict["ATOMIC_REQUESTS"] = False
    tests = by_name(document)
    assert tests["test_writes_every_alias"]["status"] == "pass"
    assert tests["test_on_commit"]["status"] == "pass"
    assert tests["test_reads"]["status"] == "pass"
    assert widget_names() == {"default": [], "other": []}


def test_smoketest_databases_limits_isolation_to_the_chosen_aliases(get_json, smoke_apps, settings):
    smoke_apps("multidb")
    settings.SMOKETEST_DATABASES = ["default"]
    _, document = get_json()
    # Without a transaction on "other", its write is autocommitted: the
    # setting really decides which aliases are isolated.
    assert widget_names()["default"] == []
    assert "write-other" in widget_names()["other"]
    Widget.objects.using("other").all().delete()


def test_rolled_back_context_manager_on_its_own():
    with rolled_back(list(connections)):
        Widget.objects.create(name="inside")
        Widget.objects.using("other").create(name="inside")
        assert widget_names() == {"default": ["inside"], "other": ["inside"]}
    assert widget_names() == {"default": [], "other": []}


def test_a_database_that_is_down_is_a_fail_report_not_a_500_page(client, smoke_apps):
    smoke_apps("passing")
    other = connections["other"]
    saved = dict(other.settings_dict)
    other.close()
    if other.vendor == "sqlite":
        other.settings_dict["NAME"] = "/nonexistent-dir/down.sqlite3"
    else:
        other.settings_dict["PORT"] = "1"
    try:
        response = client.get("/smoketest/")
    finally:
        other.close()
        other.settings_dict.clear()
        other.settings_dict.update(saved)
    body = response.content.decode()
    assert response.status_code == 500
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert body.startswith("FAIL\n")
    assert "test_reads errored: OperationalError" in body


def test_a_class_transaction_ended_by_its_fixture_reports_each_test_once(client, get_json, smoke_apps):
    """A class fixture's driver commit, its error swallowed: PostgreSQL ends
    the class's transaction (the guard breaks the COMMIT), SQLite and
    MariaDB refuse the commit. Either is the class's error, found as the
    class exits, after its tests reported: each test is listed once with
    the class's error folded into its entry (a test listed twice would make
    Prometheus refuse the scrape), and no row is left."""
    smoke_apps("classended")
    before = database_hash()
    response, document = get_json(test="tests.smokeapps.classended.smoke.EndsItsClassTransaction")
    assert database_hash() == before
    names = [test["name"] for test in document["tests"]]
    assert sorted(name.rsplit(".", 1)[-1] for name in names) == ["test_a_writes", "test_b_fails"]
    assert (response.status_code, document["status"]) == (500, "FAIL")
    tests = by_name(document)
    first, second = tests["test_a_writes"], tests["test_b_fails"]
    assert first["status"] == "error" and first["message"].startswith("TransactionEnded: "), first
    assert second["message"].startswith("its own failure"), second
    assert (second["status"], second["message"]) == ("error", f"its own failure\n{first['message']}")
    refusal = "was ended" if BACKEND == "postgres" else "tried to commit its transaction on 'default' (refused)"
    assert refusal in first["message"].lower(), first
    metrics = client.get(
        "/smoketest/", {"format": "prometheus", "test": "tests.smokeapps.classended.smoke.EndsItsClassTransaction"}
    )
    samples = metric_families(metrics.content)["smoketest_test_passed"].samples
    assert sorted(sample.labels["test"] for sample in samples) == sorted(names)


def test_a_class_fixture_that_ends_its_transaction_then_raises_keeps_both_errors(get_json, smoke_apps):
    smoke_apps("classended")
    before = database_hash()
    response, document = get_json(test="tests.smokeapps.classended.smoke.EndsItsClassTransactionThenRaises")
    assert database_hash() == before
    assert [test["name"].rsplit(".", 1)[-1] for test in document["tests"]] == ["test_never_runs"]
    (test,) = document["tests"]
    assert test["status"] == "error", test
    own, _, transaction_error = test["message"].partition("\n")
    assert own == "setUpClass: RuntimeError: no fixture today", test
    assert transaction_error.startswith("TransactionEnded: "), test
