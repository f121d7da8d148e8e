"""Execution of one test class (its fixtures, its tests, their isolation
and time limits) into outcomes; the supervisor calls it on worker threads."""

import logging
import sys
import threading
import time
import traceback
import unittest
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from types import ModuleType, TracebackType
from typing import Any, Protocol

from django.conf import settings

from smoketest.core.case import SmokeTest, time_limit
from smoketest.core.interrupt import Interrupted
from smoketest.core.settings import smoketest_settings
from smoketest.engine.isolation import rolled_back
from smoketest.engine.loader import AppSuite, TestClass
from smoketest.reports.result import Status, TestOutcome

logger = logging.getLogger("smoketest")

ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]

# Exceptions that must not escape the run where the caller's thread runs:
# all but a real interrupt. On a worker thread, where tests run, everything is
# the test's (a real Ctrl-C reaches the main thread only): ``IN_TEST``.
CAUGHT = (Exception, SystemExit, Interrupted)
IN_TEST = (BaseException,)

SETUP_CLASS = "setUpClass"
SETUP_MODULE, TEARDOWN_MODULE = "setUpModule", "tearDownModule"

OutcomeCallback = Callable[[TestOutcome], None]


class Progress(Protocol):
    """What the runner tells whoever supervises it, step by step."""

    def begin(self, app: str, test_class: TestClass, index: int | None) -> bool:
        """Called before ``setUpClass`` (``index`` None) and before each test;
        False means: do not run it (the supervisor reported it already)."""

    def end(self, outcome: TestOutcome) -> None:
        """Called with each outcome, in report order (a test's second one,
        its class's transaction having failed after it, is folded into its
        first as the run ends)."""


