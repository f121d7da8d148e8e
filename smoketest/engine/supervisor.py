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
worker, in order, while other workers run other work. The workers share the
tests of a class without them: a worker takes the whole class, and a worker
with nothing else to do takes the second half of the tests that the worker
with the most left has not begun, so quick tests cost one hand-over per
class and slow ones spread over the workers hired beside them (a worker is
hired only beside tests that have run ``HIRE_AFTER``). Either way each test runs in its
own rolled-back transaction on its worker's connections. A class with
``parallel = False`` is one unit and runs alone. Outcomes are put back in
suite order when the run ends, so the report is the same whichever worker
finished first.

A smoke module's ``setUpModule`` runs once, on the worker that takes the
first unit of the module, before any of its units starts (the others wait for
it); its ``tearDownModule`` and module cleanups run once, on a worker, after
the last of its units has ended. Each is a step with the time limit
``SMOKETEST_TIMEOUT``, in a rolled-back transaction of its own.
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
from types import ModuleType
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
    SETUP_MODULE,
    TEARDOWN_MODULE,
    ModuleSetUp,
    SmokeRunner,
    describe,
    error_outcome,
    fixture_module,
    has_class_fixtures,
    module_limit,
    step_limit,
)
from smoketest.engine.isolation import end_run, limit_statements, sever
from smoketest.engine.loader import AppSuite, TestClass
from smoketest.reports.result import Status, TestOutcome

#: Seconds every worker's step has run before the pool grows beside them.
HIRE_AFTER = 0.02

Phase = Literal["start", "setup_module", "setup_class", "test", "after", "teardown_module"]

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
    module: str = ""  # of a module fixture's step

    @property
    def name(self) -> str:
        if self.phase == "setup_module":
            return f"{self.module}.{SETUP_MODULE}"
        if self.phase == "teardown_module":
            return f"{self.module}.{TEARDOWN_MODULE}"
        if self.test_class is None:
            return "smoketest.worker"
        if self.phase == "setup_class":
            return f"{self.test_class.name}.{SETUP_CLASS}"
        if self.phase == "after" or self.index is None:
            return f"{self.test_class.name}.tearDownClass"
        return self.test_class.test_name(self.test_class.methods[self.index])

    def names_affected(self) -> list[str]:
        """The tests this step decides: a test itself, all of a class for
        setUpClass, all of the unit it was to run for setUpModule (the
        module's others are errored as they are taken)."""
        if self.test_class is None:
            return [self.name]
        if self.phase in ("setup_class", "setup_module"):
            return [self.test_class.test_name(method) for method in self.test_class.methods]
        return [self.name]

    def remaining(self, stop: int) -> tuple[str, ...]:
        """The unit's methods still to run after this step, up to ``stop``."""
        if self.test_class is None or self.phase in ("setup_class", "setup_module", "teardown_module"):
            return ()
        return self.test_class.methods[(self.index or 0) + 1 : stop] if self.index is not None else ()


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
    if pool.hired > 1:  # one worker reports in suite order already
        outcomes[loaded:] = sorted(outcomes[loaded:], key=_suite_order(suite))
    classes = {test_class.name for app in suite for test_class in app.classes}
    return len({outcome.name.rpartition(".")[0] for outcome in outcomes[loaded:]} & classes)


def _spreads(test_class: TestClass, workers: int) -> bool:
    """True when several workers may share the tests of ``test_class``: it
    has no fixtures and may run beside others."""
    cls = test_class.cls
    return workers > 1 and len(test_class.methods) > 1 and cls.parallel and not _has_fixtures(cls)


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


class ModuleRun:
    """A smoke module with fixtures, in one run: ``state`` goes from "new"
    to "setting_up" (a worker runs setUpModule; the module's other units wait)
    to "up", or "failed"/"skipped" (its units are then reported without
    running), and from "up" to "down" once tearDownModule is queued after its
    last unit. Changed under the pool's lock."""

    def __init__(self, module: ModuleType, app: str) -> None:
        self.module = module
        self.name = module.__name__
        self.app = app
        self.units = 0  # pending or running
        self.state = "new"
        self.set_up = ModuleSetUp(Status.PASS)


