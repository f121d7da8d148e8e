"""The renderers on their own: whatever text a test produces survives each
format, and every format reports the same result object; negotiation picks
one of them for any Accept header."""

import json
from datetime import datetime, timezone

from django.test import RequestFactory
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.request import Request

from smoketest.reports.result import RunResult, Status
from smoketest.reports.result import TestOutcome as Outcome  # not collected as a test class
from smoketest.web.negotiation import FallbackContentNegotiation
from smoketest.web.renderers import RENDERERS_BY_FORMAT, REPORT_RENDERERS
from tests.parsers import metric_families, parse_html, parse_junit, sample_values, text

# Everything but control characters and noncharacters (U+FFFE...), which an
# HTML document must not contain (a browser shows them anyway).
PRINTABLE = st.text(st.characters(exclude_categories=["Cc", "Cs", "Cn"]), min_size=1)
durations = st.floats(min_value=0, max_value=1e6, allow_nan=False)


def results(names: st.SearchStrategy[str]) -> st.SearchStrategy[RunResult]:
    outcome = st.builds(
        Outcome,
        name=names,
        app=names,
        status=st.sampled_from(Status),
        duration_ms=durations,
        message=names | st.just(""),
        traceback=st.text(),
    )
    return st.builds(
        lambda outcomes, duration_ms, started_at: RunResult(outcomes, started_at=started_at, duration_ms=duration_ms),
        st.lists(outcome, max_size=6, unique_by=lambda outcome: (outcome.name, outcome.app)),
        durations,
        st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(timezone.utc)),
    )


def render(name: str, result: RunResult) -> str:
    return RENDERERS_BY_FORMAT[name]().render(result).decode()


@settings(deadline=None)
@given(results(st.text(min_size=1)))
def test_metrics_carry_any_test_name_and_app_label(result):
    expected = {(("app", o.app), ("test", o.name)): o.duration_ms / 1000 for o in result.outcomes}
    for openmetrics, name in [(False, "prometheus"), (True, "openmetrics")]:
        metrics = metric_families(render(name, result), openmetrics=openmetrics)
        assert sample_values(metrics["smoketest_test_duration_seconds"]) == expected
        assert sample_values(metrics["smoketest_up"]) == {(): int(result.passed)}


@settings(deadline=None)
@given(results(st.text(min_size=1)))
def test_junit_carries_any_message_and_drops_only_what_xml_cannot_hold(result):
    root = parse_junit(render("junit", result))
    problems = {"fail": "failure", "error": "error", "skip": "skipped"}
    cases = [case for suite in root for case in suite]
    in_report_order_by_app = [outcome for app in result.apps for outcome in app.outcomes]
    for case, outcome in zip(cases, in_report_order_by_app, strict=True):
        assert case.get("name") == xml_legal(outcome.short_name)
        if outcome.status is Status.PASS:
            assert list(case) == []
        else:
            (problem,) = case
            assert (problem.tag, problem.get("message")) == (problems[outcome.status.value], xml_legal(outcome.message))


def xml_legal(value: str) -> str:
    """``value`` with what XML 1.0 cannot hold replaced by U+FFFD."""
    return "".join(c if _xml_char(c) else "\ufffd" for c in value)


def _xml_char(c: str) -> bool:
    return c in "\t\n\r" or "\x20" <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c >= "\U00010000"


@settings(deadline=None)
@given(results(PRINTABLE))
def test_html_escapes_any_name_and_message(result):
    page = parse_html(render("html", result))
    rows = [row for tbody in page.iter("tbody") for row in tbody]
    shown = {(text(row.find(".//*[@class='name']")), _message(row)) for row in rows}
    assert shown == {(" ".join(outcome.short_name.split()), outcome.message) for outcome in result.outcomes}


def _message(row) -> str:
    message = row.find(".//pre[@class='message']")
    return "" if message is None else message.text


@settings(deadline=None)
@given(results(PRINTABLE))
def test_every_format_reports_the_same_counts(result):
    counts = result.counts
    lines = render("text", result).splitlines()
    document = json.loads(render("json", result))
    junit = parse_junit(render("junit", result))
    metrics = sample_values(metric_families(render("prometheus", result))["smoketest_tests"])
    banner = text(parse_html(render("html", result)).find(".//header"))
    assert lines[4] == f"tests failed: {counts[Status.FAIL]}"
    assert (document["tests_run"], document["tests_failed"], document["tests_errored"]) == (
        len(result.outcomes),
        counts[Status.FAIL],
        counts[Status.ERROR],
    )
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == (
        str(len(result.outcomes)),
        str(counts[Status.FAIL]),
        str(counts[Status.ERROR]),
    )
    assert metrics == {(("status", status.value),): count for status, count in counts.items()}
    assert f"{counts[Status.PASS]} passed {counts[Status.FAIL]} failed" in banner


ACCEPT_PARTS = ["text/plain", "application/openmetrics-text", "version=0.0.4", "q=0.5", "q=x", "*/*", ";", ",", "="]


@given(st.text() | st.lists(st.sampled_from(ACCEPT_PARTS)).map("".join))
def test_negotiation_picks_a_renderer_for_any_accept_header(accept):
    request = Request(RequestFactory().get("/smoketest/", HTTP_ACCEPT=accept))
    renderers = [renderer() for renderer in REPORT_RENDERERS]
    renderer, media_type = FallbackContentNegotiation().select_renderer(request, renderers)
    assert renderer in renderers
    assert media_type == renderer.media_type
