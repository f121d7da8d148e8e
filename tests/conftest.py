import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.db import connections

from tests import settings as test_settings
from tests.settings import BASE_APPS, CELERY_BROKER_URL, REDIS_URL
from tests.testapp.models import Widget

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session", autouse=True)
def redis_left_as_found():
    """The suite's Redis database (``SMOKETEST_REDIS_URL``, and the Celery
    broker's) ends as it began: every key the tests added is removed."""
    try:
        import redis

        clients = [redis.Redis.from_url(url, socket_connect_timeout=1) for url in {REDIS_URL, CELERY_BROKER_URL}]
        found = [set(client.scan_iter(count=1000)) for client in clients]
    except Exception:  # no redis package or no server: nothing is written there
        yield
        return
    yield
    for client, before in zip(clients, found, strict=True):
        added = [key for key in client.scan_iter(count=1000) if key not in before]
        if added:
            client.delete(*added)


@pytest.fixture
def smoke_apps(settings):
    """Install the given apps from ``tests/smokeapps`` (besides the base apps)."""

    def install(*names: str) -> None:
        settings.INSTALLED_APPS = [*BASE_APPS, *(name if "." in name else f"tests.smokeapps.{name}" for name in names)]

    return install


def subprocess_env(**overrides: object) -> dict[str, str]:
    """The environment of a Django process this test starts: this test's
    databases, installed apps, allowed hosts and SMOKETEST_* settings, plus
    ``overrides``."""
    settings = {
        "DATABASES": django_settings.DATABASES,
        "INSTALLED_APPS": list(django_settings.INSTALLED_APPS),
        "ALLOWED_HOSTS": list(django_settings.ALLOWED_HOSTS),
        **{name: getattr(django_settings, name) for name in dir(django_settings) if name.startswith("SMOKETEST_")},
        **overrides,
    }
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.subprocess_settings",
        "SMOKETEST_SQLITE_DIR": test_settings.SQLITE_DIR,
        "SMOKETEST_SETTINGS_JSON": json.dumps(settings, default=str),
    }


@pytest.fixture
def manage():
    """Run ``manage.py smoketest ARGS`` in a subprocess (``subprocess_env``)."""

    def run(*args: str) -> subprocess.CompletedProcess:
        command = [sys.executable, "-m", "django", "smoketest", *args]
        return subprocess.run(command, cwd=ROOT, env=subprocess_env(), capture_output=True, text=True, timeout=120)

    return run


@pytest.fixture
def get_json(client):
    """GET the endpoint as a JSON monitor would; return (response, document)."""

    def get(**params):
        response = client.get("/smoketest/", params, HTTP_ACCEPT="application/json")
        return response, json.loads(response.content)

    return get


def by_name(document: dict) -> dict:
    """The ``tests`` entries of a JSON document, keyed by their last dotted part."""
    return {test["name"].rsplit(".", 1)[-1]: test for test in document["tests"]}


def widget_names() -> dict[str, list[str]]:
    """The widget rows left on every alias."""
    return {alias: sorted(Widget.objects.using(alias).values_list("name", flat=True)) for alias in connections}


@pytest.fixture
def runs():
    """The results of the runs that finish while the test runs (run_finished)."""
    from smoketest.core.signals import run_finished

    results = []

    def record(sender, result, **kwargs):
        results.append(result)

    run_finished.connect(record)
    yield results
    run_finished.disconnect(record)


def workers() -> list[threading.Thread]:
    """The smoke test worker threads alive now."""
    return [thread for thread in threading.enumerate() if thread.name == "smoketest-worker"]


def wait_for_workers_to_end(limit: float = 10) -> None:
    end = time.monotonic() + limit
    while workers() and time.monotonic() < end:
        time.sleep(0.05)
    assert workers() == []


def redis_or_skip(url: str = REDIS_URL):
    """A client of the Redis at ``url``; the test is skipped when none answers
    there, or fails when ``SMOKETEST_REQUIRE_REDIS`` is set (as in CI)."""
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.RedisError as exc:
        if os.environ.get("SMOKETEST_REQUIRE_REDIS"):
            pytest.fail(f"no Redis at {url}: {exc}")
        pytest.skip(f"no Redis at {url}: {exc}")
    return client


def closed_port() -> int:
    """A loopback port nothing listens on (it was free a moment ago)."""
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        return closed.getsockname()[1]


@pytest.fixture
def release():
    """Hold the ``slow`` app's hanging tests until the test ends."""
    from tests.smokeapps.slow import smoke as slow

    slow.RELEASE.clear()
    yield slow.RELEASE
    slow.RELEASE.set()
    wait_for_workers_to_end()


def server_sessions() -> set[int]:
    """The ids of the sessions the database server has open on this test's
    databases, besides this thread's own."""
    names = [connections[alias].settings_dict["NAME"] for alias in connections]
    with connections["default"].cursor() as cursor:
        if connections["default"].vendor == "postgresql":
            sql = "SELECT pid FROM pg_stat_activity WHERE datname = ANY(%s) AND pid <> pg_backend_pid()"
            cursor.execute(sql, [names])
        else:
            sql = "SELECT ID FROM information_schema.PROCESSLIST WHERE DB IN (%s, %s) AND ID <> CONNECTION_ID()"
            cursor.execute(sql, names)
        return {row[0] for row in cursor.fetchall()}


def database_hash() -> dict[str, str]:
    """A hash of every row of every table, per alias."""
    hashes = {}
    for alias in connections:
        connection = connections[alias]
        digest = hashlib.sha256()
        with connection.cursor() as cursor:
            for table in sorted(connection.introspection.table_names(cursor)):
                cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
                digest.update(table.encode() + repr(sorted(map(repr, cursor.fetchall()))).encode())
        hashes[alias] = digest.hexdigest()
    return hashes
