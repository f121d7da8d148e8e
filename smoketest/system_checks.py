"""Django system checks (``smoketest.E0xx`` errors, ``smoketest.W0xx`` warnings)."""

from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks
from django.db import connections
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from smoketest.core.settings import DEFAULTS, IMPORT_STRINGS, smoketest_settings
from smoketest.engine.dbguard import nontransactional_tables
from smoketest.engine.loader import load_suite
from smoketest.web.flight import PROCESS_LOCAL_CACHES


def _positive_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _seconds_or_zero(value: Any) -> bool:
    return _positive_number(value) or value == 0


def _list_of_strings(value: Any) -> bool:
    return isinstance(value, (list, tuple)) and all(isinstance(item, str) for item in value)


def _aliases(value: Any) -> bool:
    return value is None or (_list_of_strings(value) and set(value) <= set(settings.DATABASES))


def _tokens(value: Any) -> bool:
    return value is None or (isinstance(value, str) and bool(value)) or (_list_of_strings(value) and all(value))


def _public_url(value: Any) -> bool:
    if value is None:
        return True
    if not isinstance(value, str):
        return False
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.hostname)


# Setting name -> (check ID, is the value valid?, what it must be).
VALIDATORS: dict[str, tuple[str, Callable[[Any], bool], str]] = {
    "SKIP_APPS": ("smoketest.E001", _list_of_strings, "a list of app labels or names"),
    "DATABASES": ("smoketest.E002", _aliases, "None or a list of aliases from DATABASES"),
    "FAIL_STATUS": (
        "smoketest.E003",
        lambda v: isinstance(v, int) and not isinstance(v, bool) and 400 <= v <= 599,
        "an HTTP error status (400-599)",
    ),
    "TIMEOUT": ("smoketest.E004", _positive_number, "a positive number of seconds"),
    "RUN_TIMEOUT": ("smoketest.E005", _positive_number, "a positive number of seconds"),
    "CACHE_SECONDS": ("smoketest.E006", _seconds_or_zero, "a number of seconds (0: no cache)"),
    "CACHE_FAIL_SECONDS": (
        "smoketest.E007",
        lambda v: v is None or _seconds_or_zero(v),
        "None or a number of seconds",
    ),
    "CACHE": ("smoketest.E008", lambda v: v in settings.CACHES, "an alias from CACHES"),
    "TOKEN": ("smoketest.E009", _tokens, "None, a non-empty string or a list of them"),
    "PUBLIC_DETAIL": ("smoketest.E010", lambda v: v in ("full", "summary"), '"full" or "summary"'),
    "THROTTLE_RATES": ("smoketest.E011", lambda v: isinstance(v, dict), 'a dict such as {"smoketest": "60/min"}'),
    "PUBLIC_URL": ("smoketest.E013", _public_url, "None or an absolute http(s) URL such as 'https://www.example.com/'"),
    "WORKERS": (
        "smoketest.E014",
        lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 1,
        "a whole number of workers, 1 or more (1: one test class at a time)",
    ),
    "CACHE_MEMORY": (
        "smoketest.E015",
        lambda v: isinstance(v, int) and not isinstance(v, bool) and v >= 0,
        "a whole number of bytes, 0 or more (0: read every poll's result from the cache)",
    ),
    "RELEASE": (
        "smoketest.E016",
        lambda v: v is None or (isinstance(v, str) and bool(v.strip()) and "\n" not in v),
        "None or a one-line string such as a commit hash",
    ),
}
IMPORT_CHECK_ID = "smoketest.E012"


