"""Supervision: tests run on worker threads, so that a test over its time
limit can be abandoned (and reported as timed out) while the run goes on, and
so that up to ``SMOKETEST_WORKERS`` tests run at once.

The caller's thread only waits. A worker owns its database connections (they
are thread-local) and bounds their statements server-side where the backend
allows. Workers outlive a run: up to ``SMOKETEST_WORKERS`` of them wait for
the next one, and their connections live as ``CONN_MAX_AGE`` and
``CONN_HEALTH_CHECKS`` say, checked at each run's start and end as Django
does at a request's; they end, closing their connections, at the process's
exit. An abandoned worker finishes its hung test on its own, rolls it back
like any other, closes its connections and exits; until then, that test is
reported as still running instead of being started again, so hung threads
and connections never pile up however often the endpoint is polled.

A test class with fixtures (``setUpClass``, ``setUp`` and their kin) is a
unit of work: its ``setUpClass``, tests and ``tearDownClass`` run on one
worker, in order, while other workers run other work. The tests of a class
without them are each a unit of their own, spread over the workers. Either
way each test runs in its own rolled-back transaction on its worker's
connections. A class with ``parallel = False`` is one unit and runs alone. Outcomes are put back in
suite order when the run ends, so the report is the same whichever worker
finished first.
"""

import atexit
import queue
import threading
import time
import unittest
from collections import deque
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import Literal

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.urls import clear_script_prefix, set_urlconf
from django.utils import timezone, translation

from smoketest.core.case import SmokeTest
from smoketest.core.interrupt import Interrupted, raise_in
from smoketest.engine.execution import (
    CAUGHT,
    SETUP_CLASS,
    SmokeRunner,
    describe,
    error_outcome,
    has_class_fixtures,
    step_limit,
)
from smoketest.engine.isolation import limit_statements, sever
from smoketest.engine.loader import AppSuite, TestClass
from smoketest.reports.result import TestOutcome

Phase = Literal["start", "setup_class", "test", "after"]

# Steps whose abandoned worker is still running them: name -> (worker, when it timed out).
_hung: dict[str, tuple["Worker", float]] = {}
_hung_lock = threading.Lock()

# Workers waiting for the next run, and the lock of that list.
_idle: list["Worker"] = []
_idle_lock = threading.Lock()
IDLE_NAME, BUSY_NAME = "smoketest-idle-worker", "smoketest-worker"


@dataclass(slots=True)  # not frozen: its __init__ would cost more than a trivial test
class Step:
    """What a worker is doing now, and until when it may. Changed only under
    the pool's lock, by its worker: from a test to what comes after it."""

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


def run_supervised(
    runner: SmokeRunner, suite: list[AppSuite], outcomes: list[TestOutcome], run_timeout: float, workers: int = 1
) -> int:
    """Run ``suite`` into ``outcomes`` on up to ``workers`` threads at once (and
    on as many more, one after another, as timeouts require); return how many
    test classes were reported on (without those failfast left out)."""
    outcomes.extend(runner.load_errors(suite))
    loaded = len(outcomes)
    pool = Pool(runner, suite, outcomes, run_timeout, workers)
    pool.supervise()
    if workers > 1:  # one worker reports in suite order already
        outcomes[loaded:] = sorted(outcomes[loaded:], key=_suite_order(suite))
    classes = {test_class.name for app in suite for test_class in app.classes}
    return len({outcome.name.rpartition(".")[0] for outcome in outcomes[loaded:]} & classes)


def _units(test_class: TestClass, workers: int) -> list[TestClass]:
    """What a worker takes at a time: with several workers, each test of a
    class that has no fixtures and may run beside others; else the class."""
    cls = test_class.cls
    if workers == 1 or len(test_class.methods) == 1 or not cls.parallel or _has_fixtures(cls):
        return [test_class]
    return [replace(test_class, methods=(method,)) for method in test_class.methods]


def _has_fixtures(cls: type[SmokeTest]) -> bool:
    """Class fixtures, or a ``setUp``/``tearDown`` its tests share: those
    often write the same rows, and concurrent inserts of one unique key can
    deadlock on MariaDB/MySQL."""
    shared = (getattr(cls, name) is not getattr(unittest.TestCase, name) for name in ("setUp", "tearDown"))
    return has_class_fixtures(cls) or any(shared)


