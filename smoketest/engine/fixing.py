"""``manage.py smoketest --fix``: the one place where django-smoketest
changes data, and only when an operator asks.

A failed test whose class defines ``fix()`` (and ``fix_plan()``, see
``smoketest.checks.base.BuiltinCheck``) has its fix planned, applied outside
any rolled-back transaction, in the caller's thread, and the test run again
through ``run_smoke_tests``, as any other run.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

from smoketest.core.case import NoFix
from smoketest.core.masking import mask
from smoketest.engine.execution import CAUGHT, describe
from smoketest.engine.loader import AppSuite, TestClass
from smoketest.engine.runner import run_smoke_tests
from smoketest.engine.selection import Selection
from smoketest.reports.result import RunResult, Status, TestOutcome

Say = Callable[[str], None]


@dataclass(frozen=True)
class FailedClass:
    """A test class with a fix, and the outcomes of its tests that failed."""

    test_class: TestClass
    failed: tuple[TestOutcome, ...]

    @property
    def name(self) -> str:
        return self.test_class.name


def fixable_failures(result: RunResult, suite: Iterable[AppSuite]) -> list[FailedClass]:
    """The failed and errored tests of ``result`` whose class has a ``fix``, by class, in report order."""
    classes = {test_class.name: test_class for app in suite for test_class in app.classes}
    failed: dict[str, list[TestOutcome]] = {}
    for outcome in result.outcomes:
        test_class = classes.get(outcome.class_path)
        if (
            outcome.status in (Status.FAIL, Status.ERROR)
            and test_class is not None
            and outcome.short_name in test_class.methods
            and callable(getattr(test_class.cls, "fix", None))
        ):
            failed.setdefault(test_class.name, []).append(outcome)
    return [FailedClass(classes[name], tuple(outcomes)) for name, outcomes in failed.items()]


def fix_failures(result: RunResult, suite: Iterable[AppSuite], *, dry_run: bool, say: Say) -> RunResult:
    """Plan (``dry_run``) or apply the fix of every failed test that has one,
    telling ``say`` what happens; return ``result`` with the fixed tests'
    outcomes replaced by those of a new run of them."""
    say = _masking(say)
    failures = fixable_failures(result, suite)
    if not failures:
        say("--fix: no failed test has a fix")
        return result
    fixed: list[TestOutcome] = []
    for failure in failures:
        if _fix(failure, dry_run, say):
            fixed += failure.failed
    if not fixed:
        return result
    rerun = run_smoke_tests(Selection(labels=tuple(outcome.name for outcome in fixed)))
    after = {outcome.name: outcome for outcome in rerun.outcomes}
    for before in fixed:
        now = after.get(before.name, before)
        say(f"{before.name}: {before.status.name} before the fix, {now.status.name} after")
    return replace(result, outcomes=[after.get(outcome.name, outcome) for outcome in result.outcomes])


def _masking(say: Say) -> Say:
    """``say``, masking what it is told: a fix's words may quote an exception."""
    return lambda text: say(mask(text))


def _fix(failure: FailedClass, dry_run: bool, say: Say) -> bool:
    """Say the plan; unless ``dry_run``, apply it. True when a fix was applied."""
    check = failure.test_class.cls(failure.failed[0].short_name)
    try:
        plan = check.fix_plan() if hasattr(check, "fix_plan") else "run its fix()"
    except NoFix as reason:
        say(f"{failure.name}: no fix: {reason}")
        return False
    except CAUGHT as exc:
        say(f"{failure.name}: could not plan its fix: {describe(exc)}")
        return False
    if dry_run:
        say(f"{failure.name}: would {plan} (dry run: nothing changed)")
        return False
    say(f"{failure.name}: will {plan}")
    try:
        done = check.fix()  # type: ignore[attr-defined]
    except CAUGHT as exc:
        say(f"{failure.name}: the fix failed: {describe(exc)}")
        return False
    say(f"{failure.name}: fixed: {done}")
    return True
