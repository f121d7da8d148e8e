"""What a process keeps for polls is bounded in bytes, whatever callers send."""

import os
import resource
import urllib.error
import urllib.request

import pytest
from django.core.cache import cache

from smoketest.web.flight import kept_results

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

MB = 1024 * 1024


def rss() -> int:
    """Bytes of this process in memory now."""
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize()


@pytest.fixture
def cached(settings, smoke_apps):
    cache.clear()
    smoke_apps("bigresult")
    settings.SMOKETEST_CACHE_SECONDS = 60
    yield
    cache.clear()


def poll(url: str) -> tuple[int, int]:
    """The status and body length of ``url``."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, len(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, len(error.read())


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux's /proc")
def test_polls_with_distinct_query_strings_of_a_ten_megabyte_result_stay_bounded(live_server, cached, runs):
    # A real server in this process (the test client keeps each response in a reference cycle).
    url = f"{live_server.url}/smoketest/"
    assert poll(url)[0] == 500
    before = 0
    for number in range(60):
        if number == 10:  # after warming up: each format's answers, the allocator's arenas of the server's threads
            before = rss()
        for format in ("text", "junit"):
            status, length = poll(f"{url}?format={format}&poller={number}")
            assert status == 500 and length > 5_000_000
    grown = rss() - before  # over 100 answers of about 10 MB, each under a query string of its own
    assert len(runs) == 1
    assert len(kept_results) == 0  # larger than SMOKETEST_CACHE_MEMORY: read from the cache each time
    assert grown < 60 * MB, f"grew {grown / MB:.0f} MB"


def test_kept_results_fit_in_the_memory_setting(client, cached, settings, runs):
    labels = ["bigresult.Small", "bigresult.Small.test_one", "bigresult.Small.test_two"]
    for label in labels:
        assert client.get("/smoketest/", {"test": label}).status_code == 200
    assert len(kept_results) == 3
    one = kept_results.size // 3
    settings.SMOKETEST_CACHE_MEMORY = 2 * one + one // 2  # forgets what was kept
    for label in labels * 2:
        assert client.get("/smoketest/", {"test": label, "ignored": label}).status_code == 200
    assert len(kept_results) == 2 and kept_results.size <= settings.SMOKETEST_CACHE_MEMORY
    for _ in range(2):  # larger than the whole allowance: kept by the shared cache only, evicting nothing
        assert client.get("/smoketest/", {"test": "bigresult.Big"}).status_code == 500
    assert len(kept_results) == 2
    assert len(runs) == 4
