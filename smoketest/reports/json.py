"""The JSON report: the keys of django-smoketest 1.x, and one object per test."""

from typing import Any

from smoketest.reports.disclosure import Disclosure
from smoketest.reports.result import RunResult, Status


def json_document(result: RunResult, shown: Disclosure) -> dict[str, Any]:
    """The JSON report, keys in README order: the 1.x keys plus
    ``tests_skipped``, ``started_at``, ``cached``, ``age``, ``release`` and
    one object per test (names and messages only when ``shown.names``,
    tracebacks only when ``shown.tracebacks``)."""
    counts = result.counts
    document: dict[str, Any] = {
        "status": result.status,
        "test_classes": result.test_classes,
        "tests_run": len(result.outcomes),
        "tests_passed": counts[Status.PASS],
        "tests_failed": counts[Status.FAIL],
        "tests_errored": counts[Status.ERROR],
        "tests_skipped": counts[Status.SKIP],
    }
    if shown.names:
        document["failed_tests"] = [outcome.summary_line for outcome in result.failures]
        document["errored_tests"] = [outcome.summary_line for outcome in result.errors]
    document.update(
        time=round(result.duration_ms, 3),
        started_at=result.started_at.isoformat(),
        cached=result.cached,
        age=round(result.age_seconds, 3),
        release=result.release,
    )
    if not shown.names:
        return document
    document["tests"] = [
        {
            "name": outcome.name,
            "app": outcome.app,
            "status": outcome.status.value,
            "duration_ms": round(outcome.duration_ms, 3),
            "message": outcome.message,
            "tags": list(outcome.tags),
            **({"traceback": outcome.traceback} if shown.tracebacks else {}),
        }
        for outcome in result.outcomes
    ]
    return document
