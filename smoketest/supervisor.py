"""Supervision: tests run on a worker thread, so that a test over its time
limit can be abandoned (and reported as timed out) while the run goes on.

The caller's thread only waits. A worker owns its database connections (they
are thread-local), bounds their statements server-side where the backend
allows, and closes them when it ends. An abandoned worker finishes its hung
test on its own, rolls it back like any other, and exits; until then, that test
is reported as still running instead of being started again, so hung threads
and connections never pile up however often the endpoint is polled.
"""

import threading
import time
from collections import deque
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import Literal

from django.db import connections

from smoketest.isolation import limit_statements, sever
from smoketest.loader import AppSuite, TestClass
from smoketest.result import RunResult, TestOutcome
from smoketest.runner import CAUGHT, SETUP_CLASS, SmokeRunner, describe, error_outcome, step_limit

Phase = Literal["start", "setup_class", "test", "after"]

# Steps whose abandoned worker is still running them: name -> (worker, when it timed out).
_hung: dict[str, tuple["Worker", float]] = {}
_hung_lock = threading.Lock()


@dataclass(slots=True)  # not frozen: its __init__ would cost more than a trivial test
class Step:
    """What a worker is doing now, and until when it may (never changed once made)."""

    phase: Phase
    started: float
    limit: float
    app: str = ""
    test_class: TestClass | None = None
    index: int | None = None

    @property
    def name(self) -> str:
        if self.test_class is None:
            return "smoketest.worker"
        if self.phase == "setup_class":
            return f"{self.test_class.name}.{SETUP_CLASS}"
        if self.phase == "after" or self.index is None:
            return f"{self.test_class.name}.tearDownClass"
        return self.test_class.test_name(self.test_class.methods[self.index])

    def names_affected(self) -> list[str]:
        """The tests this step decides: a test itself, or all of a class for setUpClass."""
        assert self.test_class is not None
        if self.phase == "setup_class":
            return [self.test_class.test_name(method) for method in self.test_class.methods]
        return [self.name]

    def remaining(self) -> tuple[str, ...]:
        """The class's methods still to run after this step."""
        if self.test_class is None or self.phase == "setup_class":
            return ()
        return self.test_class.methods[(self.index or 0) + 1 :] if self.index is not None else ()


def run_supervised(runner: SmokeRunner, suite: list[AppSuite], result: RunResult, run_timeout: float) -> None:
    """Run ``suite`` into ``result`` on as many workers as timeouts require."""
    result.outcomes.extend(runner.load_errors(suite))
    pending = deque((app.label, test_class) for app in suite for test_class in app.classes)
    result.test_classes = len(pending)
    budget_end = time.monotonic() + run_timeout
    while pending:
        if time.monotonic() >= budget_end:
            for app, test_class in pending:
                for method in test_class.methods:
                    result.outcomes.append(_not_run(app, test_class.test_name(method), run_timeout))
            return
        worker = Worker(runner, pending, result.outcomes, budget_end, run_timeout)
        worker.start()
        worker.supervise()


