"""Renderers: each turns a ``RunResult`` (or a DRF error ``{"detail": ...}``)
into one format. None of them computes anything the result does not hold."""

from typing import Any

from rest_framework import renderers

from smoketest.core.settings import smoketest_settings
from smoketest.reports.disclosure import Disclosure
from smoketest.reports.health import health_document
from smoketest.reports.html import content_security_policy, html_page, stylesheet
from smoketest.reports.json import json_document
from smoketest.reports.junit import junit_document, junit_error_document
from smoketest.reports.metrics import exposition, run_metrics
from smoketest.reports.result import RunResult
from smoketest.reports.text import report_lines


def disclosure(renderer_context: Any) -> Disclosure:
    """What the view decided this caller may see (everything but tracebacks
    when rendering outside a request)."""
    return (renderer_context or {}).get("disclosure") or Disclosure()


def error_detail(data: Any) -> str:
    """The message of an error answer (``{"detail": ...}``) as one string."""
    return str(data.get("detail", data)) if isinstance(data, dict) else str(data)


class ReportRenderer(renderers.BaseRenderer):
    """A report format: ``render_result`` for a run (showing what the
    disclosure allows), ``render_detail`` for an error answer (400, 401,
    403, 405, 429), both as text."""

    charset: str | None = "utf-8"
    #: True when the body carries PASS/FAIL in a form its client reads, so
    #: that a FAIL still answers 200 (a scraper drops any non-2xx answer).
    fail_in_body = False

    def http_status(self, result: RunResult) -> int:
        """The status code of the answer that carries ``result``."""
        return 200 if result.passed or self.fail_in_body else smoketest_settings.FAIL_STATUS

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, RunResult):
            text = self.render_result(data, disclosure(renderer_context))
        else:
            response = (renderer_context or {}).get("response")
            text = self.render_detail(error_detail(data), getattr(response, "status_code", None))
        return text.encode("utf-8")

    def render_result(self, result: RunResult, shown: Disclosure) -> str:
        raise NotImplementedError

    def render_detail(self, detail: str, status: int | None) -> str:
        """An error answer (``status`` is its HTTP status, when known)."""
        raise NotImplementedError


class PlainTextRenderer(ReportRenderer):
    """``text/plain``: the default, and the fallback for any Accept header."""

    media_type = "text/plain"
    format = "text"

    def render_result(self, result: RunResult, shown: Disclosure) -> str:
        return "".join(f"{line}\n" for line in report_lines(result, shown))

    def render_detail(self, detail: str, status: int | None) -> str:
        return f"{detail}\n"


class _SpacedJSON(renderers.JSONRenderer):
    """DRF's JSON with the separators 1.x wrote (``", "`` and ``": "``), which
    keyword monitors set up against 1.x look for: ``"status": "PASS"``."""

    compact = False


class JSONRenderer(ReportRenderer):
    """``application/json`` and ``?format=json``."""

    media_type = "application/json"
    format = "json"
    charset = None  # JSON is UTF-8 by definition

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, RunResult):
            data = json_document(data, disclosure(renderer_context))
        return _SpacedJSON().render(data, accepted_media_type, renderer_context)


class HealthRenderer(ReportRenderer):
    """``application/health+json`` (the IETF draft "Health Check Response
    Format for HTTP APIs", draft-inadarei-api-health-check-06) and
    ``?format=health``."""

    media_type = "application/health+json"
    format = "health"
    charset = None

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if isinstance(data, RunResult):
            data = health_document(data, disclosure(renderer_context))
        else:
            data = {"status": "fail", "output": error_detail(data)}
        return _SpacedJSON().render(data, accepted_media_type, renderer_context)


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

    def render_result(self, result: RunResult, shown: Disclosure) -> str:
        return html_page(result, shown)

    def render_detail(self, detail: str, status: int | None) -> str:
        return html_page(None, Disclosure(), detail=detail)


class PrometheusRenderer(ReportRenderer):
    """Prometheus text exposition 0.0.4: ``Accept: text/plain; version=0.0.4``
    and ``?format=prometheus``. A FAIL answers 200: ``smoketest_up`` is 0."""

    media_type = "text/plain; version=0.0.4"
    format = "prometheus"
    fail_in_body = True
    openmetrics = False

    def render_result(self, result: RunResult, shown: Disclosure) -> str:
        return exposition(run_metrics(result, per_test=shown.names), openmetrics=self.openmetrics)

    def render_detail(self, detail: str, status: int | None) -> str:
        return f"# {' '.join(detail.split())}\n"  # a comment: no metric at all


class OpenMetricsRenderer(PrometheusRenderer):
    """OpenMetrics 1.0.0 (what Prometheus asks for first): ``Accept:
    application/openmetrics-text`` and ``?format=openmetrics``."""

    media_type = "application/openmetrics-text; version=1.0.0"
    format = "openmetrics"
    openmetrics = True

    def render_detail(self, detail: str, status: int | None) -> str:
        return exposition([], openmetrics=True)  # OpenMetrics has no comments


class JUnitRenderer(ReportRenderer):
    """JUnit XML: ``Accept: application/xml`` and ``?format=junit``."""

    media_type = "application/xml"
    format = "junit"

    def render_result(self, result: RunResult, shown: Disclosure) -> str:
        return junit_document(result, shown)

    def render_detail(self, detail: str, status: int | None) -> str:
        return junit_error_document(detail, status)


#: Every format, the fallback (plain text) first: the view's renderers and
#: the management command's ``--format`` choices.
REPORT_RENDERERS: list[type[ReportRenderer]] = [
    PlainTextRenderer,
    JSONRenderer,
    HTMLRenderer,
    PrometheusRenderer,
    OpenMetricsRenderer,
    JUnitRenderer,
    HealthRenderer,
]
RENDERERS_BY_FORMAT = {renderer.format: renderer for renderer in REPORT_RENDERERS}
