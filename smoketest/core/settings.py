"""All ``SMOKETEST_*`` settings in one table: name, default, validator, doc.

``SETTINGS`` is the one place a setting is declared. From it come the
settings object (``smoketest_settings.<NAME>``, with the table's defaults),
the ``smoketest.E0xx`` system checks of each setting's value
(``smoketest.system_checks.check_settings``) and the settings reference of
the docs (``reference_rst()``, rendered by the ``smoketest-settings``
directive of ``docs/_ext/settings_reference.py``).

The first access to ``smoketest_settings.<NAME>`` reads Django's settings and
keeps the value (a run reads some of them once per test); the
``setting_changed`` signal, which ``override_settings`` and pytest-django's
``settings`` fixture send, forgets them. Settings marked ``import_strings``
may hold dotted paths; they are returned as the objects they name.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.signals import setting_changed
from django.db import connections
from django.dispatch import receiver
from django.utils.module_loading import import_string

# Validators ------------------------------------------------------------------
#
# A validator takes the configured value and returns None when it is valid, or
# what is wrong with it as text that follows the setting's name ("must be ...,
# not 'x'."). ``expected`` says what a valid value is, for the docs.


@dataclass(frozen=True)
class Must:
    """A value valid when ``valid(value)`` is true."""

    expected: str
    valid: Callable[[Any], bool]

    def __call__(self, value: Any) -> str | None:
        return None if self.valid(value) else f"must be {self.expected}, not {value!r}."


@dataclass(frozen=True)
class ImportPaths:
    """A list of objects or dotted paths that import (DRF classes)."""

    expected: str = "a list of classes or their dotted import paths"

    def __call__(self, value: Any) -> str | None:
        try:
            _import_all(value)
        except (ImportError, TypeError) as exc:
            return f"cannot be imported: {exc}"
        return None


Validator = Must | ImportPaths


def _import_all(value: Any) -> list[Any]:
    return [import_string(item) if isinstance(item, str) else item for item in value]


def _whole(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


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


def _one_line(value: Any) -> bool:
    return value is None or (isinstance(value, str) and bool(value.strip()) and "\n" not in value)


# The table -------------------------------------------------------------------


@dataclass(frozen=True)
class Setting:
    """One ``SMOKETEST_<name>`` setting."""

    name: str
    default: Any
    #: None when every value is valid; else a validator (see above).
    check: Validator | None
    #: One line of reStructuredText: what the setting does.
    doc: str
    #: The ``smoketest.E0xx`` system check an invalid value raises (with ``check``).
    error_id: str | None = None
    #: Items may be dotted paths, returned as the objects they name.
    import_strings: bool = False

    def __post_init__(self) -> None:
        if (self.check is None) != (self.error_id is None):
            raise ValueError(f"{self.name}: a validator and its error ID go together")

    @property
    def setting_name(self) -> str:
        return f"SMOKETEST_{self.name}"

    def configured(self) -> Any:
        """The value of Django's settings, or the default (not imported)."""
        return getattr(settings, self.setting_name, self.default)

    def problem(self) -> str | None:
        """What is wrong with the configured value (None: nothing)."""
        return None if self.check is None else self.check(self.configured())


SECONDS = "a positive number of seconds"

