"""Django system checks (``smoketest.E0xx`` errors, ``smoketest.W0xx`` warnings)."""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core import checks

from smoketest.conf import smoketest_settings
from smoketest.loader import load_suite


@checks.register()
def check_settings(app_configs: Sequence[Any] | None = None, **kwargs: Any) -> list[checks.CheckMessage]:
    errors: list[checks.CheckMessage] = []
    skip_apps = smoketest_settings.SKIP_APPS
    if isinstance(skip_apps, str) or not all(isinstance(name, str) for name in skip_apps):
        errors.append(checks.Error("SMOKETEST_SKIP_APPS must be a list of app labels or names.", id="smoketest.E001"))
    databases = smoketest_settings.DATABASES
    if databases is not None:
        unknown = sorted(set(databases) - set(settings.DATABASES)) if not isinstance(databases, str) else [databases]
        if isinstance(databases, str) or unknown:
            errors.append(
                checks.Error(
                    f"SMOKETEST_DATABASES must be a list of aliases from DATABASES (unknown: {', '.join(unknown)}).",
                    id="smoketest.E002",
                )
            )
    fail_status = smoketest_settings.FAIL_STATUS
    if not isinstance(fail_status, int) or isinstance(fail_status, bool) or not 400 <= fail_status <= 599:
        errors.append(
            checks.Error("SMOKETEST_FAIL_STATUS must be an HTTP error status (400-599).", id="smoketest.E003")
        )
    return errors


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
