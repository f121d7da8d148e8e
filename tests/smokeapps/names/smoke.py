"""DNSSmoke configured by subclassing; the tests set ``hosts``."""

from smoketest.checks import DNSSmoke


class Names(DNSSmoke):
    timeout = 3


class SettingsNames(DNSSmoke):
    """The hosts the settings name."""

    timeout = 3
