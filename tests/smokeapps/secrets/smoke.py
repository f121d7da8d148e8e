"""Checks given credentials, every one of them failing: the tests point them
at closed ports and servers that refuse, and look for the secret in every report."""

from django.conf import settings

from smoketest import SmokeTest
from smoketest.checks import (
    CacheSmoke,
    CelerySmoke,
    EmailSmoke,
    HTTPDependencySmoke,
    PublicURLSmoke,
    RedisSmoke,
)


class Services(HTTPDependencySmoke):
    request_timeout = 1.0
    timeout = 5


class Misspelt(HTTPDependencySmoke):
    timeout = 5


class Redis(RedisSmoke):
    socket_timeout = 1.0
    timeout = 5


class Workers(CelerySmoke):
    connect_timeout = 1.0
    ping_timeout = 1.0
    timeout = 5


class Public(PublicURLSmoke):
    request_timeout = 1.0
    timeout = 5

    def test_static_file_is_served(self):
        pass  # the home page's failure is enough

    def test_private_paths_refuse_anonymous_requests(self):
        pass


class Caches(CacheSmoke):
    aliases = ["secured"]
    timeout = 5


class Mail(EmailSmoke):
    connection_timeout = 1.0
    timeout = 5


class Quoting(SmokeTest):
    def test_an_exception_quoting_settings(self):
        raise RuntimeError(f"could not connect with {settings.PAYMENT_API_KEY} to {settings.CACHES['secured']!r}")
