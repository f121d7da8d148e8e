"""The plain result of a run: what every renderer and the command read."""

import enum
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from smoketest.core.masking import mask


class Status(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIP = "skip"

    @property
    def severity(self) -> int:
        """How bad it is: error beats failure beats skip beats pass."""
        return _SEVERITY_ORDER.index(self)


_SEVERITY_ORDER = (Status.PASS, Status.SKIP, Status.FAIL, Status.ERROR)


@dataclass(frozen=True, slots=True)  # a thousand per run: no __dict__ each
class TestOutcome:
    """One test (or one entry that stands for a broken module or fixture).
    Immutable: code that needs another value makes a new one with
    ``dataclasses.replace``."""

    name: str
    app: str
    status: Status
    duration_ms: float = 0.0
    message: str = ""
    traceback: str = ""
    tags: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # No secret in any report, whatever raised the message.
        if self.message:
            object.__setattr__(self, "message", mask(self.message))
        if self.traceback:
            object.__setattr__(self, "traceback", mask(self.traceback))

    def followed_by(self, later: "TestOutcome") -> "TestOutcome":
        """This outcome with a later one of the same test folded in (its
        class's transaction failed after it reported): the worse status,
        both messages and tracebacks, this one's duration."""
        status = later.status if later.status.severity > self.status.severity else self.status
        message = "\n".join(part for part in (self.message, later.message) if part)
        tb = "\n".join(part for part in (self.traceback, later.traceback) if part)
        return TestOutcome(self.name, self.app, status, self.duration_ms, message, tb, self.tags)

    @property
    def summary_line(self) -> str:
        """``<name> failed: <message>`` on one line, as the original printed it."""
        verb = "failed" if self.status is Status.FAIL else "errored"
        return f"{self.name} {verb}: {' '.join(self.message.split())}"

    @property
    def short_name(self) -> str:
        """The last dotted part of the name: the test method (JUnit's ``name``)."""
        return self.name.rpartition(".")[2]

    @property
    def class_path(self) -> str:
        """The name without its last part: ``module.Class`` (JUnit's ``classname``)."""
        return self.name.rpartition(".")[0] or self.app


@dataclass
class OutcomeGroup:
    """Outcomes counted by status: a whole run, or one app of it. The
    outcomes are a tuple (a list given is made one): a finished result
    cannot change."""

    outcomes: Sequence[TestOutcome] = ()

    def __post_init__(self) -> None:
        if not isinstance(self.outcomes, tuple):
            self.outcomes = tuple(self.outcomes)

    def _by_status(self) -> dict[Status, list[TestOutcome]]:
        # Sorted once for every status (a cached result is rendered on every
        # poll) and kept with the tuple it was sorted from: a tuple of frozen
        # outcomes cannot change, and outcomes assigned anew are another object.
        outcomes = self.outcomes
        memo = self.__dict__.get("_by_status_memo")
        if memo is not None and memo[0] is outcomes:
            return memo[1]
        by_status: dict[Status, list[TestOutcome]] = {status: [] for status in Status}
        for outcome in outcomes:
            by_status[outcome.status].append(outcome)
        if isinstance(outcomes, tuple):
            self.__dict__["_by_status_memo"] = (outcomes, by_status)
        return by_status

    def _with_status(self, status: Status) -> list[TestOutcome]:
        return list(self._by_status()[status])

    @property
    def passed(self) -> bool:
        return not (self.failures or self.errors)

    @property
    def status(self) -> str:
        return "PASS" if self.passed else "FAIL"

    @property
    def successes(self) -> list[TestOutcome]:
        return self._with_status(Status.PASS)

    @property
    def failures(self) -> list[TestOutcome]:
        return self._with_status(Status.FAIL)

    @property
    def errors(self) -> list[TestOutcome]:
        return self._with_status(Status.ERROR)

    @property
    def skipped(self) -> list[TestOutcome]:
        return self._with_status(Status.SKIP)

    @property
    def counts(self) -> dict[Status, int]:
        """How many outcomes have each status, every status present."""
        return {status: len(outcomes) for status, outcomes in self._by_status().items()}

    @property
    def worst_first(self) -> list[TestOutcome]:
        """The outcomes, errors and failures first, otherwise in report order."""
        return sorted(self.outcomes, key=lambda outcome: -outcome.status.severity)

    @property
    def severity(self) -> int:
        """The severity of the worst outcome (0 when there is none)."""
        return max((outcome.status.severity for outcome in self.outcomes), default=0)


@dataclass
class AppResult(OutcomeGroup):
    """The outcomes of one app."""

    label: str = ""

    @property
    def duration_ms(self) -> float:
        return sum(outcome.duration_ms for outcome in self.outcomes)


@dataclass
class RunResult(OutcomeGroup):
    """Everything a run found, in report order."""

    started_at: datetime = field(kw_only=True)
    duration_ms: float = 0.0
    test_classes: int = 0
    # SMOKETEST_RELEASE of the process that ran it.
    release: str | None = None
    # Set when the result is served from the cache: how old it is, in seconds.
    cached: bool = False
    age_seconds: float = 0.0

    @property
    def apps(self) -> list[AppResult]:
        """The outcomes grouped by app, apps in report order."""
        by_label: dict[str, list[TestOutcome]] = {}
        for outcome in self.outcomes:
            by_label.setdefault(outcome.app, []).append(outcome)
        return [AppResult(outcomes, label=label) for label, outcomes in by_label.items()]

    @property
    def apps_worst_first(self) -> list[AppResult]:
        """The apps, those with errors or failures first, otherwise in report order."""
        return sorted(self.apps, key=lambda app: -app.severity)

    @property
    def longest_test_ms(self) -> float:
        return max((outcome.duration_ms for outcome in self.outcomes), default=0.0)