class SmokeRunner:
    """Runs test classes one test at a time, each inside ``rolled_back()``."""

    def __init__(
        self, aliases: Iterable[str], *, failfast: bool = False, on_outcome: OutcomeCallback | None = None
    ) -> None:
        self.aliases = list(aliases)
        self.failfast = failfast
        self.on_outcome = on_outcome
        self.stopped = False
        # Per worker thread (its connections are its own): the isolation
        # block and outcome recorder its tests reuse, unit after unit.
        self.local = threading.local()

    def report(self, outcome: TestOutcome) -> None:
        """Pass a new outcome on; with failfast, a problem stops the run."""
        if self.on_outcome is not None:
            self.on_outcome(outcome)
        if self.failfast and outcome.status in (Status.FAIL, Status.ERROR):
            self.stopped = True

    def may_start(self, progress: Progress, app: str, test_class: TestClass, index: int | None) -> bool:
        """``progress.begin``, unless the run was stopped: then nothing more starts."""
        return not self.stopped and progress.begin(app, test_class, index)

    @staticmethod
    def load_errors(suite: Iterable[AppSuite]) -> list[TestOutcome]:
        """One errored entry per smoke module that could not be imported."""
        return [
            TestOutcome(
                error.module,
                app.label,
                Status.ERROR,
                message=f"could not import {error.module}: {error.error}",
                traceback=error.traceback,
            )
            for app in suite
            for error in app.errors
        ]

    def set_up_module(self, module: ModuleType, app: str) -> tuple["ModuleSetUp", list[TestOutcome]]:
        """Call the module's ``setUpModule`` inside ``rolled_back()`` (its
        database work is undone as it returns: it can never commit); what it
        decided for the module's tests, and the errors of the module cleanups
        that run at once when it failed or skipped (as unittest does)."""
        setup = getattr(module, SETUP_MODULE, None)
        result = ModuleSetUp(Status.PASS)
        cleanups: tuple[Cleanup, ...] = ()
        if not _module_fixtures.acquire(timeout=module_limit()):
            return ModuleSetUp(
                Status.ERROR, f"{SETUP_MODULE}: not started: another module's fixture has not returned"
            ), []
        try:
            try:
                with rolled_back(self.aliases, owned=True):
                    try:
                        if setup is not None:
                            setup()
                    finally:
                        cleanups = _take_module_cleanups()
            except unittest.SkipTest as exc:
                result = ModuleSetUp(Status.SKIP, str(exc))
            except IN_TEST as exc:
                result = ModuleSetUp(Status.ERROR, f"{SETUP_MODULE}: {describe(exc)}", format_exception(exc))
            if result.status is Status.PASS:
                return ModuleSetUp(Status.PASS, cleanups=cleanups), []
            return result, self._module_cleanups(module.__name__, app, cleanups)
        finally:
            _module_fixtures.release()

    def tear_down_module(self, module: ModuleType, app: str, cleanups: tuple["Cleanup", ...]) -> list[TestOutcome]:
        """Call the module's ``tearDownModule``, then its module cleanups,
        each inside ``rolled_back()``; their errors, as outcomes."""
        teardown = getattr(module, TEARDOWN_MODULE, None)
        errors = []
        if not _module_fixtures.acquire(timeout=module_limit()):
            message = "not started: another module's fixture has not returned"
            return [error_outcome(f"{module.__name__}.{TEARDOWN_MODULE}", app, message)]
        try:
            if teardown is not None:
                try:
                    with rolled_back(self.aliases, owned=True):
                        teardown()
                except IN_TEST as exc:
                    errors.append(error_outcome(f"{module.__name__}.{TEARDOWN_MODULE}", app, describe(exc), exc))
            return errors + self._module_cleanups(module.__name__, app, cleanups)
        finally:
            _module_fixtures.release()

    def _module_cleanups(self, name: str, app: str, cleanups: tuple["Cleanup", ...]) -> list[TestOutcome]:
        """Run ``cleanups`` (those a module registered) with unittest's
        ``doModuleCleanups()``, inside ``rolled_back()``. The caller holds
        ``_module_fixtures``, so no other module's are registered meanwhile."""
        if not cleanups:
            return []
        try:
            with rolled_back(self.aliases, owned=True):
                for function, args, kwargs in cleanups:
                    unittest.addModuleCleanup(function, *args, **kwargs)
                unittest.case.doModuleCleanups()  # unittest.doModuleCleanups (exported since 3.11)
        except IN_TEST as exc:
            _take_module_cleanups()  # those left after the one that raised: not run by another module
            return [error_outcome(f"{name}.doModuleCleanups", app, describe(exc), exc)]
        return []

    def run_class(self, app: str, test_class: TestClass, progress: Progress) -> None:
        if self.stopped:
            return
        cls, methods = test_class.cls, test_class.methods
        if getattr(cls, "__unittest_skip__", False):
            reason = getattr(cls, "__unittest_skip_why__", "")
            for method in methods:
                progress.end(TestOutcome(test_class.test_name(method), app, Status.SKIP, message=reason))
            return
        if not has_class_fixtures(cls):
            self._run_tests(app, test_class, progress)
            return
        # setUpClass work is isolated too: the class's tests then run in
        # savepoints inside the class-level transaction.
        if not self.may_start(progress, app, test_class, None):
            return
        outcomes: list[TestOutcome] = []
        try:
            with rolled_back(self.aliases, owned=True):
                outcomes = self._run_with_class_fixtures(app, test_class, progress)
        except IN_TEST as exc:  # the class's transaction: an error of each test, after what it reported
            outcomes += [error_outcome(test_class.test_name(m), app, describe(exc), exc) for m in methods]
        for outcome in outcomes:
            progress.end(outcome)

    def _run_with_class_fixtures(self, app: str, test_class: TestClass, progress: Progress) -> list[TestOutcome]:
        """Run setUpClass, the tests and the class teardown; the tests'
        outcomes go to ``progress`` as they finish, the fixtures' errors are
        returned (they are only final once the class transaction is closed)."""
        cls, methods = test_class.cls, test_class.methods
        try:
            cls.setUpClass()
        except unittest.SkipTest as exc:
            return [TestOutcome(test_class.test_name(m), app, Status.SKIP, message=str(exc)) for m in methods]
        except IN_TEST as exc:
            outcomes = [
                error_outcome(test_class.test_name(m), app, f"setUpClass: {describe(exc)}", exc) for m in methods
            ]
            return outcomes + self._class_cleanups(app, test_class)
        self._run_tests(app, test_class, progress)
        errors = []
        try:
            cls.tearDownClass()
        except IN_TEST as exc:
            errors.append(error_outcome(f"{test_class.name}.tearDownClass", app, describe(exc), exc))
        return errors + self._class_cleanups(app, test_class)

    def _class_cleanups(self, app: str, test_class: TestClass) -> list[TestOutcome]:
        test_class.cls.doClassCleanups()
        return [
            error_outcome(f"{test_class.name}.doClassCleanups", app, describe(exc), exc)
            for _, exc, _ in getattr(test_class.cls, "tearDown_exceptions", [])
        ]

    def _run_tests(self, app: str, test_class: TestClass, progress: Progress) -> None:
        """Run the class's tests one by one, each in its own rolled-back
        transaction. One isolation block and one recorder serve all the tests
        a thread runs in the run (with several workers, a unit is often one
        test); settings are compared with what they were as the class (after
        its ``setUpClass``) started."""
        local = self.local
        isolation = getattr(local, "isolation", None)
        if isolation is None:
            isolation = local.isolation = rolled_back(self.aliases, owned=True)
            local.recorder = OutcomeRecorder(app)
        recorder = local.recorder
        recorder.app = app
        snapshot = SettingsSnapshot()
        prefix = f"{test_class.name}."
        for index, method in enumerate(test_class.methods):
            if self.may_start(progress, app, test_class, index):
                progress.end(self.run_test(test_class.cls(method), prefix + method, isolation, recorder, snapshot))

    @staticmethod
    def run_test(
        test: unittest.TestCase,
        name: str,
        isolation: AbstractContextManager[None],
        recorder: "OutcomeRecorder",
        snapshot: "SettingsSnapshot",
    ) -> TestOutcome:
        """Run ``test`` inside ``isolation``; its outcome, reported as ``name``."""
        recorder.start(name)
        start = time.perf_counter()
        try:
            with isolation:
                test.run(recorder)
        except IN_TEST as exc:
            # The isolation itself failed, or the test ended its transaction,
            # or raised what unittest lets through (KeyboardInterrupt): the
            # test's error.
            recorder.addError(test, (type(exc), exc, exc.__traceback__))
        changed = snapshot.restore()
        if changed:
            recorder.addError(test, (SettingsChanged, SettingsChanged(f"changed settings: {', '.join(changed)}"), None))
        return recorder.outcome((time.perf_counter() - start) * 1000)


