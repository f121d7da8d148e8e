"""Backends that work until a check reads back what it wrote: the check
fails after the cache key or the file exists, so its cleanup must run."""

from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisSerializer
from django.core.files.storage import FileSystemStorage


class ForgetfulCache(LocMemCache):
    def get(self, key, default=None, version=None):
        return "something else"


class UnreadableSerializer(RedisSerializer):
    def loads(self, data):
        raise ValueError("cannot decode the stored value")


class UnreadableStorage(FileSystemStorage):
    def open(self, name, mode="rb"):
        raise OSError("simulated read error")
