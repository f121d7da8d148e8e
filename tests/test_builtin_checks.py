"""The built-in checks in ``smoketest.checks``, each in its passing and its
failing case, against real databases, caches, files and sockets."""

import os
import socket
import threading

import pytest
from django.core import mail
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.db import connections
from django.db.migrations.recorder import MigrationRecorder

from smoketest import checks
from tests.conftest import closed_port, redis_or_skip
from tests.settings import DB_PREFIX, REDIS_URL
from tests.smokeapps.checkoptions import smoke as checkoptions

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

DATABASE = "DatabaseSmoke.test_databases_answer_and_accept_writes"
MIGRATIONS = "MigrationsSmoke.test_no_unapplied_migrations"
CACHE = "CacheSmoke.test_caches_round_trip_a_key"
STORAGE = "StorageSmoke.test_storages_save_read_and_delete_a_file"
EMAIL = "EmailSmoke.test_email_backend_opens_a_connection"
DEBUG_OFF = "SettingsSmoke.test_debug_is_off"
DEPLOYMENT = "SettingsSmoke.test_deployment_checks_pass"
STRICT_DEBUG_OFF = "StrictSettings.test_debug_is_off"
STRICT_DEPLOYMENT = "StrictSettings.test_deployment_checks_pass"


@pytest.fixture
def run_builtin(get_json, smoke_apps, settings):
    """Run the built-in checks as imported by a smoke module; return their
    JSON entries by ``Class.method``. Only a local-memory cache is configured
    unless the test sets ``CACHES`` itself."""
    settings.CACHES = {"default": LOCMEM}

    def run(*apps: str) -> dict:
        smoke_apps("builtin", *apps)
        _, document = get_json()
        return {".".join(test["name"].split(".")[-2:]): test for test in document["tests"]}

    return run


