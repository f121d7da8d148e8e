"""Serving many pollers: one run at a time per process, callers asking for
the same run while it is under way share it, and results may be shared
across processes through Django's cache for ``SMOKETEST_CACHE_SECONDS``.

A process also keeps, in memory, the results it stored in (or read from) the
shared cache, for what is left of their time to live: a poll then neither
asks the cache nor unpickles the result. What it keeps is bounded in bytes
(``SMOKETEST_CACHE_MEMORY``, measured pickled); the oldest results make room
for newer ones, and a result larger than that is read from the cache on each
poll. Changing a ``SMOKETEST_`` setting or ``INSTALLED_APPS`` forgets them."""

import copy
import hashlib
import logging
import pickle
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver

from smoketest.conf import smoketest_settings
from smoketest.result import RunResult
from smoketest.runner import not_started

logger = logging.getLogger("smoketest")

CACHE_KEY_PREFIX = "smoketest:result:"


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

    return single_flight.run(key, run_and_store)


def _cache_key(key: Hashable) -> str:
    return CACHE_KEY_PREFIX + hashlib.sha256(repr(key).encode()).hexdigest()[:32]


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
