"""Safe under polling load: one run at a time, shared results, a cache that may be down."""

import json
import time
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.cache import cache

from tests.conftest import closed_port, widget_names
from tests.smokeapps.concurrency import smoke as concurrency

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)


def fetch(url: str) -> tuple[int, dict]:
    """The status and JSON report of ``url``, a FAIL answer included."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, json.loads(error.read())


@pytest.mark.parametrize("workers", [1, 4])
def test_fifty_concurrent_requests_share_runs_one_at_a_time(live_server, smoke_apps, runs, settings, workers):
    smoke_apps("concurrency")
    settings.SMOKETEST_WORKERS = workers
    concurrency.MOST_AT_ONCE[0] = 0
    url = f"{live_server.url}/smoketest/"
    with ThreadPoolExecutor(max_workers=50) as pool:
        answers = list(pool.map(fetch, [url] * 50))
    assert len(answers) == 50
    assert all(status == 200 and document["status"] == "PASS" for status, document in answers)
    assert all(document["tests_passed"] == 1 for _, document in answers)
    assert concurrency.MOST_AT_ONCE[0] == 1
    # Requests that arrived during a run got its result: far fewer runs than requests.
    assert 1 <= len(runs) < 10
    assert widget_names() == {"default": [], "other": []}


@pytest.fixture
def cached(settings, smoke_apps):
    cache.clear()
    settings.SMOKETEST_CACHE_SECONDS = 60
    yield
    cache.clear()


def test_a_cached_result_is_served_without_running(client, cached, smoke_apps, runs):
    smoke_apps("multidb")
    first = json.loads(client.get("/smoketest/?format=json").content)
    second = json.loads(client.get("/smoketest/?format=json").content)
    assert len(runs) == 1
    assert (first["cached"], first["age"]) == (False, 0)
    assert second["cached"] is True and second["age"] >= 0
    assert second["started_at"] == first["started_at"]


def test_failed_results_may_be_cached_for_less(client, cached, settings, smoke_apps, runs):
    smoke_apps("outcomes")
    settings.SMOKETEST_CACHE_FAIL_SECONDS = 0
    client.get("/smoketest/")
    response = client.get("/smoketest/")
    assert response.status_code == 500
    assert len(runs) == 2


def test_a_cache_that_is_down_does_not_stop_the_tests(client, cached, settings, smoke_apps, runs, caplog):
    smoke_apps("multidb")
    settings.SMOKETEST_CACHE = "unreachable"
    assert [client.get("/smoketest/").status_code for _ in range(2)] == [200, 200]
    assert len(runs) == 2
    assert "could not read the result cache" in caplog.text


def test_a_shared_cache_that_is_down_leaves_each_process_its_own_single_flight(
    client, cached, settings, smoke_apps, runs, caplog
):
    smoke_apps("multidb")
    down = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": f"redis://127.0.0.1:{closed_port()}"}
    settings.CACHES = {**settings.CACHES, "down": down}
    settings.SMOKETEST_CACHE = "down"
    assert [client.get("/smoketest/").status_code for _ in range(2)] == [200, 200]
    assert len(runs) == 2
    assert "the result cache is down: runs are not shared across processes" in caplog.text


def test_a_run_waits_for_the_one_under_way_only_within_its_budget(live_server, smoke_apps, settings, release):
    smoke_apps("slow")
    base = f"{live_server.url}/smoketest/?test="
    with ThreadPoolExecutor(max_workers=1) as pool:
        hung = pool.submit(fetch, base + "slow.Hangs")  # runs until its 2 s test limit
        time.sleep(0.3)
        settings.SMOKETEST_RUN_TIMEOUT = 1
        started = time.monotonic()
        status, document = fetch(base + "slow.Budget.test_c_never_starts")
        waited = time.monotonic() - started
        assert status == 500
        assert document["errored_tests"] == [
            "smoketest errored: not run: another run in this process was still under way after 1 s"
        ]
        assert waited < 1 + 1.5
        assert hung.result()[0] == 500  # the hung test timed out; that run went on
    assert widget_names() == {"default": [], "other": []}


def test_a_run_that_waited_gets_what_is_left_of_its_budget(live_server, smoke_apps, settings, release):
    smoke_apps("slow")
    settings.SMOKETEST_RUN_TIMEOUT = 4
    base = f"{live_server.url}/smoketest/?test="
    with ThreadPoolExecutor(max_workers=1) as pool:
        hung = pool.submit(fetch, base + "slow.Hangs")
        time.sleep(0.3)
        started = time.monotonic()
        status, document = fetch(base + "slow.Budget.test_c_never_starts")
        assert time.monotonic() - started < 4 + 1.5
        assert (status, document["tests_passed"]) == (200, 1)
        assert hung.result()[0] == 500
