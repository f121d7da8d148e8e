"""Every configured cache stores, returns and deletes a key."""

from collections.abc import Sequence

from django.conf import settings
from django.core.cache import BaseCache, caches

from smoketest.checks.base import BuiltinCheck, unique_name


class CacheSmoke(BuiltinCheck):
    """Every ``CACHES`` alias round-trips set/get/delete of a unique key. The
    cache is not transactional: the key is deleted even when the check fails,
    and expires after ``key_timeout`` seconds should even that fail."""

    tags = frozenset({"builtin", "cache"})
    #: Aliases to check; ``None`` means every alias in ``CACHES``.
    aliases: Sequence[str] | None = None
    #: Lifetime (seconds) of the test key, in case it cannot be deleted.
    key_timeout: int = 60

    def test_caches_round_trip_a_key(self) -> None:
        self.for_each("cache", list(settings.CACHES) if self.aliases is None else self.aliases, self.round_trip)

    def round_trip(self, alias: str) -> None:
        with self.failing_as(f"cache {alias!r} is not usable"):
            cache = caches[alias]
        name = f"cache {alias!r} ({type(cache).__name__})"
        key, value = unique_name(), unique_name("value-")
        left_behind = [key]  # until the check has seen it deleted: the cleanup removes it then
        self.remove_later(f"key {key!r} from {name}", _delete_all, cache, left_behind)
        with self.failing_as(f"{name} could not store a key"):
            cache.set(key, value, timeout=self.key_timeout)
        with self.failing_as(f"{name} could not read a key back"):
            stored = cache.get(key)
        self.assertEqual(stored, value, f"{name} did not return the value just stored")
        with self.failing_as(f"{name} could not delete a key"):
            # True: the key was there and is gone. A backend that does not
            # say (None) or says it was not there (False) is asked again.
            deleted = cache.delete(key) is True
            left = None if deleted else cache.get(key)
        self.assertIsNone(left, f"{name} still returns a key after deleting it")
        left_behind.clear()


def _delete_all(cache: BaseCache, keys: list[str]) -> None:
    for key in keys:
        cache.delete(key)
