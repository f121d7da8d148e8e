"""Renderers: each turns a ``RunResult`` (or a DRF error ``{"detail": ...}``)
into one format. None of them computes anything the result does not hold."""

from typing import Any

from django.conf import settings
from rest_framework import renderers

from smoketest.conf import smoketest_settings
from smoketest.html_report import content_security_policy, html_page, stylesheet
from smoketest.junit import junit_document
from smoketest.metrics import exposition, run_metrics
from smoketest.result import RunResult


def tracebacks_visible() -> bool:
    """Whether reports may show tracebacks: the one place that decides."""
    return settings.DEBUG


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


def error_detail(data: Any) -> str:
    """The message of an error answer (``{"detail": ...}``) as one string."""
    return str(data.get("detail", data)) if isinstance(data, dict) else str(data)


class ReportRenderer(renderers.BaseRenderer):
    """A report format: ``render_result`` for a run, ``render_detail`` for
    an error answer (a 400 or 405), both as text."""

    charset: str | None = "utf-8"
    #: True when the body carries PASS/FAIL in a form its client reads, so
    #: that a FAIL still answers 200 (a scraper drops any non-2xx answer).
    fail_in_body = False

    def http_status(self, result: RunResult) -> int:
        """The status code of the answer that carries ``result``."""
        return 200 if result.passed or self.fail_in_body else smoketest_settings.FAIL_STATUS

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        text = self.render_result(data) if isinstance(data, RunResult) else self.render_detail(error_detail(data))
        return text.encode("utf-8")

    def render_result(self, result: RunResult) -> str:
        raise NotImplementedError

    def render_detail(self, detail: str) -> str:
        raise NotImplementedError


class PlainTextRenderer(ReportRenderer):
    """``text/plain``: the default, and the fallback for any Accept header."""

    media_type = "text/plain"
    format = "text"

    def render_result(self, result: RunResult) -> str:
        return "".join(f"{line}\n" for line in report_lines(result))

    def render_detail(self, detail: str) -> str:
        return f"{detail}\n"


class JSONRenderer(ReportRenderer):
    """``application/json`` and ``?format=json``."""

    media_type = "application/json"
    format = "json"
    charset = None  # JSON is UTF-8 by definition

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        document = json_document(data) if isinstance(data, RunResult) else data
        return renderers.JSONRenderer().render(document, accepted_media_type, renderer_context)


class HTMLRenderer(ReportRenderer):
    """``text/html`` (what browsers ask for) and ``?format=html``. Over HTTP
    the page brings its own Content-Security-Policy, which a site's CSP
    middleware leaves alone."""

    media_type = "text/html"
    format = "html"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        response = (renderer_context or {}).get("response")
        if response is not None:
            response["Content-Security-Policy"] = content_security_policy(stylesheet())
        return super().render(data, accepted_media_type, renderer_context)

    def render_result(self, result: RunResult) -> str:
        return html_page(result, tracebacks=tracebacks_visible())

    def render_detail(self, detail: str) -> str:
        return html_page(None, detail=detail)


class PrometheusRenderer(ReportRenderer):
    """Prometheus text exposition 0.0.4: ``Accept: text/plain; version=0.0.4``
    and ``?format=prometheus``. A FAIL answers 200: ``smoketest_up`` is 0."""

    media_type = "text/plain; version=0.0.4"
    format = "prometheus"
    fail_in_body = True
    openmetrics = False

    def render_result(self, result: RunResult) -> str:
        return exposition(run_metrics(result), openmetrics=self.openmetrics)

    def render_detail(self, detail: str) -> str:
        return f"# {' '.join(detail.split())}\n"  # a comment: no metric at all


class OpenMetricsRenderer(PrometheusRenderer):
    """OpenMetrics 1.0.0 (what Prometheus asks for first): ``Accept:
    application/openmetrics-text`` and ``?format=openmetrics``."""

    media_type = "application/openmetrics-text; version=1.0.0"
    format = "openmetrics"
    openmetrics = True

    def render_detail(self, detail: str) -> str:
        return exposition([], openmetrics=True)  # OpenMetrics has no comments


class JUnitRenderer(ReportRenderer):
    """JUnit XML: ``Accept: application/xml`` and ``?format=junit``."""

    media_type = "application/xml"
    format = "junit"

    def render_result(self, result: RunResult) -> str:
        return junit_document(result, tracebacks=tracebacks_visible())

    def render_detail(self, detail: str) -> str:
        return junit_document(None, tracebacks=False)


#: Every format, the fallback (plain text) first: the view's renderers and
#: the management command's ``--format`` choices.
REPORT_RENDERERS: list[type[ReportRenderer]] = [
    PlainTextRenderer,
    JSONRenderer,
    HTMLRenderer,
    PrometheusRenderer,
    OpenMetricsRenderer,
    JUnitRenderer,
]
RENDERERS_BY_FORMAT = {renderer.format: renderer for renderer in REPORT_RENDERERS}
