"""Execution: run a discovered suite, each test isolated, into a ``RunResult``."""

import time
import traceback
import unittest
from collections.abc import Iterable
from datetime import datetime, timezone
from types import TracebackType
from typing import Any

from smoketest.case import SmokeTest
from smoketest.conf import smoketest_settings
from smoketest.isolation import rolled_back
from smoketest.loader import AppSuite, TestClass, class_name, load_suite
from smoketest.result import RunResult, Status, TestOutcome

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

# Exceptions a test may raise that must not escape the run: everything a test
# body can do, ``sys.exit()`` included, except a real interrupt.
CAUGHT = (Exception, SystemExit)


def run_smoke_tests() -> RunResult:
    """Discover and run the configured suite; the one entry point of the view
    and the command. Never raises: an internal failure becomes a FAIL result."""
    started_at = datetime.now(timezone.utc)
    clock = time.perf_counter()
    try:
        suite = load_suite(smoketest_settings.SKIP_APPS)
        result = SmokeRunner(smoketest_settings.database_aliases).run(suite)
    except CAUGHT as exc:
        result = RunResult(started_at=started_at)
        result.outcomes.append(_error_outcome("smoketest", "smoketest", f"internal error: {_describe(exc)}", exc))
    result.started_at = started_at
    result.duration_ms = (time.perf_counter() - clock) * 1000
    return result


class SmokeRunner:
    """Runs test classes one test at a time, each inside ``rolled_back()``."""

    def __init__(self, aliases: Iterable[str]) -> None:
        self.aliases = list(aliases)

    def run(self, suite: Iterable[AppSuite]) -> RunResult:
        result = RunResult(started_at=datetime.now(timezone.utc))
        for app in suite:
            for error in app.errors:
                message = f"could not import {error.module}: {error.error}"
                result.outcomes.append(
                    TestOutcome(error.module, app.label, Status.ERROR, message=message, traceback=error.traceback)
                )
            for test_class in app.classes:
                result.test_classes += 1
                result.outcomes.extend(self.run_class(app.label, test_class))
        return result

    def run_class(self, app: str, test_class: TestClass) -> list[TestOutcome]:
        cls, methods = test_class.cls, test_class.methods
        if getattr(cls, "__unittest_skip__", False):
            reason = getattr(cls, "__unittest_skip_why__", "")
            return [TestOutcome(_test_name(cls, m), app, Status.SKIP, message=reason) for m in methods]
        if not _has_class_fixtures(cls):
            return [self.run_test(app, cls(method)) for method in methods]
        # setUpClass work is isolated too: the class's tests then run in
        # savepoints inside the class-level transaction.
        try:
            with rolled_back(self.aliases):
                return self._run_with_class_fixtures(app, cls, methods)
        except CAUGHT as exc:
            return [_error_outcome(_test_name(cls, m), app, f"{_describe(exc)}", exc) for m in methods]

    def _run_with_class_fixtures(self, app: str, cls: type[SmokeTest], methods: tuple[str, ...]) -> list[TestOutcome]:
        try:
            cls.setUpClass()
        except unittest.SkipTest as exc:
            return [TestOutcome(_test_name(cls, m), app, Status.SKIP, message=str(exc)) for m in methods]
        except CAUGHT as exc:
            outcomes = [_error_outcome(_test_name(cls, m), app, f"setUpClass: {_describe(exc)}", exc) for m in methods]
            return outcomes + self._class_cleanups(app, cls)
        outcomes = [self.run_test(app, cls(method)) for method in methods]
        try:
            cls.tearDownClass()
        except CAUGHT as exc:
            outcomes.append(_error_outcome(f"{class_name(cls)}.tearDownClass", app, _describe(exc), exc))
        return outcomes + self._class_cleanups(app, cls)

    def _class_cleanups(self, app: str, cls: type[SmokeTest]) -> list[TestOutcome]:
        cls.doClassCleanups()
        return [
            _error_outcome(f"{class_name(cls)}.doClassCleanups", app, _describe(exc), exc)
            for _, exc, _ in getattr(cls, "tearDown_exceptions", [])
        ]

    def run_test(self, app: str, test: SmokeTest) -> TestOutcome:
        recorder = OutcomeRecorder(app)
        start = time.perf_counter()
        try:
            with rolled_back(self.aliases):
                test.run(recorder)
        except CAUGHT as exc:
            # The isolation itself failed: a database down, a transaction the
            # test broke beyond repair. That is the test's error.
            recorder.addError(test, (type(exc), exc, exc.__traceback__))
        outcome = recorder.outcome(test)
        outcome.duration_ms = (time.perf_counter() - start) * 1000
        return outcome


class OutcomeRecorder(unittest.TestResult):
    """A ``unittest.TestResult`` that folds one test's events (subtests
    included) into a single ``TestOutcome``: error beats failure beats skip."""

    def __init__(self, app: str) -> None:
        super().__init__()
        self.app = app
        self.status = Status.PASS
        self.messages: list[str] = []
        self.tracebacks: list[str] = []

    def outcome(self, test: unittest.TestCase) -> TestOutcome:
        name = _test_name(type(test), test._testMethodName)
        return TestOutcome(name, self.app, self.status, 0.0, "\n".join(self.messages), "\n".join(self.tracebacks))

    def _record(self, status: Status, message: str, err: ExcInfo | None = None) -> None:
        if status.severity > self.status.severity:
            self.status = status
        if message:
            self.messages.append(message)
        if err is not None:
            self.tracebacks.append("".join(traceback.format_exception(*err)))

    def addError(self, test: unittest.TestCase, err: Any) -> None:
        self._record(Status.ERROR, _describe(err[1]), err)

    def addFailure(self, test: unittest.TestCase, err: Any) -> None:
        self._record(Status.FAIL, str(err[1]), err)

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        self._record(Status.SKIP, reason)

    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None:
        self._record(Status.FAIL, "unexpected success (the test is marked as an expected failure)")

    def addSubTest(self, test: unittest.TestCase, subtest: unittest.TestCase, err: Any) -> None:
        if err is None:
            return
        label = subtest._subDescription()  # type: ignore[attr-defined]
        if issubclass(err[0], test.failureException):
            self._record(Status.FAIL, f"{label}: {err[1]}", err)
        else:
            self._record(Status.ERROR, f"{label}: {_describe(err[1])}", err)


def _has_class_fixtures(cls: type[SmokeTest]) -> bool:
    """True when the class overrides setUpClass/tearDownClass or registers
    class cleanups: only then does it need a class-level transaction (and
    its tests a savepoint each)."""
    overridden = (
        getattr(cls, name).__func__ is not getattr(unittest.TestCase, name).__func__
        for name in ("setUpClass", "tearDownClass")
    )
    return any(overridden) or bool(cls._class_cleanups)  # type: ignore[attr-defined]


def _test_name(cls: type, method: str) -> str:
    return f"{class_name(cls)}.{method}"


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def _error_outcome(name: str, app: str, message: str, exc: BaseException) -> TestOutcome:
    tb = "".join(traceback.format_exception(exc))
    return TestOutcome(name, app, Status.ERROR, message=message, traceback=tb)