@checks.register()
def check_settings(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    for name, (check_id, valid, expected) in VALIDATORS.items():
        value = getattr(settings, f"SMOKETEST_{name}", DEFAULTS[name])
        if not valid(value):
            errors.append(checks.Error(f"SMOKETEST_{name} must be {expected}, not {value!r}.", id=check_id))
    for name in sorted(IMPORT_STRINGS):
        try:
            getattr(smoketest_settings, name)
        except (ImportError, TypeError) as exc:
            errors.append(checks.Error(f"SMOKETEST_{name} cannot be imported: {exc}", id=IMPORT_CHECK_ID))
    return errors


@checks.register()
def check_workers(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Parallel runs need a database that serves concurrent writers."""
    workers = getattr(settings, "SMOKETEST_WORKERS", 1)  # a value the site set: the default suits SQLite too
    sqlite = smoketest_settings.sqlite_aliases
    if not (isinstance(workers, int) and workers > 1 and sqlite):
        return []
    return [
        checks.Warning(
            f"SMOKETEST_WORKERS = {workers} has no effect: smoke tests run one class at a time because "
            f"{', '.join(repr(alias) for alias in sqlite)} {'is' if len(sqlite) == 1 else 'are'} SQLite, "
            "which serves one writer at a time.",
            hint="Remove SMOKETEST_WORKERS, or run the site on PostgreSQL or MariaDB/MySQL.",
            id="smoketest.W004",
        )
    ]


@checks.register(checks.Tags.security)
def check_exposure(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """An internet-facing endpoint that names every test and message is a leak."""
    open_to_all = not smoketest_settings.tokens and not getattr(settings, "SMOKETEST_PERMISSION_CLASSES", ())
    if settings.DEBUG or not open_to_all or smoketest_settings.PUBLIC_DETAIL != "full":
        return []
    return [
        checks.Warning(
            "The smoke test endpoint shows test names and messages to anyone.",
            hint='Set SMOKETEST_TOKEN, SMOKETEST_PERMISSION_CLASSES, or SMOKETEST_PUBLIC_DETAIL = "summary".',
            id="smoketest.W003",
        )
    ]


@checks.register(checks.Tags.caches)
def check_cache_sharing(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Cached results are meant to be shared by every worker process."""
    alias = smoketest_settings.CACHE
    if not smoketest_settings.CACHE_SECONDS or alias not in settings.CACHES:
        return []
    backend = settings.CACHES[alias].get("BACKEND", "")
    if backend not in PROCESS_LOCAL_CACHES:
        return []
    return [
        checks.Warning(
            f"SMOKETEST_CACHE_SECONDS is set, but the {alias!r} cache ({backend.rpartition('.')[2]}) is not shared "
            "between processes: each worker process runs the smoke tests and keeps its own result.",
            hint="Point SMOKETEST_CACHE at a shared cache (Redis, Memcached, database).",
            id="smoketest.W005",
        )
    ]


@checks.register()
def check_discovery(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    suite = load_suite()
    messages: list[checks.CheckMessage] = [
        checks.Warning(
            f"Smoke module {error.module} cannot be imported: {error.error}",
            hint="The endpoint reports it as an error until it is fixed.",
            id="smoketest.W002",
        )
        for app in suite
        for error in app.errors
    ]
    if not any(app.classes or app.errors for app in suite):
        messages.append(
            checks.Warning(
                "No smoke tests were discovered in any installed app.",
                hint="Add a smoke.py module or smoke/ package with SmokeTest subclasses to an app.",
                id="smoketest.W001",
            )
        )
    return messages


#: The app's routes, by URL name.
ROUTES = ("smoketest:smoketest", "smoketest:ping")


@checks.register(checks.Tags.urls)
def check_routes_reachable(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """An earlier catch-all pattern (a CMS's page route) answers the endpoint's URLs instead of the app."""
    messages: list[checks.CheckMessage] = []
    for name in ROUTES:
        try:
            path = reverse(name)
        except NoReverseMatch:
            continue  # not included: nothing to shadow
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.view_name == name:
            continue
        messages.append(
            checks.Warning(
                f"{path} ({name}) is answered by {match._func_path} (URL pattern {match.route!r}), not by "
                "django-smoketest: an earlier pattern in the URLconf shadows it.",
                hint='Put path("smoketest/", include("smoketest.urls")) before that pattern.',
                id="smoketest.W006",
            )
        )
    return messages


@checks.register(checks.Tags.database)
def check_transactions(
    app_configs: Sequence[Any] | None = None, databases: Sequence[str] | None = None, **kwargs: Any
) -> list[checks.CheckMessage]:
    """Smoke tests are isolated by transactions: storage without them would
    keep their writes. Runs where Django runs database checks (``migrate``,
    ``check --database``)."""
    errors: list[checks.CheckMessage] = []
    for alias in smoketest_settings.database_aliases:
        if alias not in (databases or ()):
            continue
        connection = connections[alias]
        if not connection.features.supports_transactions:
            problem = "has no transactions (its default storage engine keeps every write)"
        elif connection.vendor == "mysql":
            connection.ensure_connection()
            tables = nontransactional_tables(connection.connection)
            problem = f"has tables without transactions: {', '.join(tables)}" if tables else ""
        else:
            continue
        if problem:
            errors.append(
                checks.Error(
                    f"Database {alias!r} {problem}: smoke tests could not roll their writes back, "
                    "so every write there is refused.",
                    hint="Convert the tables to a transactional engine (InnoDB), or leave the alias out of "
                    "SMOKETEST_DATABASES.",
                    id="smoketest.E017",
                )
            )
    return errors
