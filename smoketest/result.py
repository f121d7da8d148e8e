"""The plain result of a run: what every renderer and the command read."""

import enum
from dataclasses import dataclass, field
from datetime import datetime


class Status(str, enum.Enum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    SKIP = "skip"


@dataclass
class TestOutcome:
    """One test (or one entry that stands for a broken module or fixture)."""

    name: str
    app: str
    status: Status
    duration_ms: float = 0.0
    message: str = ""
    traceback: str = ""
    tags: tuple[str, ...] = ()

    @property
    def summary_line(self) -> str:
        """``<name> failed: <message>`` on one line, as the original printed it."""
        verb = "failed" if self.status is Status.FAIL else "errored"
        return f"{self.name} {verb}: {' '.join(self.message.split())}"


@dataclass
class RunResult:
    """Everything a run found, in report order."""

    started_at: datetime
    duration_ms: float = 0.0
    test_classes: int = 0
    outcomes: list[TestOutcome] = field(default_factory=list)
    # Set when the result is served from the cache: how old it is, in seconds.
    cached: bool = False
    age_seconds: float = 0.0

    def _with_status(self, status: Status) -> list[TestOutcome]:
        return [outcome for outcome in self.outcomes if outcome.status is status]

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
