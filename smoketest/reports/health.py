"""The report as a health check response (``application/health+json``)."""

from typing import Any

from smoketest.reports.disclosure import Disclosure
from smoketest.reports.result import RunResult, Status

#: Test status -> the draft's ``status``: a skipped test is a "warn" (it
#: checked nothing), which leaves the run's own status "pass".
HEALTH_STATUS = {Status.PASS: "pass", Status.FAIL: "fail", Status.ERROR: "fail", Status.SKIP: "warn"}


def health_document(result: RunResult, shown: Disclosure) -> dict[str, Any]:
    """The run as a health check response: ``checks`` keyed by
    ``<app>.<Class>:responseTime`` (only when ``shown.names``), one entry per
    test with its status, duration (``observedValue``, ms) and message
    (``output``, not for a pass)."""
    document: dict[str, Any] = {"status": result.status.lower()}
    if result.release is not None:
        document["releaseId"] = result.release
    document["description"] = "django-smoketest run"
    if not result.passed:
        counts = result.counts
        document["output"] = f"{counts[Status.FAIL]} failed, {counts[Status.ERROR]} errored of {len(result.outcomes)}"
    if not shown.names:
        return document
    checks: dict[str, list[dict[str, Any]]] = {}
    time = result.started_at.isoformat()
    for outcome in result.outcomes:
        check = {
            "componentId": outcome.name,
            "componentType": "component",
            "status": HEALTH_STATUS[outcome.status],
            "time": time,
            "observedValue": round(outcome.duration_ms, 3),
            "observedUnit": "ms",
        }
        if outcome.status is not Status.PASS and outcome.message:
            check["output"] = outcome.message
        component = f"{outcome.app}.{outcome.class_path.rpartition('.')[2]}".replace(":", ".")
        checks.setdefault(f"{component}:responseTime", []).append(check)
    document["checks"] = checks
    return document