class SettingsChanged(Exception):
    """A test changed settings at run time (they are put back)."""


class SettingsSnapshot:
    """Django's settings as a class's tests start; ``restore`` puts back any
    a test assigned, replaced (``override_settings`` left enabled) or
    deleted, and names them. Values changed in place are not seen."""

    def __init__(self) -> None:
        self.wrapped = settings._wrapped
        self.values = dict(vars(self.wrapped))

    def restore(self) -> list[str]:
        current = settings._wrapped
        if current is self.wrapped and vars(current) == self.values:
            return []
        now = vars(current)
        missing = object()
        changed = sorted(
            name
            for name in {*now, *self.values} - {"default_settings", "SETTINGS_MODULE"}
            if name.isupper() and now.get(name, missing) is not self.values.get(name, missing)
        )
        vars(self.wrapped).clear()
        vars(self.wrapped).update(self.values)
        settings._wrapped = self.wrapped  # also drops LazySettings' cached values
        return changed or ["(replaced)"]


Cleanup = tuple[Callable[..., Any], tuple[Any, ...], dict[str, Any]]

# Module fixtures run one at a time in the process: unittest keeps one list of
# module cleanups for all modules (see ``_take_module_cleanups``).
_module_fixtures = threading.Lock()


@dataclass(frozen=True)
class ModuleSetUp:
    """What ``setUpModule`` decided: the module's tests run (PASS), are
    skipped (SKIP, with the reason) or errored (ERROR); the module cleanups it
    registered, to run after ``tearDownModule``."""

    status: Status
    message: str = ""
    traceback: str = ""
    cleanups: tuple[Cleanup, ...] = ()

    def not_run(self, app: str, test_class: TestClass) -> list[TestOutcome]:
        """The outcomes of a class of the module whose tests do not run."""
        return [
            TestOutcome(test_class.test_name(method), app, self.status, message=self.message, traceback=self.traceback)
            for method in test_class.methods
        ]


def fixture_module(cls: type[SmokeTest]) -> ModuleType | None:
    """The module whose ``setUpModule``/``tearDownModule`` bracket the class:
    where it is defined, as in unittest; None when it has neither."""
    module = sys.modules.get(cls.__module__)
    if module is None or not any(callable(getattr(module, name, None)) for name in (SETUP_MODULE, TEARDOWN_MODULE)):
        return None
    return module


def _take_module_cleanups() -> tuple[Cleanup, ...]:
    """The module cleanups registered so far (``unittest.addModuleCleanup``),
    taken out of unittest's list. unittest keeps one list for all modules and
    has no public way to read it; here modules' fixtures run interleaved with
    other modules' tests, so each module's cleanups are kept apart and given
    back to ``doModuleCleanups()`` after its ``tearDownModule``."""
    registered: list[Cleanup] = unittest.case._module_cleanups  # type: ignore[attr-defined]
    taken = tuple(registered)
    registered.clear()
    return taken


def module_limit() -> float:
    """The time limit of a module fixture (with its cleanups): ``SMOKETEST_TIMEOUT``."""
    return float(smoketest_settings.TIMEOUT)


def step_limit(test_class: TestClass, index: int | None) -> float:
    """The time limit of a step: a test, or the class's setUpClass."""
    return time_limit(test_class.cls, None if index is None else test_class.methods[index])


