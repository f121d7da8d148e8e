"""Built-in smoke tests. Import them into a smoke module to run them there,
or subclass them to configure them:

    from smoketest.checks import DatabaseSmoke, URLCrawlSmoke

    class Crawl(URLCrawlSmoke):
        skip = ["admin:*", "logout"]
"""

from smoketest.checks.api import APIPermissionSmoke
from smoketest.checks.cache import CacheSmoke
from smoketest.checks.crawl import URLCrawlSmoke
from smoketest.checks.database import DatabaseSmoke, MigrationsSmoke
from smoketest.checks.deployment import SettingsSmoke
from smoketest.checks.mail import EmailSmoke
from smoketest.checks.post import PostSmoke
from smoketest.checks.public import PublicURLSmoke
from smoketest.checks.sites import SitesSmoke
from smoketest.checks.storage import StorageSmoke

__all__ = [
    "APIPermissionSmoke",
    "CacheSmoke",
    "DatabaseSmoke",
    "EmailSmoke",
    "MigrationsSmoke",
    "PostSmoke",
    "PublicURLSmoke",
    "SettingsSmoke",
    "SitesSmoke",
    "StorageSmoke",
    "URLCrawlSmoke",
]
