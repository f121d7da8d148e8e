"""Time limits: a hung test is reported, abandoned, rolled back, and never started twice."""

import threading
import time

import pytest
from django.db import connection

from tests.conftest import by_name, wait_for_workers_to_end, widget_names, workers
from tests.testapp.models import Widget

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


@pytest.fixture
def slow_app(smoke_apps):
    smoke_apps("slow")


def timed_get(get_json, test_class):
    start = time.monotonic()
    response, document = get_json(test=f"slow.{test_class}")
    return time.monotonic() - start, response, by_name(document)


def test_hung_test_times_out_and_its_writes_are_rolled_back_when_it_returns(get_json, slow_app, release):
    elapsed, response, tests = timed_get(get_json, "Hangs")
    assert elapsed < 3.5
    assert response.status_code == 500
    assert tests["test_a_hangs_after_writing"]["status"] == "error"
    assert tests["test_a_hangs_after_writing"]["message"] == "timed out after 2 s"
    assert tests["test_b_runs_after_the_timeout"]["status"] == "pass"
    assert len(workers()) == 1  # the abandoned one, still waiting
    release.set()
    wait_for_workers_to_end()
    assert widget_names() == {"default": [], "other": []}


def test_a_hung_test_releases_its_locks_at_the_timeout(get_json, slow_app, release):
    timed_get(get_json, "Hangs")
    # The hung test holds an uncommitted row with this unique name: writing
    # the same name would wait on its lock (SQLite: on the whole database).
    writer = threading.Thread(target=lambda: Widget.objects.create(name="hung"))
    writer.start()
    writer.join(3)
    assert not writer.is_alive(), "the hung test's transaction still holds its locks"
    assert widget_names()["default"] == ["hung"]
    Widget.objects.all().delete()
    release.set()
    wait_for_workers_to_end()
    assert widget_names() == {"default": [], "other": []}


def test_polling_while_a_test_hangs_does_not_start_it_again(get_json, slow_app, release):
    timed_get(get_json, "Hangs")
    for _ in range(4):
        elapsed, _, tests = timed_get(get_json, "Hangs")
        assert elapsed < 1.5
        assert tests["test_a_hangs_after_writing"]["status"] == "error"
        assert tests["test_a_hangs_after_writing"]["message"].startswith("still running: it timed out")
        assert tests["test_b_runs_after_the_timeout"]["status"] == "pass"
    assert len(workers()) == 1


def test_a_test_spinning_in_python_is_interrupted_at_its_limit(get_json, slow_app, release):
    elapsed, _, tests = timed_get(get_json, "Spins")
    assert elapsed < 2.5
    assert tests["test_spins_after_writing"]["message"] == "timed out after 1 s"
    wait_for_workers_to_end(limit=2)  # the abandoned worker stopped spinning and ended
    assert widget_names() == {"default": [], "other": []}
    _, _, again = timed_get(get_json, "Spins")  # so the next poll runs it again
    assert again["test_spins_after_writing"]["message"] == "timed out after 1 s"


def test_class_attribute_limit(get_json, slow_app, release):
    elapsed, _, tests = timed_get(get_json, "ClassLimit")
    assert elapsed < 2.5
    assert tests["test_waits"]["message"] == "timed out after 1 s"


def test_hanging_setupclass_errors_every_test_of_the_class(get_json, slow_app, release):
    elapsed, _, tests = timed_get(get_json, "HangingSetUpClass")
    assert elapsed < 2.5
    assert tests["test_one"]["message"] == tests["test_two"]["message"] == "setUpClass timed out after 1 s"


def test_run_budget_reports_the_rest_as_not_run(get_json, slow_app, settings, release):
    settings.SMOKETEST_RUN_TIMEOUT = 1
    settings.SMOKETEST_WORKERS = 1  # serially: the last test is still waiting its turn
    elapsed, response, tests = timed_get(get_json, "Budget")
    assert elapsed < 2
    assert response.status_code == 500
    assert tests["test_a_slow"]["status"] == "pass"
    assert tests["test_b_slow"]["message"].endswith("(the run's 1 s budget was spent)")
    assert tests["test_c_never_starts"]["message"] == "not run: the run's 1 s budget was spent"


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite has no server-side statement timeout")
def test_statements_are_bounded_server_side(get_json, slow_app, release):
    elapsed, _, tests = timed_get(get_json, "SlowStatement")
    assert elapsed < 2.5
    assert tests["test_sleeps_in_the_database"]["status"] == "error"
    # The database cancels the 8 s statement at the 1 s limit, so the
    # abandoned worker ends long before the statement would have.
    wait_for_workers_to_end(limit=3)


def test_a_timed_out_tests_duration_is_the_time_it_ran_in_every_format(client, slow_app, release, settings):
    from django.core.cache import cache

    from tests.parsers import metric_families, parse_html, parse_junit, sample_values, text

    cache.clear()
    settings.SMOKETEST_CACHE_SECONDS = 60  # one run, read in every format
    params = {"test": "slow.Hangs.test_a_hangs_after_writing"}
    document = client.get("/smoketest/", {**params, "format": "json"}).json()
    (test,) = document["tests"]
    assert test["message"] == "timed out after 2 s"
    assert 1.9 <= test["duration_ms"] / 1000 < 3.5
    assert document["time"] >= test["duration_ms"]
    seconds = test["duration_ms"] / 1000
    junit = parse_junit(client.get("/smoketest/", {**params, "format": "junit"}).content)
    assert float(junit.find(".//testcase").get("time")) == pytest.approx(seconds, abs=0.001)
    metrics = metric_families(client.get("/smoketest/", {**params, "format": "prometheus"}).content)
    (duration,) = sample_values(metrics["smoketest_test_duration_seconds"]).values()
    assert duration == pytest.approx(seconds)
    health = client.get("/smoketest/", {**params, "format": "health"}).json()
    (entry,) = next(iter(health["checks"].values()))
    assert entry["observedValue"] == test["duration_ms"]
    page = parse_html(client.get("/smoketest/", {**params, "format": "html"}).content)
    (row,) = [row for tbody in page.iter("tbody") for row in tbody]
    assert text(row.find(".//*[@class='name']")) == "test_a_hangs_after_writing"
    meter = row.find(".//meter")
    assert float(meter.get("value")) == float(meter.get("max")) == pytest.approx(test["duration_ms"], abs=0.001)
    shown, unit = text(row.find(".//*[@class='time']")).split()
    assert (float(shown), unit) == (pytest.approx(test["duration_ms"], abs=0.051), "ms")
    # The text format shows the run's time only, no test's: nothing to compare there.
    cache.clear()