def _suite_order(suite: list[AppSuite]) -> Callable[[TestOutcome], tuple[int, float]]:
    """A sort key of outcomes: their test's place in the suite; a class-level
    entry (``tearDownClass``) after its class's tests; unknown names last."""
    positions: dict[str, tuple[int, float]] = {}
    for position, test_class in enumerate(test_class for app in suite for test_class in app.classes):
        positions[test_class.name] = (position, float("inf"))
        for index, method in enumerate(test_class.methods):
            positions[test_class.test_name(method)] = (position, index)
    last = (len(positions), 0.0)

    def key(outcome: TestOutcome) -> tuple[int, float]:
        return positions.get(outcome.name) or positions.get(outcome.name.rpartition(".")[0], last)

    return key


class Pool:
    """The classes still to run, the workers running them, and the caller's
    supervision of both. One lock guards it all, the outcomes included."""

    def __init__(
        self, runner: SmokeRunner, suite: list[AppSuite], outcomes: list[TestOutcome], run_timeout: float, size: int
    ) -> None:
        self.runner = runner
        self.pending = deque(
            (app.label, unit) for app in suite for test_class in app.classes for unit in _units(test_class, size)
        )
        self.outcomes = outcomes
        self.run_timeout = run_timeout
        self.budget_end = time.monotonic() + run_timeout
        self.size = size
        self.lock = threading.Lock()
        self.wakeup = threading.Condition(self.lock)  # the supervisor waits on it
        self.turn = threading.Condition(self.lock)  # workers waiting for a class they may start
        self.workers: list[Worker] = []  # serving this pool, not abandoned
        self.classes_running = 0
        self.running_alone = False  # a class with ``parallel = False`` runs
        self.waking_at = float("inf")  # when the supervisor will next look
        self.shortest_limit = float("inf")  # of the steps begun so far

    # --- worker threads ------------------------------------------------------

    def take(self, worker: "Worker") -> tuple[str, TestClass] | None:
        """The first class in suite order that ``worker`` may start now,
        waiting until there is one: none starts while a ``parallel = False``
        class runs, and such a class starts only when no other runs. None when
        there is nothing (more) to run."""
        with self.lock:
            while self.pending and not (worker.abandoned or self.runner.stopped):
                for position, (app, test_class) in enumerate(() if self.running_alone else self.pending):
                    alone = not test_class.cls.parallel
                    if alone and self.classes_running:
                        continue
                    del self.pending[position]
                    self.classes_running += 1
                    self.running_alone = alone
                    worker.holds_class = True
                    return app, test_class
                self.turn.wait()
            return None

    def release(self, worker: "Worker") -> None:
        """``worker`` is done with its class, or abandoned: let the next start.
        The caller holds the lock."""
        if worker.holds_class:
            worker.holds_class = False
            self.classes_running -= 1
            self.running_alone = False
            worker.current = Step("start", time.monotonic(), float("inf"))
        self.turn.notify_all()

    # --- the caller's thread -------------------------------------------------

    def supervise(self) -> None:
        """Keep up to ``size`` workers busy until every class has run; abandon
        a worker at its step's deadline, and everything at the run budget's."""
        with self.lock:
            while True:
                now = time.monotonic()
                for worker in [worker for worker in self.workers if worker.deadline <= now]:
                    self._abandon(worker)
                if self.runner.stopped:
                    self.pending.clear()
                if now >= self.budget_end:
                    for app, test_class in self.pending:
                        for method in test_class.methods:
                            self.outcomes.append(_not_run(app, test_class.test_name(method), self.run_timeout))
                    self.pending.clear()
                    self.turn.notify_all()  # workers waiting for a class: there is none
                while len(self.workers) < self.size and len(self.pending) > self._idle_workers():
                    self.workers.append(Worker.hire(self))
                if not self.workers:
                    return
                # Also within the shortest limit begun so far: a step begun later
                # with a limit as long or longer ends after that, and need not
                # wake the supervisor (waking it costs the workers a thread switch).
                self.waking_at = min(min(worker.deadline for worker in self.workers), now + self.shortest_limit)
                if now < self.budget_end:
                    self.waking_at = min(self.waking_at, self.budget_end)
                self.wakeup.wait(None if self.waking_at == float("inf") else self.waking_at - now)

    def _idle_workers(self) -> int:
        """Workers that will take a pending class without a new one being started."""
        return sum(not worker.holds_class for worker in self.workers)

    def _abandon(self, worker: "Worker") -> None:
        """Report the worker's hung step, hand the rest of its class back to
        the queue, and let the others go on. The caller holds the lock."""
        step = worker.current
        worker.abandoned = True
        self.workers.remove(worker)
        self.release(worker)
        assert step.test_class is not None  # between classes, a worker runs no test: it is never abandoned
        with _hung_lock:
            _hung[step.name] = (worker, time.monotonic())
        # End the hung test's connections now: the database rolls its work back
        # and releases its locks, and nothing it sends later can run. Then stop
        # its Python code, so a test spinning in a loop does not burn a core.
        for connection in worker.db_connections:
            with suppress(*CAUGHT):
                sever(connection)
        if worker.interruptible:
            worker.interruptible = False
            raise_in(worker.ident, Interrupted)  # type: ignore[arg-type]
        over_budget = step.started + step.limit > self.budget_end
        ran_ms = (time.monotonic() - step.started) * 1000
        seconds = ran_ms / 1000 if over_budget else step.limit
        message = f"timed out after {seconds:.3g} s"
        if over_budget:
            message += f" (the run's {self.run_timeout:g} s budget was spent)"
        if step.phase == "after":
            timed_out = [error_outcome(step.name, step.app, f"{message} in tearDownClass or cleanups")]
        else:
            prefix = f"{SETUP_CLASS} " if step.phase == "setup_class" else ""
            timed_out = [error_outcome(name, step.app, prefix + message) for name in step.names_affected()]
        if timed_out:  # the time it ran, counted once (for setUpClass, on its first test)
            timed_out[0] = replace(timed_out[0], duration_ms=ran_ms)
        self.outcomes.extend(timed_out)
        remaining = step.remaining()
        if remaining:
            self.pending.appendleft((step.app, replace(step.test_class, methods=remaining)))


