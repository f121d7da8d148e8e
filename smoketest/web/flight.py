"""Serving many pollers: one run at a time per process, callers asking for
the same run while it is under way share it, and results may be shared
across processes through Django's cache for ``SMOKETEST_CACHE_SECONDS``.

With a cache shared by the fleet, one process in the fleet runs an expired
result's suite: it holds a lock taken with the cache's atomic ``add()`` as a
lease of ``LEASE_SECONDS``, renewed while it runs, and the others wait for
the result it stores. A holder that dies stops renewing: its lease expires
and the next process takes over. A cache that is down leaves each process
to its own single flight.

A process also keeps, in memory, the results it stored in (or read from) the
shared cache, for what is left of their time to live: a poll then neither
asks the cache nor unpickles the result. What it keeps is bounded in bytes
(``SMOKETEST_CACHE_MEMORY``, measured pickled); the oldest results make room
for newer ones, and a result larger than that is read from the cache on each
poll. With a process-local cache (``LocMemCache``, ``DummyCache``) they are
the only store: the memory a process gives to polls stays within
``SMOKETEST_CACHE_MEMORY`` whatever selections callers ask for, and a result
larger than that is not cached. Changing a ``SMOKETEST_`` setting or
``INSTALLED_APPS`` forgets them."""

import copy
import hashlib
import logging
import pickle
import threading
import time
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import BaseCache, caches
from django.core.signals import setting_changed
from django.db import connections
from django.dispatch import receiver

from smoketest.core.settings import smoketest_settings
from smoketest.engine.runner import not_started
from smoketest.reports.result import RunResult

logger = logging.getLogger("smoketest")

CACHE_KEY_PREFIX = "smoketest:result:"
LOCK_KEY_PREFIX = "smoketest:lock:"
# Seconds a dead holder's lock outlives it: the most a killed run delays the fleet.
LEASE_SECONDS = 5
# Seconds between two looks of a waiting process at the cache.
WAIT_STEP = 0.05

PROCESS_LOCAL_CACHES = (
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
)


@dataclass
class _Flight:
    done: threading.Event = field(default_factory=threading.Event)
    result: RunResult | None = None


class SingleFlight:
    """At most one run at a time; callers with the same key join the run in
    flight and get its result instead of starting their own. A run waits for
    the one under way, but its answer still comes within the run budget
    (``SMOKETEST_RUN_TIMEOUT``): ``run`` is called with what is left of it,
    and when nothing is left the run is not started."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._run_lock = threading.Lock()
        self._flights: dict[Hashable, _Flight] = {}

    def run(self, key: Hashable, run: Callable[[float], RunResult]) -> RunResult:
        with self._lock:
            flight = self._flights.get(key)
            leader = flight is None
            if flight is None:
                flight = self._flights[key] = _Flight()
        if not leader:
            flight.done.wait()
            assert flight.result is not None
            return flight.result
        try:
            flight.result = self._run_in_turn(run)
        finally:
            with self._lock:
                del self._flights[key]
            flight.done.set()
        return flight.result

    def _run_in_turn(self, run: Callable[[float], RunResult]) -> RunResult:
        budget = float(smoketest_settings.RUN_TIMEOUT)
        if not self._run_lock.acquire(blocking=False):
            deadline = time.monotonic() + budget
            if not self._run_lock.acquire(timeout=budget):
                return not_started(f"another run in this process was still under way after {budget:g} s")
            budget = round(deadline - time.monotonic(), 3)
        try:
            return run(budget)
        finally:
            self._run_lock.release()


single_flight = SingleFlight()


def shared_result(key: Hashable, run: Callable[[float], RunResult]) -> RunResult:
    """A cached result younger than its time to live, or a (shared) new run;
    ``run`` is called with its budget in seconds."""
    cached = _cache_get(key)
    if cached is not None:
        return cached

    def run_and_store(budget: float) -> RunResult:
        result = _cache_get(key)  # another process may have stored one meanwhile
        if result is None:
            result = run(budget)
            _cache_set(key, result)
        return result

    if not smoketest_settings.CACHE_SECONDS or _process_local():
        return single_flight.run(key, run_and_store)
    return single_flight.run(key, lambda budget: _fleet_flight(key, run_and_store, budget))


def _process_local() -> bool:
    backend = settings.CACHES.get(smoketest_settings.CACHE, {}).get("BACKEND", "")
    return backend in PROCESS_LOCAL_CACHES


def _fleet_flight(key: Hashable, run_and_store: Callable[[float], RunResult], budget: float) -> RunResult:
    """``run_and_store`` in the one process of the fleet that holds the
    lock of ``key``; the others wait for the result it stores, within
    ``budget``, and take the lock over when its holder's lease expires."""
    cache = caches[smoketest_settings.CACHE]
    lock, token = LOCK_KEY_PREFIX + _digest(key), uuid.uuid4().hex
    deadline = time.monotonic() + budget
    while True:
        try:
            taken = cache.add(lock, token, LEASE_SECONDS)
        except Exception:
            logger.warning("smoketest: the result cache is down: runs are not shared across processes", exc_info=True)
            return run_and_store(max(0.0, deadline - time.monotonic()))
        if taken:
            with _Lease(cache, lock, token):
                return run_and_store(max(0.0, deadline - time.monotonic()))
        result = _cache_get(key)
        if result is not None:
            return result
        left = deadline - time.monotonic()
        if left <= 0:
            return not_started(f"another process was still running the tests after {budget:g} s")
        time.sleep(min(WAIT_STEP, left))


