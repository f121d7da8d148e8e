from django.test import Client

from smoketest import SmokeTest
from smoketest.checks import (
    APIPermissionSmoke,
    CacheSmoke,
    DatabaseSmoke,
    DiskSpaceSmoke,
    DNSSmoke,
    EmailSmoke,
    MigrationsSmoke,
    SettingsSmoke,
    StorageSmoke,
    URLCrawlSmoke,
)

__all__ = ["APIPermissionSmoke", "CacheSmoke", "EmailSmoke", "MigrationsSmoke", "StorageSmoke"]


class HomePageSmoke(SmokeTest):
    def test_home_page_lists_notes(self):
        response = Client().get("/")
        self.assertEqual(response.status_code, 200)
        self.assertIn("Welcome", response.content.decode())


class Database(DatabaseSmoke):
    min_versions = {"sqlite": (3, 31)}  # what Django 5.2 needs; name your server's too: {"postgresql": (14,)}


class Names(DNSSmoke):
    """A site with database, cache or mail servers resolves their names by
    default; this one has none, so it names one."""

    hosts = ["localhost"]


class Crawl(URLCrawlSmoke):
    """Every page without URL parameters, the admin included, as each role."""

    roles = ["anonymous", "authenticated", "staff", "superuser"]
    skip = ["admin:logout"]


class Settings(SettingsSmoke):
    allow_debug = True  # the example runs with DEBUG on; a production site should not


class Disk(DiskSpaceSmoke):
    """MEDIA_ROOT (once it exists) and the temporary directory keep room for uploads."""

    min_free_mb = 200
