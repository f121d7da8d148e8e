"""All ``SMOKETEST_*`` settings, with their defaults, in one place.

Read them through ``smoketest_settings.NAME``: each access looks at Django's
settings first, so ``override_settings`` works without any cache to clear.
"""

from typing import Any

from django.conf import settings

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
    "RUN_TIMEOUT": 60,
}


class SmoketestSettings:
    """Attribute access to ``SMOKETEST_<NAME>`` with the defaults above."""

    def __getattr__(self, name: str) -> Any:
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown smoketest setting: {name!r}")
        return getattr(settings, f"SMOKETEST_{name}", DEFAULTS[name])

    @property
    def database_aliases(self) -> list[str]:
        """The aliases tests run isolated on, in ``DATABASES`` order."""
        chosen = self.DATABASES
        if chosen is None:
            return list(settings.DATABASES)
        return [alias for alias in settings.DATABASES if alias in chosen]


smoketest_settings = SmoketestSettings()
