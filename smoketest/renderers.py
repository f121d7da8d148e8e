"""Renderers: each turns a ``RunResult`` (or a DRF error ``{"detail": ...}``)
into one format. None of them computes anything the result does not hold."""

from typing import Any

from rest_framework import renderers

from smoketest.result import RunResult


def report_lines(result: RunResult) -> list[str]:
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
    return lines + [outcome.summary_line for outcome in result.failures + result.errors]


def json_document(result: RunResult) -> dict[str, Any]:
    """The JSON report: the 1.x keys plus ``tests_skipped``, ``started_at``
    and one object per test."""
    return {
        "status": result.status,
        "test_classes": result.test_classes,
        "tests_run": len(result.outcomes),
        "tests_passed": len(result.successes),
        "tests_failed": len(result.failures),
        "tests_errored": len(result.errors),
        "tests_skipped": len(result.skipped),
        "failed_tests": [outcome.summary_line for outcome in result.failures],
        "errored_tests": [outcome.summary_line for outcome in result.errors],
        "time": round(result.duration_ms, 3),
        "started_at": result.started_at.isoformat(),
        "tests": [
            {
                "name": outcome.name,
                "app": outcome.app,
                "status": outcome.status.value,
                "duration_ms": round(outcome.duration_ms, 3),
                "message": outcome.message,
            }
            for outcome in result.outcomes
        ],
    }


class PlainTextRenderer(renderers.BaseRenderer):
    """``text/plain``: the default, and the fallback for any Accept header."""

    media_type = "text/plain"
    format = "text"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, RunResult):
            lines = report_lines(data)
        else:
            lines = [str(data.get("detail", data)) if isinstance(data, dict) else str(data)]
        return "".join(f"{line}\n" for line in lines).encode(self.charset)


class JSONRenderer(renderers.JSONRenderer):
    """``application/json`` and ``?format=json``."""

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, RunResult):
            data = json_document(data)
        return super().render(data, accepted_media_type, renderer_context)
