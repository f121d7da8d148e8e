"""DNSSmoke with this machine's resolver: "localhost" resolves, names under
the reserved ``.invalid`` top-level domain never do. A resolver that never
answers is a ``getaddrinfo`` that blocks until the test ends."""

import socket
import threading
import time

import pytest
from django.db import connections

from tests.smokeapps.names import smoke

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "smoketest-dns"}


@pytest.fixture
def run_names(get_json, smoke_apps):
    """Run one class of the ``names`` smoke app; return its JSON entry and the seconds the answer took."""
    smoke_apps("names")

    def run(name: str = "Names") -> tuple[dict, float]:
        started = time.monotonic()
        _, document = get_json(test=f"names.{name}")
        (test,) = document["tests"]
        return test, time.monotonic() - started

    return run


@pytest.fixture
def silent_resolver(monkeypatch):
    """Names under ``hang.invalid`` never resolve: their lookup blocks until the test ends."""
    resolve = socket.getaddrinfo
    release = threading.Event()

    def getaddrinfo(host, *args, **kwargs):
        if str(host).endswith("hang.invalid"):
            release.wait()
        return resolve(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield
    release.set()


def test_a_host_that_resolves_passes(run_names, monkeypatch):
    monkeypatch.setattr(smoke.Names, "hosts", ["localhost"])
    test, _ = run_names()
    assert (test["status"], test["message"]) == ("pass", "")
    assert sorted(test["tags"]) == ["builtin", "dns"]


def test_a_host_that_does_not_resolve_fails_naming_it(run_names, monkeypatch):
    monkeypatch.setattr(smoke.Names, "hosts", ["localhost", "nothing-here.invalid"])
    test, _ = run_names()
    assert test["status"] == "fail"
    assert test["message"].startswith(
        "(host='nothing-here.invalid'): host 'nothing-here.invalid' (hosts) did not resolve: gaierror: "
    )
    assert "'localhost'" not in test["message"]


def test_a_resolver_that_never_answers_is_bounded_by_resolve_timeout(run_names, monkeypatch, silent_resolver):
    monkeypatch.setattr(smoke.Names, "hosts", ["db.hang.invalid", "localhost", "cache.hang.invalid"])
    monkeypatch.setattr(smoke.Names, "resolve_timeout", 0.5)
    test, seconds = run_names()
    assert test["status"] == "fail"
    for host in ("db.hang.invalid", "cache.hang.invalid"):
        assert f"(host={host!r}): host {host!r} (hosts) did not resolve within 0.5 s" in test["message"]
    assert "'localhost'" not in test["message"]
    assert seconds < 0.5 + 1  # the lookups run at once: one wait for all of them


def test_a_resolver_that_never_answers_is_bounded_by_the_tests_time_limit(run_names, monkeypatch, silent_resolver):
    monkeypatch.setattr(smoke.Names, "hosts", ["db.hang.invalid"])
    monkeypatch.setattr(smoke.Names, "resolve_timeout", 60.0)
    test, seconds = run_names()
    assert test["status"] == "fail"  # reported by the check, not cut off by the time limit
    assert "host 'db.hang.invalid' (hosts) did not resolve within 2.7 s" in test["message"]  # 3 s less a tenth
    assert seconds < 3 + 1


def test_the_default_hosts_are_those_the_settings_connect_to(run_names, settings):
    settings.SMOKETEST_PUBLIC_URL = "https://user:s3cret@www.example.invalid/"
    settings.CACHES = {
        "default": LOCMEM,
        "redis": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://:pw@cache.invalid:6379",
        },
        "memcached": {
            "BACKEND": "django.core.cache.backends.memcached.PyMemcacheCache",
            "LOCATION": ["mc.invalid:11211", "unix:/tmp/memcached.sock", "127.0.0.1:11211"],
        },
        "files": {"BACKEND": "django.core.cache.backends.filebased.FileBasedCache", "LOCATION": "/var/tmp/cache"},
    }
    settings.CELERY_BROKER_URL = "amqp://app:pw@broker.invalid:5672//;amqp://app:pw@localhost//"
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "mail.invalid"
    test, _ = run_names("SettingsNames")
    message = test["message"]
    assert test["status"] == "fail"
    failed = [
        line.split("): ", 1)[1].split(" did not")[0] for line in message.splitlines() if line.startswith("(host=")
    ]
    assert failed == [
        "host 'www.example.invalid' (SMOKETEST_PUBLIC_URL)",
        "host 'cache.invalid' (CACHES['redis'])",
        "host 'mc.invalid' (CACHES['memcached'])",
        "host 'broker.invalid' (CELERY_BROKER_URL)",
        "host 'mail.invalid' (EMAIL_HOST)",
    ]
    assert "s3cret" not in message and "pw" not in message


def test_database_hosts_are_resolved_and_sockets_and_addresses_are_not(run_names, settings, monkeypatch):
    settings.SMOKETEST_DATABASES = ["default"]  # the runner opens no transaction on "other"
    connections["other"].ensure_connection()  # its teardown uses this connection, not the host below
    monkeypatch.setitem(connections.settings["other"], "HOST", "db1.invalid,/run/postgresql,10.0.0.1")
    test, _ = run_names("SettingsNames")
    assert test["status"] == "fail"
    assert test["message"].startswith("(host='db1.invalid'): host 'db1.invalid' (DATABASES['other']) did not resolve: ")
    assert "postgresql" not in test["message"] and "10.0.0.1" not in test["message"]


def test_without_hosts_to_resolve_it_is_skipped_saying_why(run_names, settings):
    settings.CACHES = {"default": LOCMEM}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    test, _ = run_names("SettingsNames")  # the test database servers are addressed as 127.0.0.1
    assert (test["status"], test["message"]) == (
        "skip",
        "no host name to resolve: the settings name none (IP addresses need none); list them in hosts",
    )
