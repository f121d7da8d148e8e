"""What a process keeps for polls is bounded in bytes, whatever callers send."""

import os
import resource
import urllib.error
import urllib.request

import pytest
from django.core.cache import cache, caches

from smoketest.web.flight import CACHE_KEY_PREFIX, kept_results
from tests.conftest import redis_or_skip
from tests.settings import DB_PREFIX, REDIS_URL

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


@pytest.fixture
def shared_cache(settings):
    """A Redis cache shared by processes, as the result cache."""
    redis = redis_or_skip()
    prefix = f"{DB_PREFIX}-memory"
    location = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
    settings.CACHES = {**settings.CACHES, "shared": {**location, "KEY_PREFIX": prefix}}
    settings.SMOKETEST_CACHE = "shared"
    yield
    for key in redis.scan_iter(f"{prefix}:*"):
        redis.delete(key)


@pytest.mark.skipif(not os.path.exists("/proc/self/statm"), reason="needs Linux's /proc")
def test_polls_with_distinct_query_strings_of_a_ten_megabyte_result_stay_bounded(
    live_server, cached, shared_cache, runs
):
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
    # Kept per poll, 100 answers of about 10 MB would be a gigabyte; the allocator's
    # arenas of a busy machine (tox runs three suites at once) account for tens of MB.
    assert grown < 200 * MB, f"grew {grown / MB:.0f} MB"


def test_kept_results_fit_in_the_memory_setting(client, cached, settings, runs):
    labels = ["bigresult.Small", "bigresult.Small.test_one", "bigresult.Small.test_two"]
    for label in labels:
        assert client.get("/smoketest/", {"test": label}).status_code == 200
    assert len(kept_results) == 3
    one = kept_results.size // 3
    settings.SMOKETEST_CACHE_MEMORY = 2 * one + one // 2  # forgets what was kept
    for label in labels * 2:  # three results in room for two, oldest out first: each poll runs its selection
        assert client.get("/smoketest/", {"test": label, "ignored": label}).status_code == 200
    assert len(kept_results) == 2 and kept_results.size <= settings.SMOKETEST_CACHE_MEMORY
    assert len(runs) == 3 + 6
    for _ in range(2):  # larger than the whole allowance: not kept, evicting nothing, so each poll runs it
        assert client.get("/smoketest/", {"test": "bigresult.Big"}).status_code == 500
    assert len(kept_results) == 2
    assert len(runs) == 3 + 6 + 2
    assert client.get("/smoketest/", {"test": labels[2]}).status_code == 200  # kept: no run
    assert len(runs) == 3 + 6 + 2


def test_a_process_local_cache_holds_no_result_whatever_selections_callers_ask_for(client, cached, settings, runs):
    """Local memory's bound is a count of entries; callers choose how many
    selections there are: results are kept within SMOKETEST_CACHE_MEMORY only."""
    settings.SMOKETEST_CACHE_MEMORY = 64 * 1024
    labels = ["bigresult.Small", "bigresult.Small.test_one", "bigresult.Small.test_two"]
    selections = [[first, second] for first in labels for second in labels] + [[label] for label in labels]
    for selection in selections * 2:
        assert client.get("/smoketest/", {"test": selection}).status_code == 200
    assert not [key for key in caches["default"]._cache if CACHE_KEY_PREFIX in key]
    assert 0 < kept_results.size <= settings.SMOKETEST_CACHE_MEMORY
    assert len(runs) == 6  # six distinct selections; the second round is served from what the process keeps
