"""Renderers: each turns a ``RunResult`` (or a DRF error ``{"detail": ...}``)
into one format. None of them computes anything the result does not hold."""

from typing import Any

from rest_framework import renderers

from smoketest.access import Disclosure
from smoketest.result import RunResult


def disclosure(renderer_context: Any) -> Disclosure:
    """What the view decided this caller may see (everything but tracebacks
    when rendering outside a request)."""
    return (renderer_context or {}).get("disclosure") or Disclosure()


def report_lines(result: RunResult, shown: Disclosure) -> list[str]:
    """The text report, line by line, compatible with django-smoketest 1.x."""
    lines = [
        result.status,
        f"test classes: {result.test_classes}",
        f"tests run: {len(result.outcomes)}",
        f"tests passed: {len(result.successes)}",
        f"tests failed: {len(result.failures)}",
        f"tests errored: {len(result.errors)}",
        f"tests skipped: {len(result.skipped)}",
        f"time: {result.duration_ms:f}ms",
    ]
    if not shown.names:
        return lines
    return lines + [outcome.summary_line for outcome in result.failures + result.errors]


def json_document(result: RunResult, shown: Disclosure) -> dict[str, Any]:
    """The JSON report: the 1.x keys plus ``tests_skipped``, ``started_at``,
    ``cached``, ``age`` and one object per test (names and messages only when
    ``shown.names``, tracebacks only when ``shown.tracebacks``)."""
    document: dict[str, Any] = {
        "status": result.status,
        "test_classes": result.test_classes,
        "tests_run": len(result.outcomes),
        "tests_passed": len(result.successes),
        "tests_failed": len(result.failures),
        "tests_errored": len(result.errors),
        "tests_skipped": len(result.skipped),
        "time": round(result.duration_ms, 3),
        "started_at": result.started_at.isoformat(),
        "cached": result.cached,
        "age": round(result.age_seconds, 3),
    }
    if not shown.names:
        return document
    document["failed_tests"] = [outcome.summary_line for outcome in result.failures]
    document["errored_tests"] = [outcome.summary_line for outcome in result.errors]
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


class PlainTextRenderer(renderers.BaseRenderer):
    """``text/plain``: the default, and the fallback for any Accept header."""

    media_type = "text/plain"
    format = "text"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, RunResult):
            lines = report_lines(data, disclosure(renderer_context))
        else:
            lines = [str(data.get("detail", data)) if isinstance(data, dict) else str(data)]
        return "".join(f"{line}\n" for line in lines).encode(self.charset)


class JSONRenderer(renderers.JSONRenderer):
    """``application/json`` and ``?format=json``."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, RunResult):
            data = json_document(data, disclosure(renderer_context))
        return super().render(data, accepted_media_type, renderer_context)