SETTINGS: tuple[Setting, ...] = (
    Setting(
        "SKIP_APPS",
        (),
        Must("a list of app labels or names", _list_of_strings),
        "Apps whose smoke tests are not run, by app label, app name (``myproject.shop``) or ``AppConfig`` path.",
        "smoketest.E001",
    ),
    Setting(
        "DATABASES",
        None,
        Must("None or a list of aliases from DATABASES", _aliases),
        "Aliases every test is isolated and rolled back on; ``None``: every alias in ``DATABASES``. "
        "Writes to an alias left out are **not** rolled back.",
        "smoketest.E002",
    ),
    Setting(
        "FAIL_STATUS",
        500,
        Must("an HTTP error status (400-599)", lambda v: _whole(v) and 400 <= v <= 599),
        "HTTP status of a FAIL answer (400-599), e.g. ``503``.",
        "smoketest.E003",
    ),
    Setting(
        "TIMEOUT",
        10,
        Must(SECONDS, _positive_number),
        "Seconds one test may take (a class's ``timeout`` attribute and ``@smoketest.timeout`` override it).",
        "smoketest.E004",
    ),
    Setting(
        "RUN_TIMEOUT",
        25,
        Must(SECONDS, _positive_number),
        "Seconds a whole run may take; tests left when it is spent are reported as not run. "
        "Keep it below the server's worker timeout (gunicorn's is 30).",
        "smoketest.E005",
    ),
    Setting(
        "WORKERS",
        4,
        Must("a whole number of workers, 1 or more (1: one test class at a time)", lambda v: _whole(v) and v >= 1),
        "Tests run at once, each on its own thread and connections (1: one after another); "
        "1 whenever an alias is SQLite, and a class with ``parallel = False`` always runs alone.",
        "smoketest.E014",
    ),
    Setting(
        "CACHE_SECONDS",
        0,
        Must("a number of seconds (0: no cache)", _seconds_or_zero),
        "Seconds a result is served from the cache before the next request runs the tests again (0: off).",
        "smoketest.E006",
    ),
    Setting(
        "CACHE_FAIL_SECONDS",
        None,
        Must("None or a number of seconds", lambda v: v is None or _seconds_or_zero(v)),
        "Seconds a FAIL is cached; ``None``: as long as ``SMOKETEST_CACHE_SECONDS``.",
        "smoketest.E007",
    ),
    Setting(
        "CACHE",
        "default",
        Must("an alias from CACHES", lambda v: isinstance(v, str) and v in settings.CACHES),
        "The ``CACHES`` alias results are shared through (across worker processes).",
        "smoketest.E008",
    ),
    Setting(
        "CACHE_MEMORY",
        4 * 1024 * 1024,
        Must(
            "a whole number of bytes, 0 or more (0: read every poll's result from the cache)",
            lambda v: _whole(v) and v >= 0,
        ),
        "Bytes of results (pickled) each process keeps in memory (4 MiB); a larger one is read from a shared cache, or"
        " not cached with a process-local one.",
        "smoketest.E015",
    ),
    Setting(
        "TOKEN",
        None,
        Must("None, a non-empty string or a list of them", _tokens),
        "A token, or a list of tokens to rotate them, every request must carry; ``None``: no token needed.",
        "smoketest.E009",
    ),
    Setting(
        "AUTHENTICATION_CLASSES",
        ("rest_framework.authentication.SessionAuthentication",),
        ImportPaths(),
        "DRF authentication classes of the endpoint (classes or dotted paths); the session tells staff users apart.",
        "smoketest.E012",
        import_strings=True,
    ),
    Setting(
        "PERMISSION_CLASSES",
        (),
        ImportPaths(),
        "DRF permission classes of the endpoint (classes or dotted paths); empty: open to all.",
        "smoketest.E012",
        import_strings=True,
    ),
    Setting(
        "THROTTLE_CLASSES",
        (),
        ImportPaths(),
        "DRF throttle classes of the endpoint (classes or dotted paths); empty: no throttling.",
        "smoketest.E012",
        import_strings=True,
    ),
    Setting(
        "THROTTLE_RATES",
        {"smoketest": "60/min"},
        Must('a dict such as {"smoketest": "60/min"}', lambda v: isinstance(v, dict)),
        "Rates by throttle scope (``smoketest``, DRF's ``anon``/``user``); ``smoketest_token``: "
        'wrong tokens per address (``"10/hour"`` when unset).',
        "smoketest.E011",
    ),
    Setting(
        "PUBLIC_DETAIL",
        "full",
        Must('"full" or "summary"', lambda v: isinstance(v, str) and v in ("full", "summary")),
        'What callers that are neither staff nor token holders see: ``"full"`` (names, messages) '
        'or ``"summary"`` (counts).',
        "smoketest.E010",
    ),
    Setting(
        "SHOW_TRACEBACKS",
        None,
        None,
        "Show tracebacks (JSON ``tests[].traceback``) to every caller; ``None``: as ``DEBUG``. "
        "Staff and token holders always see them.",
    ),
    Setting(
        "PUBLIC_URL",
        None,
        Must("None or an absolute http(s) URL such as 'https://www.example.com/'", _public_url),
        "The site's public base URL (``https://www.example.com/``), for the checks that look at it from outside "
        "(``PublicURLSmoke``, ``SitesSmoke``); ``None``: those parts are skipped.",
        "smoketest.E013",
    ),
    Setting(
        "RELEASE",
        None,
        Must("None or a one-line string such as a commit hash", _one_line),
        "The deployed release (one line, e.g. a commit), shown in every format: "
        "how a deploy script knows which one answered.",
        "smoketest.E016",
    ),
)

#: Name -> row.
TABLE: dict[str, Setting] = {setting.name: setting for setting in SETTINGS}
#: Name -> default.
DEFAULTS: dict[str, Any] = {setting.name: setting.default for setting in SETTINGS}
#: Names whose items may be dotted paths.
IMPORT_STRINGS: frozenset[str] = frozenset(setting.name for setting in SETTINGS if setting.import_strings)


# The settings object ---------------------------------------------------------


class SmoketestSettings:
    """Attribute access to ``SMOKETEST_<NAME>`` with the table's defaults."""

    def __getattr__(self, name: str) -> Any:
        setting = TABLE.get(name)
        if setting is None:
            raise AttributeError(f"Unknown smoketest setting: {name!r}")
        value = setting.configured()
        if setting.import_strings:
            value = _import_all(value)
        setattr(self, name, value)  # later reads find the attribute and skip __getattr__
        return value

    def reload(self) -> None:
        """Forget the values read so far."""
        for name in TABLE:
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


# The docs' reference ---------------------------------------------------------


def _underline(title: str, char: str = "-") -> str:
    return f"{title}\n{char * len(title)}"


def checks_rst() -> str:
    """The system checks that validate one setting each, as a
    reStructuredText definition list: each ID and what it reports."""
    settings_of: dict[str, list[Setting]] = {}
    for setting in SETTINGS:
        if setting.error_id is not None:
            settings_of.setdefault(setting.error_id, []).append(setting)
    items = []
    for error_id, rows in sorted(settings_of.items()):
        names = ", ".join(f":ref:`SMOKETEST_{row.name} <smoketest-setting-{row.name.lower()}>`" for row in rows)
        expected = "; ".join(row.check.expected.replace("*", r"\*") for row in rows if row.check)
        items.append(f"``{error_id}``\n    {names} is not {expected}.")
    return "\n\n".join(items) + "\n"


def reference_rst() -> str:
    """The settings reference as reStructuredText: one section per setting
    (with a ``smoketest-setting-<name>`` label), its default, its doc line and
    the system check that validates it."""
    blocks = []
    for setting in SETTINGS:
        title = f"``{setting.setting_name}``"
        lines = [
            f".. _smoketest-setting-{setting.name.lower()}:",
            "",
            _underline(title),
            "",
            f"Default: ``{setting.default!r}``",
            "",
            setting.doc,
            "",
        ]
        if setting.check is None:
            lines.append("Any value; not checked.")
        else:
            expected = setting.check.expected.replace("*", r"\*")
            lines.append(f"Must be {expected}; system check ``{setting.error_id}`` reports any other value.")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"