class _Lease:
    """A lock held in the cache: renewed every third of ``LEASE_SECONDS``
    while the block runs, then released if it is still ours."""

    def __init__(self, cache: BaseCache, lock: str, token: str) -> None:
        self.cache, self.lock, self.token = cache, lock, token
        self.done = threading.Event()
        self.renewer = threading.Thread(target=self._renew, name="smoketest-lease", daemon=True)

    def __enter__(self) -> None:
        self.renewer.start()

    def __exit__(self, *exc_info: object) -> None:
        self.done.set()
        self.renewer.join()
        try:
            if self.cache.get(self.lock) == self.token:
                self.cache.delete(self.lock)
        except Exception:  # the lease expires by itself
            logger.warning("smoketest: could not release the run lock in the cache", exc_info=True)

    def _renew(self) -> None:
        try:
            while not self.done.wait(LEASE_SECONDS / 3):
                try:
                    self.cache.touch(self.lock, LEASE_SECONDS)
                except Exception:  # another process may take over: a second run, never an error
                    logger.warning("smoketest: could not renew the run lock in the cache", exc_info=True)
        finally:
            connections.close_all()  # a database cache's connection, opened in this thread


def _digest(key: Hashable) -> str:
    return hashlib.sha256(repr(key).encode()).hexdigest()[:32]


def _cache_key(key: Hashable) -> str:
    return CACHE_KEY_PREFIX + _digest(key)


class KeptResults:
    """Results kept in memory as in the shared cache, oldest first, in at
    most ``SMOKETEST_CACHE_MEMORY`` bytes (their pickled size)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        # key -> (result, when it was stored, when it expires, its size)
        self._entries: dict[Hashable, tuple[RunResult, float, float, int]] = {}
        self.size = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: Hashable) -> tuple[RunResult, float, float, int] | None:
        return self._entries.get(key)

    def keep(self, key: Hashable, result: RunResult, stored_at: float, expires: float, size: int) -> None:
        """Keep ``result`` if it fits, forgetting expired results first, then
        the oldest; one larger than the whole allowance is not kept."""
        limit = smoketest_settings.CACHE_MEMORY
        with self._lock:
            self._forget(key)
            if size > limit:
                return
            now = time.time()
            for old in [old for old, (_, _, ends, _) in self._entries.items() if ends <= now]:
                self._forget(old)
            while self.size + size > limit:
                self._forget(next(iter(self._entries)))
            self._entries[key] = (result, stored_at, expires, size)
            self.size += size

    def _forget(self, key: Hashable) -> None:
        entry = self._entries.pop(key, None)
        if entry is not None:
            self.size -= entry[3]

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.size = 0


kept_results = KeptResults()


def _cache_get(key: Hashable) -> RunResult | None:
    if not smoketest_settings.CACHE_SECONDS:
        return None
    now = time.time()
    kept = kept_results.get(key)
    if kept is not None and kept[2] > now:
        result, stored_at = kept[:2]
    elif _process_local():  # what this process keeps is all there is
        return None
    else:
        try:
            stored = caches[smoketest_settings.CACHE].get(_cache_key(key))
        except Exception:  # a cache that is down must not stop the tests from running
            logger.warning("smoketest: could not read the result cache", exc_info=True)
            return None
        if not isinstance(stored, tuple) or len(stored) != 3:
            return None
        result, stored_at, size = stored
        kept_results.keep(key, result, stored_at, stored_at + _time_to_live(result), size)
    served = copy.copy(result)  # concurrent callers each see their own age
    served.cached, served.age_seconds = True, max(0.0, now - stored_at)
    return served


def _time_to_live(result: RunResult) -> float:
    seconds = smoketest_settings.CACHE_SECONDS
    if not result.passed and smoketest_settings.CACHE_FAIL_SECONDS is not None:
        seconds = smoketest_settings.CACHE_FAIL_SECONDS
    return seconds


def _cache_set(key: Hashable, result: RunResult) -> None:
    seconds = _time_to_live(result)
    if not seconds or seconds <= 0:
        return
    stored_at, size = time.time(), len(pickle.dumps(result, pickle.HIGHEST_PROTOCOL))
    if _process_local():
        # Not in the site's local-memory cache as well: its bound is a count
        # of entries, and callers choose how many selections there are.
        kept_results.keep(key, result, stored_at, stored_at + seconds, size)
        return
    try:
        caches[smoketest_settings.CACHE].set(_cache_key(key), (result, stored_at, size), seconds)
    except Exception:
        logger.warning("smoketest: could not store the result in the cache", exc_info=True)
        return
    kept_results.keep(key, result, stored_at, stored_at + seconds, size)


@receiver(setting_changed)
def _forget_kept_results(setting: str, **kwargs: object) -> None:
    if setting.startswith("SMOKETEST_") or setting in ("INSTALLED_APPS", "CACHES"):
        kept_results.clear()