class Worker(threading.Thread):
    """Runs pending classes in order until it is done or abandoned."""

    def __init__(
        self,
        runner: SmokeRunner,
        pending: deque[tuple[str, TestClass]],
        outcomes: list[TestOutcome],
        budget_end: float,
        run_timeout: float,
    ) -> None:
        super().__init__(name="smoketest-worker", daemon=True)
        self.runner = runner
        self.pending = pending
        self.outcomes = outcomes
        self.budget_end = budget_end
        self.run_timeout = run_timeout
        # begin() and end() take the lock itself: twice per test, Condition's
        # own (Python-level) __enter__/__exit__ would cost more than the test.
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.current = Step("start", time.monotonic(), float("inf"))
        self.abandoned = False
        self.finished = False
        self.statement_limit: float | None = None
        self.waking_at = float("inf")  # when the supervisor will next look

    # --- the worker thread ---------------------------------------------------

    def run(self) -> None:
        # This thread's own connection wrappers, so the supervisor can sever them.
        self.db_connections = [connections[alias] for alias in self.runner.aliases]
        try:
            while True:
                with self.cond:
                    if self.abandoned or not self.pending:
                        return
                    app, test_class = self.pending.popleft()
                self.runner.run_class(app, test_class, self)
        except CAUGHT as exc:
            self.end(error_outcome("smoketest.worker", "smoketest", f"internal error: {describe(exc)}", exc))
        finally:
            for connection in connections.all(initialized_only=True):  # this thread's only
                with suppress(*CAUGHT):  # severed ones may refuse to close twice
                    connection.close()
            with _hung_lock:
                for name in [name for name, (worker, _) in _hung.items() if worker is self]:
                    del _hung[name]
            with self.cond:
                self.finished = True
                self.cond.notify_all()

    def begin(self, app: str, test_class: TestClass, index: int | None) -> bool:
        """``Progress.begin``: run the step unless the run budget is spent,
        the same step still hangs in an abandoned worker, or we are abandoned."""
        phase: Phase = "setup_class" if index is None else "test"
        step = Step(phase, time.monotonic(), step_limit(test_class, index), app, test_class, index)
        hung = None
        if _hung:  # rarely anything: look it up only then
            with _hung_lock:
                hung = _hung.get(step.name) or _hung.get(f"{test_class.name}.tearDownClass")
        with self.lock:
            if self.abandoned:
                return False
            if step.started >= self.budget_end:
                self.outcomes.extend(_not_run(app, name, self.run_timeout) for name in step.names_affected())
                return False
            if hung is not None:
                message = (
                    f"still running: it timed out {step.started - hung[1]:.0f} s ago and has not returned; "
                    "not started again"
                )
                self.outcomes.extend(error_outcome(name, app, message) for name in step.names_affected())
                return False
            self.current = step
            if step.started + step.limit < self.waking_at:
                self.cond.notify()  # a shorter limit than the supervisor is waiting out
        if step.limit != self.statement_limit:
            self._limit_statements(step.limit)
        return True

    def end(self, outcome: TestOutcome) -> None:
        """``Progress.end``: keep the outcome unless we were abandoned meanwhile."""
        with self.lock:
            if self.abandoned:
                return
            self.outcomes.append(outcome)
            step = self.current  # not dataclasses.replace(): it costs more than a trivial test
            self.current = Step("after", time.monotonic(), step.limit, step.app, step.test_class, step.index)

    def _limit_statements(self, seconds: float) -> None:
        self.statement_limit = seconds
        for alias in self.runner.aliases:
            # A database that is down is reported by the test's own transaction.
            with suppress(*CAUGHT):
                limit_statements(connections[alias], seconds)

    # --- the caller's thread -------------------------------------------------

    def supervise(self) -> None:
        """Wait until the worker is done, or abandon it at its step's deadline."""
        with self.cond:
            while not self.finished:
                step = self.current
                deadline = min(step.started + step.limit, self.budget_end)
                left = deadline - time.monotonic()
                if left <= 0:
                    self._abandon(step)
                    return
                self.waking_at = deadline
                self.cond.wait(left)

    def _abandon(self, step: Step) -> None:
        """Report the hung step, hand the rest of its class back to the queue."""
        self.abandoned = True
        with _hung_lock:
            _hung[step.name] = (self, time.monotonic())
        # End the hung test's connections now: the database rolls its work back
        # and releases its locks, and nothing it sends later can run.
        for connection in getattr(self, "db_connections", ()):
            with suppress(*CAUGHT):
                sever(connection)
        if step.test_class is None:
            return
        over_budget = step.started + step.limit > self.budget_end
        seconds = time.monotonic() - step.started if over_budget else step.limit
        message = f"timed out after {seconds:.3g} s"
        if over_budget:
            message += f" (the run's {self.run_timeout:g} s budget was spent)"
        if step.phase == "after":
            self.outcomes.append(error_outcome(step.name, step.app, f"{message} in tearDownClass or cleanups"))
        else:
            prefix = f"{SETUP_CLASS} " if step.phase == "setup_class" else ""
            self.outcomes.extend(error_outcome(name, step.app, prefix + message) for name in step.names_affected())
        remaining = step.remaining()
        if remaining:
            self.pending.appendleft((step.app, replace(step.test_class, methods=remaining)))


def _not_run(app: str, name: str, run_timeout: float) -> TestOutcome:
    return error_outcome(name, app, f"not run: the run's {run_timeout:g} s budget was spent")
