from django.core.cache.backends.base import BaseCache


class UnreachableCache(BaseCache):
    """A cache whose server is down: every call fails as a network client's would."""

    def __init__(self, location, params):
        super().__init__(params)

    def get(self, key, default=None, version=None):
        raise ConnectionError("cache server unreachable")

    def set(self, key, value, timeout=None, version=None):
        raise ConnectionError("cache server unreachable")