def test_every_check_passes_on_a_healthy_site(run_builtin, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": filesystem(tmp_path)}
    tests = run_builtin()
    statuses = {name: tests[name]["status"] for name in (DATABASE, MIGRATIONS, CACHE, STORAGE, EMAIL, DEBUG_OFF)}
    assert statuses == dict.fromkeys(statuses, "pass"), tests
    assert tests[DEPLOYMENT]["status"] == "pass", tests[DEPLOYMENT]["message"]


def test_checks_report_under_the_smoke_module_that_imports_them_and_carry_the_builtin_tag(run_builtin):
    tests = run_builtin()
    assert (
        tests[DATABASE]["name"] == "tests.smokeapps.builtin.smoke.DatabaseSmoke.test_databases_answer_and_accept_writes"
    )
    assert tests[DATABASE]["app"] == "builtin"
    assert sorted(tests[DATABASE]["tags"]) == ["builtin", "database"]
    assert all("builtin" in test["tags"] for test in tests.values())
    for name in checks.__all__:
        assert "builtin" in getattr(checks, name).tags


# DatabaseSmoke


def smoke_rows(alias: str) -> int:
    return MigrationRecorder(connections[alias]).migration_qs.filter(app="smoketest").count()


def test_database_write_is_rolled_back_on_every_alias(run_builtin):
    assert run_builtin()[DATABASE]["status"] == "pass"
    assert [smoke_rows(alias) for alias in connections] == [0, 0]


@pytest.fixture
def reconfigure_other():
    """Point the ``other`` alias elsewhere for one test, then restore it."""
    other = connections["other"]
    saved = {**other.settings_dict, "OPTIONS": dict(other.settings_dict["OPTIONS"])}

    def reconfigure(**changes):
        other.close()
        other.settings_dict.update(changes)

    yield reconfigure
    other.close()
    other.settings_dict.clear()
    other.settings_dict.update(saved)


def read_only_options(vendor: str, options: dict) -> dict:
    if vendor == "postgresql":
        return {**options, "options": "-c default_transaction_read_only=on"}
    if vendor == "mysql":
        return {**options, "init_command": "SET SESSION TRANSACTION READ ONLY"}
    return {**options, "init_command": "PRAGMA query_only = ON"}


def test_a_database_that_refuses_writes_fails_naming_it(run_builtin, reconfigure_other):
    other = connections["other"]
    reconfigure_other(OPTIONS=read_only_options(other.vendor, other.settings_dict["OPTIONS"]))
    tests = run_builtin("checkoptions")
    assert tests[DATABASE]["status"] == "fail"
    assert f"database 'other' ({other.vendor}) refused a write:" in tests[DATABASE]["message"]
    assert "'default'" not in tests[DATABASE]["message"]
    # A subclass that knows "other" is a replica only queries it.
    assert tests[DATABASE.replace("DatabaseSmoke", "ReplicaAware")]["status"] == "pass"


def test_a_database_that_is_down_fails_naming_it(run_builtin, reconfigure_other, settings):
    settings.SMOKETEST_DATABASES = ["default"]  # so the runner itself can open its transaction
    if connections["other"].vendor == "sqlite":
        reconfigure_other(NAME="/nonexistent-dir/down.sqlite3")
    else:
        reconfigure_other(PORT="1")
    tests = run_builtin()
    assert tests[DATABASE]["status"] == "fail"
    assert "database 'other' (" in tests[DATABASE]["message"]
    assert "did not answer a query: OperationalError" in tests[DATABASE]["message"]


def test_an_alias_outside_the_rolled_back_transaction_is_never_written(run_builtin, settings):
    settings.SMOKETEST_DATABASES = ["default"]
    tests = run_builtin()
    assert tests[DATABASE]["status"] == "fail"
    assert "refusing to write a test row on database 'other'" in tests[DATABASE]["message"]
    assert [smoke_rows(alias) for alias in connections] == [0, 0]


# DatabaseSmoke.min_versions, against the real server (or SQLite library) of each alias

VERSIONED = "Versioned.test_databases_answer_and_accept_writes"


def vendor(alias: str) -> str:
    connection = connections[alias]
    return "mariadb" if connection.vendor == "mysql" and connection.mysql_is_mariadb else connection.vendor


def server_version(alias: str) -> tuple[int, ...]:
    return tuple(connections[alias].get_database_version())


def test_a_server_older_than_the_minimum_fails_naming_the_alias_its_version_and_the_minimum(run_builtin, monkeypatch):
    version = server_version("default")
    minimum = (version[0], version[1] + 1) if len(version) > 1 else (version[0] + 1,)
    monkeypatch.setattr(checkoptions.Versioned, "min_versions", {vendor("default"): minimum})
    test = run_builtin("checkoptions")[VERSIONED]
    assert test["status"] == "fail"
    for alias in connections:  # the test databases of both aliases are on the same server
        shown = ".".join(map(str, version))
        assert (
            f"(database={alias!r}): database {alias!r} runs {connections[alias].display_name} {shown}, below the "
            f"minimum {'.'.join(map(str, minimum))} (min_versions[{vendor(alias)!r}])"
        ) in test["message"]


@pytest.mark.parametrize("below", [True, False], ids=["below", "equal"])
def test_a_server_at_or_above_the_minimum_passes(run_builtin, monkeypatch, below):
    version = server_version("default")
    minimum = (version[0] - 1,) if below else version
    monkeypatch.setattr(checkoptions.Versioned, "min_versions", {vendor("default"): minimum})
    test = run_builtin("checkoptions")[VERSIONED]
    assert (test["status"], test["message"]) == ("pass", "")


def test_the_minimum_of_another_vendor_is_not_applied(run_builtin, monkeypatch):
    vendors = ("postgresql", "mysql", "mariadb", "sqlite", "oracle")
    others = {name: (999,) for name in vendors if name != vendor("default")}
    monkeypatch.setattr(checkoptions.Versioned, "min_versions", others)  # on MariaDB, "mysql" too is another vendor
    test = run_builtin("checkoptions")[VERSIONED]
    assert (test["status"], test["message"]) == ("pass", "")


@pytest.mark.parametrize(
    "min_versions, problem",
    [
        ({"postgres": (14,)}, "min_versions names the database vendor 'postgres'; known vendors: mariadb, mysql, "),
        ({"sqlite": 3}, "min_versions['sqlite'] must be a tuple of integers such as (14,) or (10, 6), not 3"),
        ({"mysql": ("8", "0")}, "min_versions['mysql'] must be a tuple of integers"),
        ({"mariadb": ()}, "min_versions['mariadb'] must be a tuple of integers"),
    ],
)
def test_an_unknown_vendor_or_a_malformed_minimum_is_a_configuration_error(
    run_builtin, monkeypatch, min_versions, problem
):
    monkeypatch.setattr(checkoptions.Versioned, "min_versions", min_versions)
    test = run_builtin("checkoptions")[VERSIONED]
    assert test["status"] == "error"
    assert f"ImproperlyConfigured: {problem}" in test["message"]


# MigrationsSmoke


def test_unapplied_migrations_are_named_per_alias(run_builtin):
    tests = run_builtin("unmigrated")
    message = tests[MIGRATIONS]["message"]
    assert tests[MIGRATIONS]["status"] == "fail"
    for alias in connections:
        assert (
            f"database {alias!r} has 2 unapplied migrations: unmigrated.0001_initial, unmigrated.0002_second" in message
        )
    assert tests[MIGRATIONS.replace("MigrationsSmoke", "FirstMissingOnly")]["message"] == (
        "(database='default'): database 'default' has 2 unapplied migrations: unmigrated.0001_initial and 1 more"
    )


# CacheSmoke


def redis_cache(location: str = REDIS_URL, **options) -> dict:
    return {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": location,
        "KEY_PREFIX": DB_PREFIX,
        "OPTIONS": options,
    }


LOCMEM = {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "smoketest-tests"}


def locmem_keys(alias: str) -> list:
    return list(caches[alias]._cache)


def test_caches_round_trip_and_leave_no_key(run_builtin, settings):
    redis = redis_or_skip()
    settings.CACHES = {"default": LOCMEM, "redis": redis_cache()}
    tests = run_builtin()
    assert (tests[CACHE]["status"], tests[CACHE]["message"]) == ("pass", "")
    assert locmem_keys("default") == []
    assert list(redis.scan_iter(f"{DB_PREFIX}:*")) == []


def test_a_cache_that_cannot_be_reached_fails_naming_it(run_builtin, settings):
    port = closed_port()
    settings.CACHES = {"default": LOCMEM, "down": redis_cache(f"redis://127.0.0.1:{port}/0")}
    tests = run_builtin()
    message = tests[CACHE]["message"]
    assert tests[CACHE]["status"] == "fail"
    assert "(cache='down'): cache 'down' (RedisCache) could not store a key: ConnectionError" in message
    assert "'default'" not in message.split("could not remove")[0]


def test_a_cache_that_loses_values_fails_and_its_key_is_removed(run_builtin, settings):
    settings.CACHES = {
        "default": LOCMEM,
        "dummy": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"},
        "forgetful": {**LOCMEM, "BACKEND": "tests.broken_backends.ForgetfulCache", "LOCATION": "forgetful"},
    }
    tests = run_builtin()
    message = tests[CACHE]["message"]
    assert "cache 'dummy' (DummyCache) did not return the value just stored" in message
    assert "cache 'forgetful' (ForgetfulCache) did not return the value just stored" in message
    assert locmem_keys("forgetful") == []


class CountingCache(LocMemCache):
    """A local-memory cache that records each call the check makes."""

    calls: list[str] = []

    def set(self, *args, **kwargs):
        self.calls.append("set")
        return super().set(*args, **kwargs)

    def get(self, *args, **kwargs):
        self.calls.append("get")
        return super().get(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.calls.append("delete")
        return super().delete(*args, **kwargs)


class NoSayDeleteCache(CountingCache):
    """A backend written before ``delete`` returned whether the key was there."""

    def delete(self, *args, **kwargs):
        super().delete(*args, **kwargs)


def test_a_passing_cache_check_makes_one_round_trip_of_each_kind(run_builtin, settings):
    counting = {**LOCMEM, "BACKEND": "tests.test_builtin_checks.CountingCache", "LOCATION": "counting"}
    silent = {**LOCMEM, "BACKEND": "tests.test_builtin_checks.NoSayDeleteCache", "LOCATION": "silent"}
    settings.CACHES = {"default": LOCMEM, "counting": counting}
    CountingCache.calls.clear()
    assert run_builtin()[CACHE]["status"] == "pass"
    # delete() said the key was there: no get() to see it gone, no second delete() at cleanup.
    assert CountingCache.calls == ["set", "get", "delete"]
    assert locmem_keys("counting") == []
    settings.CACHES = {"default": LOCMEM, "silent": silent}
    CountingCache.calls.clear()
    assert run_builtin()[CACHE]["status"] == "pass"
    assert CountingCache.calls == ["set", "get", "delete", "get"]  # delete() said nothing: asked again


def test_a_stored_key_is_removed_from_redis_when_the_check_fails(run_builtin, settings):
    redis = redis_or_skip()
    settings.CACHES = {"default": LOCMEM, "redis": redis_cache(serializer="tests.broken_backends.UnreadableSerializer")}
    tests = run_builtin()
    assert tests[CACHE]["status"] == "fail"
    assert "cache 'redis' (RedisCache) could not read a key back: ValueError: cannot decode" in tests[CACHE]["message"]
    assert list(redis.scan_iter(f"{DB_PREFIX}:*")) == []


# StorageSmoke


def filesystem(location, backend="django.core.files.storage.FileSystemStorage") -> dict:
    return {"BACKEND": backend, "OPTIONS": {"location": str(location)}}


def test_storage_saves_reads_and_deletes_leaving_no_file(run_builtin, settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, "default": filesystem(tmp_path)}
    tests = run_builtin()
    assert (tests[STORAGE]["status"], tests[STORAGE]["message"]) == ("pass", "")
    assert os.listdir(tmp_path) == []


def test_a_storage_that_cannot_save_fails_naming_it(run_builtin, settings, tmp_path):
    (tmp_path / "a-file").write_text("not a directory")
    settings.STORAGES = {**settings.STORAGES, "default": filesystem(tmp_path / "a-file" / "media")}
    tests = run_builtin()
    assert tests[STORAGE]["status"] == "fail"
    assert "storage 'default' (FileSystemStorage) could not save 'smoketest-" in tests[STORAGE]["message"]
    assert os.listdir(tmp_path) == ["a-file"]


def test_a_file_that_cannot_be_read_back_is_still_removed(run_builtin, settings, tmp_path):
    unreadable = filesystem(tmp_path, "tests.broken_backends.UnreadableStorage")
    settings.STORAGES = {**settings.STORAGES, "default": unreadable}
    tests = run_builtin()
    assert tests[STORAGE]["status"] == "fail"
    assert "storage 'default' (UnreadableStorage) could not read 'smoketest-" in tests[STORAGE]["message"]
    assert "OSError: simulated read error" in tests[STORAGE]["message"]
    assert os.listdir(tmp_path) == []


# EmailSmoke


class FakeSMTPServer:
    """Just enough SMTP on a loopback port for a connection to open and quit;
    it records every command it receives."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.commands: list[str] = []
        self.thread = threading.Thread(target=self.serve, daemon=True)
        self.thread.start()

    def serve(self):
        connection, _ = self.listener.accept()
        with connection, connection.makefile("rwb") as stream:
            stream.write(b"220 fake ESMTP\r\n")
            stream.flush()
            for line in stream:
                command = line.decode().strip()
                self.commands.append(command)
                stream.write(b"221 bye\r\n" if command.upper() == "QUIT" else b"250 ok\r\n")
                stream.flush()
                if command.upper() == "QUIT":
                    return

    def close(self):
        self.thread.join(timeout=5)
        self.listener.close()


def test_email_backend_opens_and_closes_a_connection_sending_nothing(run_builtin, settings):
    server = FakeSMTPServer()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", server.port
    tests = run_builtin()
    server.close()
    assert (tests[EMAIL]["status"], tests[EMAIL]["message"]) == ("pass", "")
    assert [command.upper() for command in server.commands] == ["QUIT"]


def test_the_locmem_backend_passes_and_sends_nothing(run_builtin):
    assert run_builtin()[EMAIL]["status"] == "pass"
    assert mail.outbox == []


def test_an_smtp_server_that_is_down_fails_naming_it(run_builtin, settings):
    port = closed_port()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    tests = run_builtin()
    assert tests[EMAIL]["status"] == "fail"
    assert tests[EMAIL]["message"].startswith(
        f"email backend django.core.mail.backends.smtp.EmailBackend (127.0.0.1:{port}) could not open a connection: "
        "ConnectionRefusedError"
    )


# SettingsSmoke


def test_debug_true_fails(run_builtin, settings):
    settings.DEBUG = True
    tests = run_builtin("checkoptions")
    assert tests[DEBUG_OFF]["status"] == "fail"
    assert tests[DEBUG_OFF]["message"].startswith("True is not false : DEBUG is True")
    # allow_debug lets a staging site through.
    assert tests[STRICT_DEBUG_OFF]["status"] == "skip"


def test_an_error_level_system_check_fails_naming_it(run_builtin, settings):
    settings.SMOKETEST_DATABASES = ["default", "other", "nope"]
    tests = run_builtin()
    assert tests[DEPLOYMENT]["status"] == "fail"
    assert tests[DEPLOYMENT]["message"].startswith("the deployment checks report 1 issues at ERROR or above: ")
    assert "smoketest.E002: " in tests[DEPLOYMENT]["message"]


def test_fail_level_warning_fails_on_deployment_warnings_unless_silenced(run_builtin, settings):
    tests = run_builtin("checkoptions")
    strict = tests[STRICT_DEPLOYMENT]
    assert strict["status"] == "fail"
    assert "at WARNING or above" in strict["message"]
    assert "security.W009" in strict["message"]  # the test settings' SECRET_KEY is short
    settings.SILENCED_SYSTEM_CHECKS = [*settings.SILENCED_SYSTEM_CHECKS, "security.W009"]
    strict = run_builtin("checkoptions")[STRICT_DEPLOYMENT]
    assert strict["status"] == "fail"  # other deployment warnings remain
    assert "security.W009" not in strict["message"]


def test_checks_are_selected_by_their_tags(get_json, smoke_apps):
    smoke_apps("builtin")
    _, document = get_json(tag="database")
    assert sorted(test["name"].split(".")[-2] for test in document["tests"]) == ["DatabaseSmoke", "MigrationsSmoke"]
    _, document = get_json(tag="builtin", exclude_tag="database")
    assert len(document["tests"]) == 5  # cache, storage, email, and SettingsSmoke's two
