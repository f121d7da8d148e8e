"""The site runs with production settings: DEBUG off, deployment checks clean."""

import logging

from django.conf import settings
from django.core import checks

from smoketest.checks.base import BuiltinCheck


class SettingsSmoke(BuiltinCheck):
    """``DEBUG`` is off and Django's deployment checks (``check --deploy``)
    report nothing at ``fail_level`` or above."""

    tags = frozenset({"builtin", "settings"})
    #: Lowest level that fails: ``checks.ERROR`` (default) or ``checks.WARNING``
    #: to fail on every deployment warning too. Silenced checks never fail.
    fail_level: int = checks.ERROR
    #: Let ``DEBUG = True`` pass (a staging site, say).
    allow_debug: bool = False

    def test_debug_is_off(self) -> None:
        if self.allow_debug:
            self.skipTest("allow_debug is set")
        self.assertFalse(settings.DEBUG, "DEBUG is True: tracebacks and settings are shown to anyone")

    def test_deployment_checks_pass(self) -> None:
        found = [
            message
            for message in checks.run_checks(include_deployment_checks=True)
            if message.level >= self.fail_level and not message.is_silenced()
        ]
        if found:
            level = logging.getLevelName(self.fail_level)  # check levels are logging levels
            listed = "; ".join(f"{message.id}: {message.msg}" for message in found)
            self.fail(f"the deployment checks report {len(found)} issues at {level} or above: {listed}")
