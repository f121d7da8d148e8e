"""All ``SMOKETEST_*`` settings, with their defaults, in one place.

Read them through ``smoketest_settings.NAME``. The first access reads Django's
settings and keeps the value (a run reads some of them once per test); the
``setting_changed`` signal, which ``override_settings`` and pytest-django's
``settings`` fixture send, forgets them. Settings listed in ``IMPORT_STRINGS``
may hold dotted paths; they are returned as the objects they name.
"""

from typing import Any

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connections
from django.dispatch import receiver
from django.utils.module_loading import import_string

DEFAULTS: dict[str, Any] = {
    # Apps whose smoke tests are not run: app label, app name or INSTALLED_APPS entry.
    "SKIP_APPS": (),
    # Database aliases every test is isolated (and rolled back) on; None means all.
    "DATABASES": None,
    # HTTP status of a FAIL answer.
    "FAIL_STATUS": 500,
    # Seconds one test may take (class attribute ``timeout`` and ``@smoketest.timeout`` override it).
    "TIMEOUT": 10,
    # Seconds a whole run may take; tests left when it is spent are reported as not run.
    # Below gunicorn's default 30 s worker timeout, which would end the process first.
    "RUN_TIMEOUT": 25,
    # Tests run at once, each worker on its own thread and connections (1: one after another).
    # Ignored (1) when a database is SQLite; a class with ``parallel = False`` always runs alone.
    "WORKERS": 4,
    # Seconds a result is served from the cache before the next request runs the tests again (0: off).
    "CACHE_SECONDS": 0,
    # Seconds a FAIL result is cached; None: as long as CACHE_SECONDS.
    "CACHE_FAIL_SECONDS": None,
    # The CACHES alias results are shared through (across worker processes).
    "CACHE": "default",
    # Bytes (pickled) of cached results each process also keeps in memory; a larger result is read from the cache.
    "CACHE_MEMORY": 4 * 1024 * 1024,
    # A token (or a list of tokens, to rotate them) every request must carry; None: no token needed.
    "TOKEN": None,
    # DRF authentication, permission and throttle classes of the endpoint.
    "AUTHENTICATION_CLASSES": ("rest_framework.authentication.SessionAuthentication",),
    "PERMISSION_CLASSES": (),
    "THROTTLE_CLASSES": (),
    # Rates for the throttle scopes (``smoketest``, or DRF's ``anon``/``user``), e.g. {"smoketest": "30/min"}.
    "THROTTLE_RATES": {"smoketest": "60/min"},
    # What callers that are neither staff nor token holders see: "full" (names, messages) or "summary" (counts).
    "PUBLIC_DETAIL": "full",
    # Show tracebacks (JSON ``tests[].traceback``) to every caller; None: as DEBUG. Staff and token holders see them.
    "SHOW_TRACEBACKS": None,
    # The site's public base URL (``https://www.example.com/``), for the checks that look at it from outside.
    "PUBLIC_URL": None,
    # The deployed release (a commit, a version), shown in every format: how a deploy script knows which one answered.
    "RELEASE": None,
}

IMPORT_STRINGS = {"AUTHENTICATION_CLASSES", "PERMISSION_CLASSES", "THROTTLE_CLASSES"}


class SmoketestSettings:
    """Attribute access to ``SMOKETEST_<NAME>`` with the defaults above."""

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown smoketest setting: {name!r}")
        value = getattr(settings, f"SMOKETEST_{name}", DEFAULTS[name])
        if name in IMPORT_STRINGS:
            value = [import_string(item) if isinstance(item, str) else item for item in value]
        setattr(self, name, value)  # later reads find the attribute and skip __getattr__
        return value

    def reload(self) -> None:
        """Forget the values read so far."""
        for name in DEFAULTS:
            self.__dict__.pop(name, None)

    @property
    def database_aliases(self) -> list[str]:
        """The aliases tests run isolated on, in ``DATABASES`` order."""
        chosen = self.DATABASES
        if chosen is None:
            return list(settings.DATABASES)
        return [alias for alias in settings.DATABASES if alias in chosen]

    @property
    def sqlite_aliases(self) -> list[str]:
        """The aliases of ``DATABASES`` that are SQLite."""
        return [alias for alias in settings.DATABASES if connections[alias].vendor == "sqlite"]

    @property
    def workers(self) -> int:
        """How many tests run at once: ``SMOKETEST_WORKERS``, except 1
        when a database is SQLite, which serves one writer at a time (parallel
        tests would fail with "database is locked" instead of testing anything)."""
        return 1 if self.sqlite_aliases else self.WORKERS

    @property
    def tokens(self) -> list[str]:
        """The accepted tokens (``SMOKETEST_TOKEN`` as a list)."""
        token = self.TOKEN
        if not token:
            return []
        return [token] if isinstance(token, str) else list(token)

    @property
    def show_tracebacks(self) -> bool:
        value = self.SHOW_TRACEBACKS
        return bool(settings.DEBUG if value is None else value)


smoketest_settings = SmoketestSettings()


class SettingDefault:
    """A class attribute that reads ``SMOKETEST_<name>`` until a subclass or
    ``as_view(name=...)`` sets a value of its own."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        return getattr(smoketest_settings, self.name)


@receiver(setting_changed)
def _reload_settings(setting: str, **kwargs: object) -> None:
    if setting.startswith("SMOKETEST_"):
        smoketest_settings.reload()
