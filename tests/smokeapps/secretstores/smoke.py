"""More checks given credentials, failing beside ``secrets``: a storage whose
errors quote its configured URL, and host names read from settings whose URLs
hold a password (or a token as the user name)."""

from smoketest.checks import DNSSmoke, StorageSmoke


class Storages(StorageSmoke):
    storages = ["secured"]
    timeout = 5


class Hosts(DNSSmoke):
    resolve_timeout = 1.0
    timeout = 5
