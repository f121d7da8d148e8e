"""The plain-text report, line for line the lines of django-smoketest 1.x."""

from smoketest.reports.disclosure import Disclosure
from smoketest.reports.result import RunResult, Status


def report_lines(result: RunResult, shown: Disclosure) -> list[str]:
    """The text report, line by line, compatible with django-smoketest 1.x."""
    counts = result.counts
    lines = [
        result.status,
        f"test classes: {result.test_classes}",
        f"tests run: {len(result.outcomes)}",
        f"tests passed: {counts[Status.PASS]}",
        f"tests failed: {counts[Status.FAIL]}",
        f"tests errored: {counts[Status.ERROR]}",
        f"tests skipped: {counts[Status.SKIP]}",
        f"time: {result.duration_ms:f}ms",
        *([f"release: {result.release}"] if result.release is not None else []),
    ]
    if not shown.names:
        return lines
    return lines + [outcome.summary_line for outcome in result.failures + result.errors]
