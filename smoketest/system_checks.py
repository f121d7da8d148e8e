"""Django system checks (``smoketest.E0xx`` errors, ``smoketest.W0xx`` warnings)."""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import checks
from django.db import connections
from django.urls import NoReverseMatch, Resolver404, resolve, reverse

from smoketest.core.settings import SETTINGS, TABLE, smoketest_settings
from smoketest.engine.dbguard import nontransactional_tables
from smoketest.engine.loader import load_suite
from smoketest.web.flight import PROCESS_LOCAL_CACHES


@checks.register()
def check_settings(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Each setting's value, by its row of ``smoketest.core.settings.SETTINGS``."""
    errors: list[checks.CheckMessage] = []
    for setting in SETTINGS:
        problem = setting.problem()
        if problem:
            errors.append(
                checks.Error(
                    f"{setting.setting_name} {problem}",
                    hint=f"Leave it unset for the default, {setting.default!r}.",
                    id=setting.error_id,
                )
            )
    return errors


def _valid(*names: str) -> bool:
    """The cross-cutting checks below leave settings with an invalid value to ``check_settings``."""
    return not any(TABLE[name].problem() for name in names)


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
    if not _valid("TOKEN"):
        return []
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
    if not _valid("CACHE"):
        return []
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
    if not databases or not _valid("DATABASES"):
        return errors
    for alias in smoketest_settings.database_aliases:
        if alias not in databases:
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
