"""The base class users subclass in their ``smoke`` modules, and its decorators."""

import functools
import inspect
import unittest
from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from django.test import SimpleTestCase

from smoketest.core.settings import smoketest_settings

# unittest's convention: tracebacks leave out this module's frames.
__unittest = True

F = TypeVar("F", bound=Callable[..., Any])


class NoFix(Exception):
    """Raised by a check's ``fix_plan()`` when there is nothing its ``fix()``
    can do about the failure; the message says why."""


class SmokeTest(unittest.TestCase):
    """A ``unittest.TestCase`` run against the live site, inside a transaction
    that is rolled back on every database alias.

    ``timeout`` (seconds) overrides ``SMOKETEST_TIMEOUT`` for every test of
    the class (and for its ``setUpClass``). With ``SMOKETEST_WORKERS`` above 1,
    tests run at the same time on separate threads (those of a class with
    fixtures one after another); ``parallel = False`` makes the class run
    alone, while nothing else runs."""

    timeout: float | None = None
    parallel: bool = True

    # Django's response and markup assertions, for tests that use the test
    # client, asked of a SimpleTestCase of their own: inheriting from it would
    # bring its set-up, which blocks database queries and swaps settings.
    def assertContains(self, *args: Any, **kwargs: Any) -> None:
        _django_assertions().assertContains(*args, **kwargs)

    def assertNotContains(self, *args: Any, **kwargs: Any) -> None:
        _django_assertions().assertNotContains(*args, **kwargs)

    def assertRedirects(self, *args: Any, **kwargs: Any) -> None:
        _django_assertions().assertRedirects(*args, **kwargs)

    def assertURLEqual(self, *args: Any, **kwargs: Any) -> None:
        _django_assertions().assertURLEqual(*args, **kwargs)

    def assertJSONEqual(self, *args: Any, **kwargs: Any) -> None:
        _django_assertions().assertJSONEqual(*args, **kwargs)

    def assertHTMLEqual(self, *args: Any, **kwargs: Any) -> None:
        _django_assertions().assertHTMLEqual(*args, **kwargs)

    def assertInHTML(self, *args: Any, **kwargs: Any) -> None:
        _django_assertions().assertInHTML(*args, **kwargs)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Make each ``async def`` test method of the class a plain one that
        runs it to completion in an event loop (``async_to_sync``). Django's
        async ORM calls are sent back to the calling (the worker's) thread, so
        they use its connections and run inside the test's rolled-back
        transaction; ``IsolatedAsyncioTestCase`` would run them elsewhere."""
        super().__init_subclass__(**kwargs)
        for name, value in list(vars(cls).items()):
            if name.startswith(unittest.TestLoader.testMethodPrefix) and inspect.iscoroutinefunction(value):
                setattr(cls, name, _run_to_completion(value))


def _run_to_completion(method: Callable[..., Any]) -> Callable[..., None]:
    """A sync test method that runs the coroutine method ``method``; it keeps
    its name and attributes (skips, expected failure, ``timeout``, tags)."""

    @functools.wraps(method)
    def test(self: SmokeTest, /, *args: Any, **kwargs: Any) -> None:
        async_to_sync(method)(self, *args, **kwargs)

    return test


def _django_assertions() -> SimpleTestCase:
    """A SimpleTestCase used for its assertions only (never run)."""
    assertions = SimpleTestCase()
    assertions.maxDiff = None
    return assertions


def timeout(seconds: float) -> Callable[[F], F]:
    """Give one test method its own time limit, in seconds."""
    if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds <= 0:
        raise ValueError(f"timeout must be a positive number of seconds, not {seconds!r}")

    def decorate(method: F) -> F:
        method.smoketest_timeout = seconds  # type: ignore[attr-defined]
        return method

    return decorate


def time_limit(cls: type[SmokeTest], method: str | None = None) -> float:
    """The limit for ``cls.method`` (or for the class's ``setUpClass``)."""
    own = getattr(getattr(cls, method), "smoketest_timeout", None) if method else None
    return float(own or cls.timeout or smoketest_settings.TIMEOUT)