class OutcomeRecorder(unittest.TestResult):
    """A ``unittest.TestResult`` that folds one test's events (subtests
    included) into a single ``TestOutcome``: error beats failure beats skip.
    ``start`` readies it for the next test of its class."""

    def __init__(self, app: str) -> None:
        super().__init__()
        self.app = app
        self.name = ""
        self.status = Status.PASS
        self.messages: list[str] = []
        self.tracebacks: list[str] = []

    def start(self, name: str) -> None:
        self.name = name
        self.status = Status.PASS
        self.messages.clear()
        self.tracebacks.clear()

    def outcome(self, duration_ms: float) -> TestOutcome:
        if not self.messages and not self.tracebacks:
            return TestOutcome(self.name, self.app, self.status, duration_ms)
        message, tb = "\n".join(self.messages), "\n".join(self.tracebacks)
        return TestOutcome(self.name, self.app, self.status, duration_ms, message, tb)

    def addDuration(self, test: unittest.TestCase, elapsed: float) -> None:
        """Durations are in the outcome: keep none here (Python 3.12+ calls it)."""

    def _record(self, status: Status, message: str, err: ExcInfo | None = None) -> None:
        if status.severity > self.status.severity:
            self.status = status
        if message:
            self.messages.append(message)
        if err is not None:
            self.tracebacks.append(test_traceback(err, failure=status is Status.FAIL))

    def addError(self, test: unittest.TestCase, err: Any) -> None:
        self._record(Status.ERROR, describe(err[1]), err)

    def addFailure(self, test: unittest.TestCase, err: Any) -> None:
        self._record(Status.FAIL, str(err[1]), err)

    def addSkip(self, test: unittest.TestCase, reason: str) -> None:
        self._record(Status.SKIP, reason)

    def addUnexpectedSuccess(self, test: unittest.TestCase) -> None:
        self._record(Status.FAIL, "unexpected success (the test is marked as an expected failure)")

    def addSubTest(self, test: unittest.TestCase, subtest: unittest.TestCase, err: Any) -> None:
        if err is None:
            return
        # A subtest's id() is its test's id() and then its description.
        label = subtest.id().removeprefix(test.id()).strip()
        if issubclass(err[0], test.failureException):
            self._record(Status.FAIL, f"{label}: {err[1]}", err)
        else:
            self._record(Status.ERROR, f"{label}: {describe(err[1])}", err)


def has_class_fixtures(cls: type[SmokeTest]) -> bool:
    """True when the class overrides setUpClass/tearDownClass or registers
    class cleanups: only then does it need a class-level transaction (and
    its tests a savepoint each)."""
    return (
        cls.setUpClass.__func__ is not _SET_UP_CLASS  # type: ignore[attr-defined]
        or cls.tearDownClass.__func__ is not _TEAR_DOWN_CLASS  # type: ignore[attr-defined]
        or _has_class_cleanups(cls)
    )


_SET_UP_CLASS = unittest.TestCase.setUpClass.__func__  # type: ignore[attr-defined]
_TEAR_DOWN_CLASS = unittest.TestCase.tearDownClass.__func__  # type: ignore[attr-defined]


def _has_class_cleanups(cls: type[unittest.TestCase]) -> bool:
    """True when class cleanups are registered already (``addClassCleanup``
    outside ``setUpClass``). unittest has no public way to ask: it reads its
    own list, the one ``doClassCleanups()`` empties."""
    return bool(getattr(cls, "_class_cleanups", None))


def test_traceback(err: ExcInfo, *, failure: bool) -> str:
    """The traceback of what a test raised, without the frames of unittest and
    of this app (modules that set ``__unittest``, unittest's convention): the
    leading ones, and for a failed assertion the trailing ones, so that the
    test's own line comes first. All of it when no frame would be left."""
    exc_type, value, tb = err
    start = tb
    while start is not None and _hidden(start):
        start = start.tb_next
    if start is None:
        return "".join(traceback.format_exception(exc_type, value, tb))
    length = 0
    frame: TracebackType | None = start
    while failure and frame is not None and not _hidden(frame):
        length, frame = length + 1, frame.tb_next
    return "".join(traceback.format_exception(exc_type, value, start, limit=length if failure else None))


def _hidden(tb: TracebackType) -> bool:
    return "__unittest" in tb.tb_frame.f_globals


def describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"


def format_exception(exc: BaseException) -> str:
    return "".join(traceback.format_exception(exc))


def error_outcome(name: str, app: str, message: str, exc: BaseException | None = None) -> TestOutcome:
    tb = format_exception(exc) if exc is not None else ""
    return TestOutcome(name, app, Status.ERROR, message=message, traceback=tb)
