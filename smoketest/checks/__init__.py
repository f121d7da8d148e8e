"""Built-in smoke tests. Import them into a smoke module to run them there,
or subclass them to configure them:

    from smoketest.checks import DatabaseSmoke, URLCrawlSmoke

    class Crawl(URLCrawlSmoke):
        skip = ["admin:*", "logout"]
"""

from smoketest.checks.api import APIPermissionSmoke
from smoketest.checks.beat import CeleryBeatSmoke
from smoketest.checks.cache import CacheSmoke
from smoketest.checks.celery import CelerySmoke
from smoketest.checks.crawl import URLCrawlSmoke
from smoketest.checks.database import DatabaseSmoke, MigrationsSmoke
from smoketest.checks.deployment import SettingsSmoke
from smoketest.checks.disk import DiskSpaceSmoke
from smoketest.checks.dns import DNSSmoke
from smoketest.checks.groups import RolesSmoke
from smoketest.checks.http import HTTPDependencySmoke
from smoketest.checks.mail import EmailSmoke
from smoketest.checks.post import PostSmoke
from smoketest.checks.public import PublicURLSmoke
from smoketest.checks.redis import RedisSmoke
from smoketest.checks.sites import SitesSmoke
from smoketest.checks.storage import StorageSmoke

__all__ = [
    "APIPermissionSmoke",
    "CacheSmoke",
    "CeleryBeatSmoke",
    "CelerySmoke",
    "DNSSmoke",
    "DatabaseSmoke",
    "DiskSpaceSmoke",
    "EmailSmoke",
    "HTTPDependencySmoke",
    "MigrationsSmoke",
    "PostSmoke",
    "PublicURLSmoke",
    "RedisSmoke",
    "RolesSmoke",
    "SettingsSmoke",
    "SitesSmoke",
    "StorageSmoke",
    "URLCrawlSmoke",
]