@dataclass(slots=True)
class Taken:
    """What a worker took: a unit of a class (with its module's fixtures, if
    any; ``sets_up``: this worker runs setUpModule first), or a module's
    teardown (``test_class`` None)."""

    app: str
    test_class: TestClass | None
    module: ModuleRun | None = None
    sets_up: bool = False


class Pool:
    """The classes still to run, the workers running them, and the caller's
    supervision of both. One lock guards it all, the outcomes included."""

    def __init__(
        self, runner: SmokeRunner, suite: list[AppSuite], outcomes: list[TestOutcome], run_timeout: float, size: int
    ) -> None:
        self.runner = runner
        self.pending: deque[tuple[str, TestClass]] = deque()
        self.modules: dict[str, ModuleRun] = {}
        self.shared: set[type[SmokeTest]] = set()  # classes whose tests the workers share
        for app in suite:
            for test_class in app.classes:
                self.pending.append((app.label, test_class))
                if _spreads(test_class, size):
                    self.shared.add(test_class.cls)
                module = fixture_module(test_class.cls)
                if module is not None:
                    self.modules.setdefault(module.__name__, ModuleRun(module, app.label)).units += 1
        self.teardowns: deque[ModuleRun] = deque()  # modules whose tearDownModule is due
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
        self.hired = 0  # workers that served the run, replacements included

    # --- worker threads ------------------------------------------------------

    def take(self, worker: "Worker") -> Taken | None:
        """A module teardown that is due, else the first class in suite order
        that ``worker`` may start now, waiting until there is one: none starts
        while a ``parallel = False`` class runs, and such a class starts only
        when no other runs; none of a module whose setUpModule runs. None when
        there is nothing (more) to run. Teardowns run after failfast too."""
        with self.lock:
            while not worker.abandoned and (
                self.teardowns or (not self.runner.stopped and (self.pending or self._tails()))
            ):
                if self.teardowns and not self.running_alone:
                    module = self.teardowns.popleft()
                    self._hold(worker, alone=False)
                    return Taken(module.app, None, module)
                for position, (app, test_class) in enumerate(() if self.running_alone else self.pending):
                    alone = not test_class.cls.parallel
                    if alone and self.classes_running:
                        continue
                    run = self.modules.get(test_class.cls.__module__)
                    if run is not None and run.state == "setting_up":
                        continue
                    del self.pending[position]
                    self._hold(worker, alone, app, test_class, run)
                    sets_up = run is not None and run.state == "new"
                    if run is not None and sets_up:
                        run.state = "setting_up"
                    return Taken(app, test_class, run, sets_up)
                if not self.pending or self.runner.stopped:
                    stolen = self._steal(worker)
                    if stolen is not None:
                        return stolen
                self.turn.wait()
            return None

    def _hold(
        self,
        worker: "Worker",
        alone: bool,
        app: str = "",
        test_class: TestClass | None = None,
        run: ModuleRun | None = None,
    ) -> None:
        """``worker`` runs ``test_class`` (a unit of it): all its tests, or
        up to the ones another worker takes from it (``_steal``); or a
        module's teardown (no class)."""
        self.classes_running += 1
        self.running_alone = alone
        worker.holds_class = True
        worker.unit = None if test_class is None else (app, test_class, run)
        worker.next, worker.stop = 0, 0 if test_class is None else len(test_class.methods)
        worker.shares = test_class is not None and test_class.cls in self.shared
        if worker.shares and worker.stop > 1:
            self.turn.notify_all()  # workers waiting for work may take a share of it

    def _share_of(self, worker: "Worker") -> int:
        """How many of the tests ``worker`` has not begun another may take:
        half of them (the larger half while it runs one), none of a module
        still being set up. The caller holds the lock."""
        if not worker.shares or worker.unit is None:
            return 0
        run = worker.unit[2]
        if run is not None and run.state != "up":
            return 0
        left = worker.stop - worker.next
        return (left + 1) // 2 if worker.current.phase == "test" else left // 2

    def _tails(self) -> int:
        """The tests of shared classes that running workers have not begun."""
        return sum(worker.stop - worker.next for worker in self.workers if worker.shares)

    def _steal(self, worker: "Worker") -> Taken | None:
        """The last tests of the running unit that has the most left, for
        ``worker``: quick classes are taken whole, and when their tests turn
        out to wait, the workers hired beside them take their share. The
        caller holds the lock."""
        victim = max(self.workers, key=self._share_of, default=None)
        taken = 0 if victim is None or victim is worker else self._share_of(victim)
        if not taken:
            return None
        assert victim is not None and victim.unit is not None
        app, test_class, run = victim.unit
        victim.stop -= taken
        unit = TestClass(test_class.cls, test_class.methods[victim.stop : victim.stop + taken], test_class.module)
        if run is not None:
            run.units += 1
        self._hold(worker, False, app, unit, run)
        return Taken(app, unit, run)

    def unit_done(self, module: ModuleRun | None) -> None:
        """A unit of ``module`` ended or will not run: after its last, the
        module's teardown is due. The caller holds the lock."""
        if module is None:
            return
        module.units -= 1
        if module.units == 0 and module.state == "up":
            module.state = "down"
            self.teardowns.append(module)
            self.turn.notify_all()

    def set_up_done(self, module: ModuleRun, set_up: ModuleSetUp) -> None:
        """setUpModule returned (unless it timed out meanwhile). The caller holds the lock."""
        if module.state == "setting_up":
            module.state = {Status.PASS: "up", Status.SKIP: "skipped"}.get(set_up.status, "failed")
            module.set_up = set_up
        self.turn.notify_all()

    def _drop_pending(self, outcome: Callable[[str, str], TestOutcome] | None) -> None:
        """Run nothing more that is pending; with ``outcome``, report each of
        its tests and each teardown due with it. The caller holds the lock."""
        for app, test_class in self.pending:
            if outcome is not None:
                self.outcomes.extend(outcome(app, test_class.test_name(method)) for method in test_class.methods)
            self.unit_done(self.modules.get(test_class.cls.__module__))
        self.pending.clear()
        if outcome is not None:
            self.outcomes.extend(outcome(module.app, f"{module.name}.{TEARDOWN_MODULE}") for module in self.teardowns)
            self.teardowns.clear()

    def release(self, worker: "Worker") -> None:
        """``worker`` is done with its class, or abandoned: let the next start.
        The caller holds the lock."""
        if worker.holds_class:
            worker.holds_class = False
            worker.shares = False
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
                if self.runner.stopped and self.pending:
                    self._drop_pending(None)  # module teardowns still run
                if now >= self.budget_end:
                    self._drop_pending(lambda app, name: _not_run(app, name, self.run_timeout))
                    self.turn.notify_all()  # workers waiting for a class: there is none
                # A first worker at once; more only beside steps that have run
                # HIRE_AFTER already (tests that wait): quick tests run on one
                # thread, without handing the interpreter to and fro.
                slow = bool(self.workers) and all(worker.current.started <= now - HIRE_AFTER for worker in self.workers)
                while len(self.workers) < (self.size if slow else 1) and self._takes_to_come() > self._idle_workers():
                    self.workers.append(Worker.hire(self))
                    self.hired += 1
                if not self.workers:
                    return
                # Also within the shortest limit begun so far: a step begun later
                # with a limit as long or longer ends after that, and need not
                # wake the supervisor (waking it costs the workers a thread switch).
                self.waking_at = min(min(worker.deadline for worker in self.workers), now + self.shortest_limit)
                if len(self.workers) < self.size and self._takes_to_come():  # to see whether the steps turn out slow
                    latest = max(worker.current.started for worker in self.workers)
                    self.waking_at = min(self.waking_at, max(latest + HIRE_AFTER, now + HIRE_AFTER / 4))
                if now < self.budget_end:
                    self.waking_at = min(self.waking_at, self.budget_end)
                self.wakeup.wait(None if self.waking_at == float("inf") else self.waking_at - now)

    def _takes_to_come(self) -> int:
        """At most how many more takes there are: each pending class, each
        test of a shared class a running worker has not begun, each module
        teardown due."""
        return len(self.pending) + self._tails() + len(self.teardowns)

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
        # Between classes, a worker runs no test: it is never abandoned.
        assert step.test_class is not None or step.phase == "teardown_module"
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
        elif step.phase == "teardown_module":
            timed_out = [error_outcome(step.name, step.app, f"{message} in tearDownModule or module cleanups")]
        else:
            prefix = {"setup_class": f"{SETUP_CLASS} ", "setup_module": f"{SETUP_MODULE} "}.get(step.phase, "")
            timed_out = [error_outcome(name, step.app, prefix + message) for name in step.names_affected()]
            module = self.modules.get(step.module)
            if step.phase == "setup_module" and module is not None:
                self.set_up_done(module, ModuleSetUp(Status.ERROR, prefix + message))
        if timed_out:  # the time it ran, counted once (for setUpClass, on its first test)
            timed_out[0] = replace(timed_out[0], duration_ms=ran_ms)
        self.outcomes.extend(timed_out)
        remaining = step.remaining(worker.stop)
        if remaining:
            assert step.test_class is not None
            self.pending.appendleft((step.app, replace(step.test_class, methods=remaining)))
        elif step.test_class is not None:  # the worker's unit is over
            self.unit_done(self.modules.get(step.test_class.cls.__module__))


