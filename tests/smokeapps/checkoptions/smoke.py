"""The built-in checks, configured by subclassing."""

from django.core import checks

from smoketest.checks import DatabaseSmoke, SettingsSmoke


class ReplicaAware(DatabaseSmoke):
    read_only_aliases = ["other"]


class Versioned(DatabaseSmoke):
    """The tests set ``min_versions``."""


class StrictSettings(SettingsSmoke):
    fail_level = checks.WARNING
    allow_debug = True
