"""Behind real gunicorn servers: sharing a real Redis cache, they run the
suite once per cache period between them, and a lock holder killed mid-run
delays the others by at most its lease; a run the server's worker timeout
cuts reports no made-up cause; workers keep their database sessions across
runs as ``CONN_MAX_AGE`` says, and end them when the server stops."""

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest
from django.db import connection

from smoketest.web.flight import LEASE_SECONDS
from tests.conftest import ROOT, redis_or_skip, server_sessions, subprocess_env
from tests.settings import DB_PREFIX, REDIS_URL
from tests.smokeapps.fleet import smoke as fleet

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

CACHE_SECONDS = 2


@pytest.fixture
def redis_client():
    client = redis_or_skip()
    pytest.importorskip("gunicorn")
    keys = (fleet.RUNS_KEY, fleet.HANG_KEY, fleet.PID_KEY, fleet.SECONDS_KEY)
    client.delete(*keys)
    yield client
    client.delete(*keys)


@contextmanager
def gunicorn(env: dict[str, str], *options: str, log: Path | None = None, workers: int = 2) -> Iterator[str]:
    """A gunicorn server of ``workers`` sync workers on a free loopback port
    (its output into ``log``), each warmed up; its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "-m", "gunicorn", "tests.wsgi", "--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    with open(log or os.devnull, "w") as output:
        server = subprocess.Popen([*command, *options], cwd=ROOT, env=env, stderr=output)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while fetch(f"{base}/smoketest/ping/")[0] != 200:
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
        for _ in range(2 * workers):  # a selection that names nothing: discovery, and no run
            fetch(f"{base}/smoketest/?test=nothing")
        yield base
    finally:
        server.terminate()
        server.wait(20)


def fetch(url: str) -> tuple[int | str, dict]:
    """The status and JSON report of ``url`` (``{"body": ...}`` for another
    answer); the error's name when there is no answer."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.status, document(response.read())
    except urllib.error.HTTPError as error:
        with error:
            return error.code, document(error.read())
    except OSError as error:
        return type(error).__name__, {}


def document(body: bytes) -> dict:
    try:
        return json.loads(body)
    except ValueError:
        return {"body": body.decode(errors="replace")}


@pytest.fixture
def fleet_servers(smoke_apps, redis_client):
    """Two gunicorn servers (2 workers each) sharing one Redis cache."""
    smoke_apps("fleet")
    # A key prefix of its own: no result of an earlier test is found.
    prefix = f"{DB_PREFIX}-fleet-{time.time()}"
    caches = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    caches["default"]["KEY_PREFIX"] = prefix
    env = subprocess_env(CACHES=caches, SMOKETEST_CACHE_SECONDS=CACHE_SECONDS, SMOKETEST_THROTTLE_CLASSES=[])
    with ExitStack() as stack:
        yield [stack.enter_context(gunicorn(env)) for _ in range(2)]


def recorded_runs(client) -> list[tuple[float, float]]:
    return sorted(tuple(map(float, run.split())) for run in client.lrange(fleet.RUNS_KEY, 0, -1))


def test_one_run_per_cache_period_across_two_servers(fleet_servers, redis_client):
    urls = [f"{base}/smoketest/" for base in fleet_servers]
    end = time.monotonic() + 4 * CACHE_SECONDS
    answers = []

    def poll(first: int) -> None:
        turn = first
        while time.monotonic() < end:
            answers.append(fetch(urls[turn % 2]))
            turn += 1

    with ThreadPoolExecutor(max_workers=5) as pool:
        list(pool.map(poll, range(5)))
    assert len(answers) > 20
    assert {(status, document["status"]) for status, document in answers} == {(200, "PASS")}
    runs = recorded_runs(redis_client)
    assert 2 <= len(runs) <= 5
    # Each run starts after the previous one's result expired: never two in one period.
    gaps = [later[0] - earlier[1] for earlier, later in zip(runs[:-1], runs[1:], strict=True)]
    assert min(gaps) >= CACHE_SECONDS * 0.9, gaps


def test_a_killed_lock_holder_delays_the_fleet_by_at_most_its_lease(fleet_servers, redis_client):
    first, second = fleet_servers
    redis_client.set(fleet.HANG_KEY, 1)
    hung = threading.Thread(target=fetch, args=(f"{first}/smoketest/",), daemon=True)
    hung.start()
    deadline = time.monotonic() + 30
    while not redis_client.get(fleet.PID_KEY):
        assert time.monotonic() < deadline, "the first run did not start"
        time.sleep(0.05)
    os.kill(int(redis_client.get(fleet.PID_KEY)), signal.SIGKILL)
    killed_at = time.time()
    redis_client.delete(fleet.HANG_KEY)
    status, document = fetch(f"{second}/smoketest/")
    assert (status, document["status"], document["cached"]) == (200, "PASS", False)
    [(started, _)] = recorded_runs(redis_client)  # the killed run recorded nothing
    # The lock was held until its lease expired, and not much longer.
    assert 1 <= started - killed_at <= LEASE_SECONDS + 2
    hung.join(10)


def test_a_run_the_server_cuts_reports_no_made_up_cause(smoke_apps, redis_client, settings, tmp_path):
    smoke_apps("fleet")
    settings.SMOKETEST_RUN_TIMEOUT = 30  # more than gunicorn gives it
    redis_client.set(fleet.SECONDS_KEY, 12)
    log = tmp_path / "gunicorn.log"
    with gunicorn(subprocess_env(), "--timeout", "4", log=log) as base:
        status, answer = fetch(f"{base}/smoketest/")
    assert status == 500
    assert set(answer) == {"body"}  # gunicorn's own error page, no report
    assert "SystemExit" not in answer["body"]
    assert "smoketest: the server ended the run after" in log.read_text()


@pytest.mark.skipif(connection.vendor == "sqlite", reason="SQLite has no server sessions")
def test_worker_sessions_live_as_conn_max_age_says_and_end_with_the_server(smoke_apps, settings):
    pytest.importorskip("gunicorn")
    smoke_apps("passing", "multidb")
    databases = {alias: {**config, "CONN_MAX_AGE": 60} for alias, config in settings.DATABASES.items()}
    env = subprocess_env(DATABASES=databases, SMOKETEST_THROTTLE_CLASSES=[])
    before = server_sessions()  # this test's own
    with gunicorn(env, workers=1) as base:
        for _ in range(20):  # the workers have opened their connections
            assert fetch(f"{base}/smoketest/")[0] == 200
        sessions = server_sessions()
        for _ in range(200):
            fetch(f"{base}/smoketest/")
        # The warm-up's sessions are still there (kept, not opened again); the
        # pool grows only while tests wait, to SMOKETEST_WORKERS (4) threads of
        # a session per alias each: sessions never pile up.
        after = server_sessions()
        assert sessions > before and sessions <= after
        assert len(after - before) <= 4 * len(databases)
    deadline = time.monotonic() + 10
    while server_sessions() != before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server_sessions() == before
