"""Serving many pollers: one run at a time per process, callers asking for
the same run while it is under way share it, and results may be shared
across processes through Django's cache for ``SMOKETEST_CACHE_SECONDS``.

A process also keeps, in memory, each result it stored in (or read from) the
shared cache, for what is left of its time to live: a poll then neither asks
the cache nor unpickles a large result. It keeps, as long, the answers it
rendered from them in the formats that do not show the result's age: a poll
such an answer fits is answered with its bytes. Changing a ``SMOKETEST_``
setting or ``INSTALLED_APPS`` forgets them."""

import copy
import hashlib
import logging
import threading
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from django.core.cache import caches
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

from smoketest.access import Disclosure, disclosure_by_headers
from smoketest.conf import smoketest_settings
from smoketest.result import RunResult
from smoketest.runner import not_started

logger = logging.getLogger("smoketest")

CACHE_KEY_PREFIX = "smoketest:result:"
KEPT_MAX = 64


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


@dataclass(frozen=True)
class StoredAnswer:
    """An answer rendered from a cached result, kept until the result expires."""

    status: int
    headers: dict[str, str]
    content: bytes
    expires: float


# key -> (result, when it was stored, when it expires), as in the shared cache.
_kept: dict[Hashable, tuple[RunResult, float, float]] = {}


def _cache_get(key: Hashable) -> RunResult | None:
    if not smoketest_settings.CACHE_SECONDS:
        return None
    now = time.time()
    kept = _kept.get(key)
    if kept is None or kept[2] <= now:
        try:
            stored = caches[smoketest_settings.CACHE].get(_cache_key(key))
        except Exception:  # a cache that is down must not stop the tests from running
            logger.warning("smoketest: could not read the result cache", exc_info=True)
            return None
        if not isinstance(stored, tuple) or len(stored) != 2:
            return None
        result, stored_at = stored
        kept = _keep(key, result, stored_at, _time_to_live(result))
    result, stored_at, _ = kept
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
    stored_at = time.time()
    try:
        caches[smoketest_settings.CACHE].set(_cache_key(key), (result, stored_at), seconds)
    except Exception:
        logger.warning("smoketest: could not store the result in the cache", exc_info=True)
        return
    _keep(key, result, stored_at, seconds)


def _keep(key: Hashable, result: RunResult, stored_at: float, seconds: float) -> tuple[RunResult, float, float]:
    if len(_kept) >= KEPT_MAX:  # as many selections polled as that: start over
        _kept.clear()
    kept = _kept[key] = (result, stored_at, stored_at + seconds)
    return kept


# What a request asked for and may see -> the answer it gets.
_answers: dict[Hashable, StoredAnswer] = {}


def _stored_answer(key: Hashable) -> StoredAnswer | None:
    """The answer stored under ``key``, while its result is fresh."""
    answer = _answers.get(key)
    if answer is None or answer.expires > time.time():
        return answer
    _answers.pop(key, None)
    return None


def store_answer(key: Hashable, result: RunResult, status: int, headers: dict[str, str], content: bytes) -> None:
    """Keep an answer rendered from ``result``, a result served from the
    cache, for as long as the result is kept."""
    if not result.cached:
        return
    if len(_answers) >= KEPT_MAX:  # as many queries and headers polled as that: start over
        _answers.clear()
    expires = time.time() - result.age_seconds + _time_to_live(result)
    _answers[key] = StoredAnswer(status, headers, content, expires)


def answer_key(request: HttpRequest, shown: Disclosure) -> tuple[str, str | None, Disclosure]:
    """What the answer to ``request`` depends on besides the result."""
    return request.META.get("QUERY_STRING", ""), request.META.get("HTTP_ACCEPT"), shown


def stored_response(request: HttpRequest) -> HttpResponse | None:
    """The stored answer that fits ``request``, if one does: a GET from a
    caller whose headers alone tell what it may see."""
    if request.method != "GET" or not smoketest_settings.CACHE_SECONDS:
        return None
    shown = disclosure_by_headers(request)
    answer = None if shown is None else _stored_answer(answer_key(request, shown))
    if answer is None:
        return None
    return HttpResponse(answer.content, status=answer.status, headers=answer.headers)


@receiver(setting_changed)
def _forget_kept_results(setting: str, **kwargs: object) -> None:
    if setting.startswith("SMOKETEST_") or setting in ("INSTALLED_APPS", "CACHES"):
        _kept.clear()
        _answers.clear()
