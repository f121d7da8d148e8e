"""The base class users subclass in their ``smoke`` modules, and its decorators."""

import inspect
import unittest
from collections.abc import Callable
from typing import Any, TypeVar

from asgiref.sync import async_to_sync
from django.test import SimpleTestCase

from smoketest.conf import smoketest_settings

F = TypeVar("F", bound=Callable[..., Any])


class SmokeTest(unittest.TestCase):
    """A ``unittest.TestCase`` run against the live site, inside a transaction
    that is rolled back on every database alias.

    ``timeout`` (seconds) overrides ``SMOKETEST_TIMEOUT`` for every test of
    the class (and for its ``setUpClass``). With ``SMOKETEST_WORKERS`` above 1,
    classes run at the same time on separate threads; ``parallel = False``
    makes the class run alone, while no other class runs."""

    timeout: float | None = None
    parallel: bool = True

    # Django's response and markup assertions, for tests that use the test
    # client. Borrowed rather than inherited: SimpleTestCase's set-up blocks
    # database queries and swaps settings, which a smoke test must not do.
    assertContains = SimpleTestCase.assertContains
    assertNotContains = SimpleTestCase.assertNotContains
    _assert_contains = SimpleTestCase._assert_contains
    assertRedirects = SimpleTestCase.assertRedirects
    assertURLEqual = SimpleTestCase.assertURLEqual
    assertJSONEqual = SimpleTestCase.assertJSONEqual
    assertHTMLEqual = SimpleTestCase.assertHTMLEqual
    assertInHTML = SimpleTestCase.assertInHTML

    def _callTestMethod(self, method: Callable[[], Any]) -> None:
        """Run ``async def`` tests to completion in an event loop. Django's
        async ORM calls are sent back to this (the worker's) thread, so they
        use its connections and run inside the test's rolled-back transaction."""
        if inspect.iscoroutinefunction(method):
            async_to_sync(method)()
        else:
            super()._callTestMethod(method)  # type: ignore[misc]


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
