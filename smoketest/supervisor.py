"""Supervision: tests run on worker threads, so that a test over its time
limit can be abandoned (and reported as timed out) while the run goes on, and
so that up to ``SMOKETEST_WORKERS`` test classes run at once.

The caller's thread only waits. A worker owns its database connections (they
are thread-local), bounds their statements server-side where the backend
allows, and closes them when it ends. An abandoned worker finishes its hung
test on its own, rolls it back like any other, and exits; until then, that test
is reported as still running instead of being started again, so hung threads
and connections never pile up however often the endpoint is polled.

A test class is the unit of work: its ``setUpClass``, tests and
``tearDownClass`` run on one worker, in order, each test in its own rolled-back
transaction on that worker's connections, while other workers run other
classes. A class with ``parallel = False`` runs alone. Outcomes are put back in
suite order when the run ends, so the report is the same whichever worker
finished first.
"""

import threading
import time
from collections import deque
from contextlib import suppress
from dataclasses import dataclass, replace
from typing import Literal

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from smoketest.interrupt import Interrupted, raise_in
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
    runner: SmokeRunner, suite: list[AppSuite], result: RunResult, run_timeout: float, workers: int = 1
) -> None:
    """Run ``suite`` into ``result`` on up to ``workers`` threads at once (and
    on as many more, one after another, as timeouts require)."""
    result.outcomes.extend(runner.load_errors(suite))
    loaded = len(result.outcomes)
    pool = Pool(runner, suite, result.outcomes, run_timeout, workers)
    pool.supervise()
    if workers > 1:  # one worker reports in suite order already
        result.outcomes[loaded:] = sorted(result.outcomes[loaded:], key=pool.suite_position)
    # The classes reported on: without those failfast left out.
    result.test_classes = len({outcome.name.rpartition(".")[0] for outcome in result.outcomes[loaded:]})


class Pool:
    """The classes still to run, the workers running them, and the caller's
    supervision of both. One lock guards it all, the outcomes included."""

    def __init__(
        self, runner: SmokeRunner, suite: list[AppSuite], outcomes: list[TestOutcome], run_timeout: float, size: int
    ) -> None:
        self.runner = runner
        self.pending = deque((app.label, test_class) for app in suite for test_class in app.classes)
        self.positions = {test_class.name: position for position, (_, test_class) in enumerate(self.pending)}
        self.outcomes = outcomes
        self.run_timeout = run_timeout
        self.budget_end = time.monotonic() + run_timeout
        self.size = size
        self.lock = threading.Lock()
        self.wakeup = threading.Condition(self.lock)  # the supervisor waits on it
        self.turn = threading.Condition(self.lock)  # workers waiting for a class they may start
        self.workers: list[Worker] = []  # started, neither finished nor abandoned
        self.classes_running = 0
        self.running_alone = False  # a class with ``parallel = False`` runs
        self.waking_at = float("inf")  # when the supervisor will next look
        self.shortest_limit = float("inf")  # of the steps begun so far

    def suite_position(self, outcome: TestOutcome) -> int:
        """Where ``outcome``'s class is in the suite (unknown names last)."""
        return self.positions.get(outcome.name.rpartition(".")[0], len(self.positions))

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
                for worker in list(self.workers):
                    if worker.finished:
                        self.workers.remove(worker)
                    elif worker.deadline <= now:
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
                    worker = Worker(self)
                    self.workers.append(worker)
                    worker.start()
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
        for outcome in timed_out[:1]:  # the time it ran, counted once (for setUpClass, on its first test)
            outcome.duration_ms = ran_ms
        self.outcomes.extend(timed_out)
        remaining = step.remaining()
        if remaining:
            self.pending.appendleft((step.app, replace(step.test_class, methods=remaining)))


class Worker(threading.Thread):
    """Takes classes from the pool and runs them until none is left or it is abandoned."""

    def __init__(self, pool: Pool) -> None:
        super().__init__(name="smoketest-worker", daemon=True)
        self.pool = pool
        self.runner = pool.runner
        self.current = Step("start", time.monotonic(), float("inf"))
        self.holds_class = False
        self.abandoned = False
        self.finished = False
        # Between begin() and end(): the supervisor may interrupt the step.
        self.interruptible = False
        self.statement_limit: float | None = None
        self.db_connections: list[BaseDatabaseWrapper] = []

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
        # This thread's own connection wrappers, so the supervisor can sever them.
        self.db_connections = [connections[alias] for alias in self.runner.aliases]
        try:
            while (taken := self.pool.take(self)) is not None:
                try:
                    self.runner.run_class(*taken, self)
                finally:
                    with self.pool.lock:
                        self.pool.release(self)
        except CAUGHT as exc:
            self.end(error_outcome("smoketest.worker", "smoketest", f"internal error: {describe(exc)}", exc))
        finally:
            for connection in connections.all(initialized_only=True):  # this thread's only
                with suppress(*CAUGHT):  # severed ones may refuse to close twice
                    connection.close()
            with _hung_lock:
                for name in [name for name, (worker, _) in _hung.items() if worker is self]:
                    del _hung[name]
            with self.pool.lock:
                self.finished = True
                self.pool.wakeup.notify()

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