class Worker(threading.Thread):
    """Takes units from a run's pool until none is left or it is abandoned,
    then waits for the next run's (``hire``), or ends."""

    def __init__(self) -> None:
        super().__init__(name=BUSY_NAME, daemon=True)
        self.inbox: queue.SimpleQueue[Pool | None] = queue.SimpleQueue()
        self.db_connections: list[BaseDatabaseWrapper] = []
        # Per alias: the driver connection whose statements this worker bounded, and to what.
        self.statement_limits: dict[str, tuple[object, float]] = {}

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
        # The unit it holds (app, class, module run) and the tests of it it
        # has not begun: ``next`` up to ``stop`` (lowered when another takes some).
        self.unit: tuple[str, TestClass, ModuleRun | None] | None = None
        self.next = self.stop = 0
        self.shares = False  # its unit's class is shared: others may take from it
        self.abandoned = False
        # Between begin() and end(): the supervisor may interrupt the step.
        self.interruptible = False
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
        for connection in self.db_connections:
            if connection.vendor != "postgresql":
                self.statement_limits.pop(connection.alias, None)
            # What the run's first cursor would do (CONN_HEALTH_CHECKS): a
            # dead connection is closed, and the next one bounded again.
            with suppress(*CAUGHT):
                connection.close_if_health_check_failed()
        try:
            while (taken := pool.take(self)) is not None:
                try:
                    self._run(taken)
                finally:
                    with pool.lock:
                        if not self.abandoned and taken.test_class is not None:
                            pool.unit_done(taken.module)
                        pool.release(self)
        except CAUGHT as exc:
            self.end(error_outcome("smoketest.worker", "smoketest", f"internal error: {describe(exc)}", exc))
        finally:
            if not self.abandoned:
                for connection in self.db_connections:
                    with suppress(*CAUGHT):
                        end_run(connection)
                _close_obsolete()
            with pool.lock:
                if self in pool.workers:
                    pool.workers.remove(self)
                pool.wakeup.notify()
        return not self.abandoned and self._wait_for_next(pool.size)

    def _run(self, taken: Taken) -> None:
        """Run a unit (setting up its module first, or reporting its tests as
        its module's setUpModule decided), or a module's teardown."""
        module, test_class = taken.module, taken.test_class
        if test_class is None:
            assert module is not None
            if self._begin_module(module, "teardown_module", module.app):
                errors = self.runner.tear_down_module(module.module, module.app, module.set_up.cleanups)
                self._end_module(errors)
            return
        if module is not None:
            if taken.sets_up:
                self._set_up_module(module, taken.app, test_class)
            if module.state != "up":
                self._report(module.set_up.not_run(taken.app, test_class))
                return
        self.runner.run_class(taken.app, test_class, self)

    def _set_up_module(self, module: ModuleRun, app: str, test_class: TestClass) -> None:
        if not self._begin_module(module, "setup_module", app, test_class):
            return
        set_up, errors = self.runner.set_up_module(module.module, app)
        if self._end_module(errors):
            with self.pool.lock:
                self.pool.set_up_done(module, set_up)

    def _begin_module(self, module: ModuleRun, phase: Phase, app: str, test_class: TestClass | None = None) -> bool:
        """``begin`` for a module fixture's step: run it unless the run budget
        is spent, it still hangs in an abandoned worker, or we are abandoned.
        A setUpModule not run fails its module."""
        step = Step(phase, time.monotonic(), module_limit(), app, test_class, module=module.name)
        hung = None
        if _hung:
            with _hung_lock:
                hung = _hung.get(step.name)
        pool = self.pool
        with pool.lock:
            if self.abandoned:
                return False
            message = self._refusal(step, hung)
            if message is not None:
                if phase == "setup_module":
                    message = f"{SETUP_MODULE}: {message}"
                    pool.set_up_done(module, ModuleSetUp(Status.ERROR, message))
                pool.outcomes.extend(error_outcome(name, app, message) for name in step.names_affected())
                return False
            self._start(step)
        self._limit_statements(step.limit)
        return True

    def _end_module(self, errors: list[TestOutcome]) -> bool:
        """A module fixture's step returned: keep its errors unless we were
        abandoned meanwhile (False then); no limit until the next step."""
        with self.pool.lock:
            if self.abandoned:
                raise_in(threading.get_ident(), None)  # an interruption that came too late
                return False
            self.interruptible = False
            self.pool.outcomes.extend(errors)
            self.current = Step("start", time.monotonic(), float("inf"))
            return True

    def _report(self, outcomes: list[TestOutcome]) -> None:
        with self.pool.lock:
            if not self.abandoned:
                self.pool.outcomes.extend(outcomes)

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
            if self.abandoned or (index is not None and index >= self.stop):  # another worker took it
                return False
            message = self._refusal(step, hung)
            if message is not None:
                pool.outcomes.extend(error_outcome(name, app, message) for name in step.names_affected())
                return False
            self._start(step)
            if index is not None:
                self.next = index + 1
        self._limit_statements(step.limit)
        return True

    def _refusal(self, step: Step, hung: tuple["Worker", float] | None) -> str | None:
        """Why ``step`` may not start: the run budget is spent, or the same
        step still hangs in an abandoned worker. The caller holds the lock."""
        if step.started >= self.pool.budget_end:
            return _not_run(step.app, step.name, self.pool.run_timeout).message
        if hung is not None:
            ago = step.started - hung[1]
            return f"still running: it timed out {ago:.0f} s ago and has not returned; not started again"
        return None

    def _start(self, step: Step) -> None:
        """``step`` is this worker's, and interruptible. The caller holds the lock."""
        pool = self.pool
        self.current = step
        self.interruptible = True
        pool.shortest_limit = min(pool.shortest_limit, step.limit)
        if step.started + step.limit < pool.waking_at:
            pool.wakeup.notify()  # a shorter limit than the supervisor is waiting out

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
        """Bound the statements of this worker's connections to ``seconds``,
        unless the same session is bounded so already: a new connection (a
        reconnect, ``CONN_MAX_AGE``) has no limit and gets it, and a limit
        set inside a class's transaction is undone with it. A PostgreSQL
        session keeps it across runs (whatever a test sets, its rollback
        undoes); MariaDB/MySQL keep a test's SET, so there it is sent again
        in each run (``_serve``)."""
        limits = self.statement_limits
        for connection in self.db_connections:
            kept = limits.get(connection.alias)
            if kept is not None and kept[0] is connection.connection and kept[1] == seconds:
                continue
            # A database that is down is reported by the test's own transaction.
            with suppress(*CAUGHT):
                limits.pop(connection.alias, None)
                limit_statements(connection, seconds)
                # Set inside a class's transaction, it ends with it: sent again next time.
                if connection.connection is not None and not connection.in_atomic_block:
                    limits[connection.alias] = (connection.connection, seconds)


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
