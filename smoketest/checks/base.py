"""What the built-in checks share: failures that name the resource, cleanups
for what a rollback cannot undo, a guard against writing outside the smoke
test's rolled-back transaction, the time left to the test's limit, and client
libraries imported only when a check runs."""

import importlib
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from types import ModuleType
from typing import Any

from django.db import connections

from smoketest import NoFix as NoFix  # its documented path, before it was public as smoketest.NoFix
from smoketest import SmokeTest
from smoketest.core.case import time_limit


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def seconds_until(moment: float) -> float:
    """Seconds from now to ``moment`` (a ``time.monotonic()`` value), never below 0."""
    return max(moment - time.monotonic(), 0.0)


def unique_name(prefix: str = "smoketest-") -> str:
    """A name no other run (or process) will pick: for keys, files, users."""
    return f"{prefix}{uuid.uuid4().hex}"


class BuiltinCheck(SmokeTest):
    """Base of the checks in ``smoketest.checks``; it has no tests of its own.

    A check that can repair what it finds defines two methods, which only
    ``manage.py smoketest --fix`` calls, outside any rolled-back transaction:
    ``fix_plan() -> str`` says what ``fix()`` would change and changes
    nothing (it raises ``NoFix`` when there is nothing to do); ``fix() -> str``
    makes the change and says what it did.
    """

    tags = frozenset({"builtin"})

    def report_deadline(self) -> float:
        """When (``time.monotonic()``) the running test must stop waiting to
        report in time: its time limit from now, less a tenth (at most 1 s)."""
        limit = time_limit(type(self), self._testMethodName)
        return time.monotonic() + limit - min(1.0, limit / 10)

    def require(self, library: str) -> ModuleType:
        """Import a client library, or skip the test saying it is not
        installed; one that is installed but cannot be imported is a failure."""
        try:
            return importlib.import_module(library)
        except ImportError as exc:
            if isinstance(exc, ModuleNotFoundError) and exc.name == library:
                self.skipTest(f"{library} is not installed ({describe(exc)})")
            raise self.failureException(f"{library} cannot be imported: {describe(exc)}") from exc

    def for_each(self, kind: str, names: Iterable[str], check: Callable[[str], None]) -> None:
        """Run ``check(name)`` for every name as a subtest labelled ``kind=name``,
        so one broken resource does not hide the next."""
        for name in names:
            with self.subTest(**{kind: name}):
                check(name)

    @contextmanager
    def failing_as(self, what: str) -> Iterator[None]:
        """Turn an exception raised in the block into a failure that starts with ``what``."""
        try:
            yield
        except self.failureException:
            raise
        except Exception as exc:
            raise self.failureException(f"{what}: {describe(exc)}") from exc

    def remove_later(self, what: str, remove: Callable[..., Any], *args: Any) -> None:
        """Register a cleanup that runs even when the test fails; a cleanup
        that cannot remove ``what`` is a failure that says so."""

        def cleanup() -> None:
            with self.failing_as(f"could not remove {what}"):
                remove(*args)

        self.addCleanup(cleanup)

    def require_rolled_back(self, alias: str, action: str) -> None:
        """Fail instead of writing to ``alias`` when no transaction will roll the write back."""
        if not connections[alias].in_atomic_block:
            self.fail(
                f"refusing to {action} on database {alias!r}: it is not inside the smoke test's rolled-back "
                "transaction (is it left out of SMOKETEST_DATABASES?)"
            )
