"""The checks of services outside Django, configured by subclassing; the
tests point them at the servers they start by setting class attributes."""

from smoketest.checks import CelerySmoke, DiskSpaceSmoke, HTTPDependencySmoke, RedisSmoke


class Workers(CelerySmoke):
    app = "tests.celery_app.app"
    timeout = 5


class Redis(RedisSmoke):
    socket_timeout = 1.0
    timeout = 5


class Services(HTTPDependencySmoke):
    request_timeout = 1.0
    timeout = 5


class Disk(DiskSpaceSmoke):
    pass
