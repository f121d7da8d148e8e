"""The built-in checks, imported as they are."""

from smoketest.checks import CacheSmoke, DatabaseSmoke, EmailSmoke, MigrationsSmoke, SettingsSmoke, StorageSmoke

__all__ = ["CacheSmoke", "DatabaseSmoke", "EmailSmoke", "MigrationsSmoke", "SettingsSmoke", "StorageSmoke"]
