"""Orchestration: the one entry point of the view and the command, which
runs a selected suite under the supervisor into a ``RunResult``."""

import logging
import time
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime, timezone

from smoketest.core.settings import smoketest_settings
from smoketest.core.signals import run_finished
from smoketest.core.tags import sorted_tags
from smoketest.engine.execution import CAUGHT, OutcomeCallback, SmokeRunner, describe, error_outcome
from smoketest.engine.loader import AppSuite
from smoketest.engine.selection import Selection, SelectionError, selected_suite
from smoketest.engine.supervisor import run_supervised
from smoketest.reports.result import RunResult, Status, TestOutcome

logger = logging.getLogger("smoketest")


def run_smoke_tests(
    selection: Selection | None = None,
    *,
    failfast: bool = False,
    on_outcome: OutcomeCallback | None = None,
    run_timeout: float | None = None,
) -> RunResult:
    """Discover and run the configured suite, narrowed by ``selection``; the
    one entry point of the view and the command. ``failfast`` stops the run
    at the first failed or errored test; ``on_outcome`` is called with each
    outcome as it arrives; ``run_timeout`` is the run's budget in seconds
    (default ``SMOKETEST_RUN_TIMEOUT``). Raises ``SelectionError`` for a selection that
    names nothing, before running anything; otherwise never raises: an
    internal failure becomes a FAIL result."""
    started_at = datetime.now(timezone.utc)
    clock = time.perf_counter()
    result = RunResult(started_at=started_at, release=smoketest_settings.RELEASE)
    suite: list[AppSuite] = []
    runner = None
    outcomes: list[TestOutcome] = []
    try:
        suite = selected_suite(selection)
        runner = SmokeRunner(smoketest_settings.database_aliases, failfast=failfast, on_outcome=on_outcome)
        outcomes = ReportedOutcomes(runner.report)
        budget = float(smoketest_settings.RUN_TIMEOUT) if run_timeout is None else run_timeout
        result.test_classes = run_supervised(
            runner, suite, outcomes, run_timeout=budget, workers=smoketest_settings.workers
        )
    except SelectionError:
        raise
    except SystemExit:
        # Tests run on workers: here it is the server ending this process
        # (gunicorn's worker timeout), which leaves nothing true to report.
        seconds = time.perf_counter() - clock
        logger.warning("smoketest: the server ended the run after %.1f s, before its budget was spent", seconds)
        raise
    except KeyboardInterrupt:  # a real Ctrl-C: report what ran, then stop the caller
        if runner is not None:
            runner.stopped = True
        outcomes = list(outcomes)
        result.test_classes = len({outcome.name.rpartition(".")[0] for outcome in outcomes})
        outcomes.append(error_outcome("smoketest", "smoketest", "interrupted: the run was stopped here"))
        _finish(result, outcomes, suite, clock)
        raise RunInterrupted(result) from None
    except CAUGHT as exc:
        outcomes.append(error_outcome("smoketest", "smoketest", f"internal error: {describe(exc)}", exc))
    _finish(result, outcomes, suite, clock)
    return result


class RunInterrupted(KeyboardInterrupt):
    """A real interrupt (Ctrl-C) of a run; ``result`` holds what ran until then."""

    def __init__(self, result: RunResult) -> None:
        super().__init__("interrupted")
        self.result = result


def _finish(result: RunResult, outcomes: list[TestOutcome], suite: list[AppSuite], clock: float) -> None:
    """The run has ended: its outcomes, one per test and tagged, become the
    result's (a tuple of frozen outcomes: nothing changes them any more)."""
    result.outcomes = _tagged(_one_per_test(outcomes), suite)
    result.duration_ms = (time.perf_counter() - clock) * 1000
    _announce(result)


def not_started(reason: str) -> RunResult:
    """A FAIL result for a run that could not start, logged as any run."""
    result = RunResult(started_at=datetime.now(timezone.utc), release=smoketest_settings.RELEASE)
    result.outcomes = (error_outcome("smoketest", "smoketest", f"not run: {reason}"),)
    _announce(result)
    return result


def _announce(result: RunResult) -> None:
    """Log the run (one summary line, each problem at ERROR with its
    traceback, for Sentry and log alerts) and send ``run_finished``."""
    counts = result.counts
    logger.log(
        logging.INFO if result.passed else logging.WARNING,
        "smoketest %s: %d run, %d passed, %d failed, %d errored, %d skipped in %.0f ms",
        result.status,
        len(result.outcomes),
        counts[Status.PASS],
        counts[Status.FAIL],
        counts[Status.ERROR],
        counts[Status.SKIP],
        result.duration_ms,
    )
    for outcome in result.failures + result.errors:
        logger.error("%s\n%s", outcome.summary_line, outcome.traceback.rstrip())
    for receiver, response in run_finished.send_robust(sender=SmokeRunner, result=result):
        if isinstance(response, Exception):
            logger.error("smoketest: run_finished receiver %r failed", receiver, exc_info=response)


def _one_per_test(outcomes: list[TestOutcome]) -> list[TestOutcome]:
    """The outcomes with a test's later ones (its class's transaction failed
    after it reported) folded into its first, in its place: a name listed
    twice would be a duplicate Prometheus series and a test counted twice."""
    first: dict[str, int] = {}
    merged: list[TestOutcome] = []
    for outcome in outcomes:
        place = first.setdefault(outcome.name, len(merged))
        if place == len(merged):
            merged.append(outcome)
        else:
            merged[place] = merged[place].followed_by(outcome)
    return merged


def _tagged(outcomes: list[TestOutcome], suite: list[AppSuite]) -> tuple[TestOutcome, ...]:
    """The outcomes, each with its test's tags (a class-level entry, its class's)."""
    classes = {test_class.name: test_class.cls for app in suite for test_class in app.classes if test_class.tagged}
    if not classes:
        return tuple(outcomes)
    tagged = []
    for outcome in outcomes:
        name, _, method = outcome.name.rpartition(".")
        if name in classes:
            outcome = replace(outcome, tags=sorted_tags(classes[name], method))
        tagged.append(outcome)
    return tuple(tagged)


class ReportedOutcomes(list[TestOutcome]):
    """``RunResult.outcomes`` while a run is under way: hands each outcome to
    ``report`` as it is added, wherever it comes from (a test, an import
    error, a time limit), so that progress and failfast see them all."""

    def __init__(self, report: OutcomeCallback) -> None:
        super().__init__()
        self.report = report

    def append(self, outcome: TestOutcome) -> None:
        super().append(outcome)
        self.report(outcome)

    def extend(self, outcomes: Iterable[TestOutcome]) -> None:
        for outcome in outcomes:
            self.append(outcome)
