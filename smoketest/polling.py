"""Serving many pollers: one run at a time per process, callers asking for
the same run while it is under way share it, and results may be shared
across processes through Django's cache for ``SMOKETEST_CACHE_SECONDS``."""

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from django.core.cache import caches

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


def _cache_get(key: Hashable) -> RunResult | None:
    if not smoketest_settings.CACHE_SECONDS:
        return None
    try:
        stored = caches[smoketest_settings.CACHE].get(_cache_key(key))
    except Exception:  # a cache that is down must not stop the tests from running
        logger.warning("smoketest: could not read the result cache", exc_info=True)
        return None
    if not isinstance(stored, tuple) or len(stored) != 2:
        return None
    result, stored_at = stored
    result.cached = True
    result.age_seconds = max(0.0, time.time() - stored_at)
    return result


def _cache_set(key: Hashable, result: RunResult) -> None:
    seconds = smoketest_settings.CACHE_SECONDS
    if not seconds:
        return
    if not result.passed and smoketest_settings.CACHE_FAIL_SECONDS is not None:
        seconds = smoketest_settings.CACHE_FAIL_SECONDS
    if seconds <= 0:
        return
    try:
        caches[smoketest_settings.CACHE].set(_cache_key(key), (result, time.time()), seconds)
    except Exception:
        logger.warning("smoketest: could not store the result in the cache", exc_info=True)