class Worker(threading.Thread):
    """Takes units from a run's pool until none is left or it is abandoned,
    then waits for the next run's (``hire``), or ends."""

    def __init__(self) -> None:
        super().__init__(name=BUSY_NAME, daemon=True)
        self.inbox: queue.SimpleQueue[Pool | None] = queue.SimpleQueue()
        self.db_connections: list[BaseDatabaseWrapper] = []

    @classmethod
    def hire(cls, pool: Pool) -> "Worker":
        """A worker waiting for a run, or a new one, serving ``pool``."""
        with _idle_lock:
            worker = _idle.pop() if _idle else None
        if worker is None:
            worker = cls()
            worker._assign(pool)
            worker.start()
        else:
            worker._assign(pool)
        return worker

    def _assign(self, pool: Pool) -> None:
        self.pool = pool
        self.runner = pool.runner
        self.current = Step("start", time.monotonic(), float("inf"))
        self.holds_class = False
        self.abandoned = False
        # Between begin() and end(): the supervisor may interrupt the step.
        self.interruptible = False
        self.statement_limit: float | None = None  # set again in each run
        self.name = BUSY_NAME
        self.inbox.put(pool)

    @property
    def deadline(self) -> float:
        """When the current step must be over (the run budget's end at the
        latest). Between classes a worker runs no test: it has none, and once
        the budget is spent, it reports the tests of a class it took as not run."""
        if self.current.phase == "start":
            return float("inf")
        return min(self.current.started + self.current.limit, self.pool.budget_end)

    # --- the worker thread ---------------------------------------------------

    def run(self) -> None:
        try:
            while (pool := self.inbox.get()) is not None:
                if not self._serve(pool):
                    return
        finally:
            for connection in connections.all(initialized_only=True):  # this thread's only
                with suppress(*CAUGHT):  # severed ones may refuse to close twice
                    connection.close()
            with _hung_lock:
                for name in [name for name, (worker, _) in _hung.items() if worker is self]:
                    del _hung[name]

    def _serve(self, pool: Pool) -> bool:
        """Run ``pool``'s units; True when this worker then waits for the next run."""
        # This thread's own connection wrappers, so the supervisor can sever them.
        self.db_connections = [connections[alias] for alias in self.runner.aliases]
        _start_afresh()
        _close_obsolete()
        try:
            while (taken := pool.take(self)) is not None:
                try:
                    self.runner.run_class(*taken, self)
                finally:
                    with pool.lock:
                        pool.release(self)
        except CAUGHT as exc:
            self.end(error_outcome("smoketest.worker", "smoketest", f"internal error: {describe(exc)}", exc))
        finally:
            if not self.abandoned:
                _close_obsolete()
            with pool.lock:
                if self in pool.workers:
                    pool.workers.remove(self)
                pool.wakeup.notify()
        return not self.abandoned and self._wait_for_next(pool.size)

    def _wait_for_next(self, most: int) -> bool:
        """Wait among at most ``most`` workers for the next run; False: end now."""
        with _idle_lock:
            if len(_idle) >= most or _retired.is_set():
                return False
            self.name = IDLE_NAME
            _idle.append(self)
        return True

    def begin(self, app: str, test_class: TestClass, index: int | None) -> bool:
        """``Progress.begin``: run the step unless the run budget is spent,
        the same step still hangs in an abandoned worker, or we are abandoned."""
        phase: Phase = "setup_class" if index is None else "test"
        step = Step(phase, time.monotonic(), step_limit(test_class, index), app, test_class, index)
        hung = None
        if _hung:  # rarely anything: look it up only then
            with _hung_lock:
                hung = _hung.get(step.name) or _hung.get(f"{test_class.name}.tearDownClass")
        pool = self.pool
        with pool.lock:
            if self.abandoned:
                return False
            if step.started >= pool.budget_end:
                pool.outcomes.extend(_not_run(app, name, pool.run_timeout) for name in step.names_affected())
                return False
            if hung is not None:
                message = (
                    f"still running: it timed out {step.started - hung[1]:.0f} s ago and has not returned; "
                    "not started again"
                )
                pool.outcomes.extend(error_outcome(name, app, message) for name in step.names_affected())
                return False
            self.current = step
            self.interruptible = True
            pool.shortest_limit = min(pool.shortest_limit, step.limit)
            if step.started + step.limit < pool.waking_at:
                pool.wakeup.notify()  # a shorter limit than the supervisor is waiting out
        if step.limit != self.statement_limit:
            self._limit_statements(step.limit)
        return True

    def end(self, outcome: TestOutcome) -> None:
        """``Progress.end``: keep the outcome unless we were abandoned meanwhile."""
        with self.pool.lock:
            if self.abandoned:
                raise_in(threading.get_ident(), None)  # an interruption that came too late
                return
            self.interruptible = False
            self.pool.outcomes.append(outcome)
            self.current.phase, self.current.started = "after", time.monotonic()

    def _limit_statements(self, seconds: float) -> None:
        self.statement_limit = seconds
        for alias in self.runner.aliases:
            # A database that is down is reported by the test's own transaction.
            with suppress(*CAUGHT):
                limit_statements(connections[alias], seconds)


def _not_run(app: str, name: str, run_timeout: float) -> TestOutcome:
    return error_outcome(name, app, f"not run: the run's {run_timeout:g} s budget was spent")


def _start_afresh() -> None:
    """Forget the Django state an earlier run left in this thread (a request
    a time limit interrupted keeps its URLconf, script prefix, language and
    time zone): each run starts as in a new thread."""
    set_urlconf(None)
    clear_script_prefix()
    translation.deactivate()
    timezone.deactivate()


def _close_obsolete() -> None:
    """This thread's connections that ``CONN_MAX_AGE`` or an error made
    obsolete are closed, as at a request's start and end."""
    for connection in connections.all(initialized_only=True):
        with suppress(*CAUGHT):
            connection.close_if_unusable_or_obsolete()


_retired = threading.Event()  # set at exit: no worker waits any more


def retire_idle_workers(wait: float = 2) -> None:
    """End the workers waiting for a run, each closing its connections."""
    with _idle_lock:
        idle = list(_idle)
        _idle.clear()
    for worker in idle:
        worker.inbox.put(None)
    for worker in idle:
        worker.join(wait)


@atexit.register
def _at_exit() -> None:
    _retired.set()
    retire_idle_workers()
