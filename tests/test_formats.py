"""The report formats for people and monitoring systems (HTML, Prometheus,
OpenMetrics, JUnit XML): how a client gets each one, its status code, and
its content read back with a real parser."""

import base64
import hashlib
import re
import time

import pytest
from django.core.cache import cache

from tests.parsers import metric_families, parse_html, parse_junit, sample_values, text

pytestmark = pytest.mark.django_db(databases="__all__")

TEXT = "text/plain; charset=utf-8"
JSON = "application/json"
HTML = "text/html; charset=utf-8"
PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8"
OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8"
JUNIT = "application/xml; charset=utf-8"

# Accept headers real clients send.
CHROME = (
    "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8,"
    "application/signed-exchange;v=b3;q=0.7"
)
FIREFOX = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
PROMETHEUS_2 = (
    "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,"
    "text/plain;version=0.0.4;q=0.5,*/*;q=0.1"
)
PROMETHEUS_3 = (
    "application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.5,"
    "application/openmetrics-text;version=0.0.1;q=0.4,text/plain;version=1.0.0;escaping=allow-utf-8;q=0.3,"
    "text/plain;version=0.0.4;q=0.2,*/*;q=0.1"
)
OLD_PROMETHEUS = "application/openmetrics-text; version=0.0.1,text/plain;version=0.0.4;q=0.5,*/*;q=0.1"

REPORT_APP = "tests.smokeapps.checkout.smoke.CheckoutSmoke"


def get(client, accept=None, **params):
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    return client.get("/smoketest/", params, **headers)


@pytest.mark.parametrize(
    "accept, content_type",
    [
        (CHROME, HTML),
        (FIREFOX, HTML),
        ("text/html", HTML),
        ("text/plain;q=0.5, text/html", HTML),
        ("text/html;q=0.5, text/plain", TEXT),
        ("text/plain; version=0.0.4", PROMETHEUS),
        ("text/plain;version=0.0.4", PROMETHEUS),
        ("text/plain, text/plain;version=0.0.4;q=0.5", TEXT),
        ("application/openmetrics-text", OPENMETRICS),
        ("application/openmetrics-text; version=1.0.0", OPENMETRICS),
        (PROMETHEUS_2, OPENMETRICS),
        (PROMETHEUS_3, PROMETHEUS),
        (OLD_PROMETHEUS, PROMETHEUS),
        ("application/xml", JUNIT),
        ("application/json", JSON),
        ("text/plain", TEXT),
        ("*/*", TEXT),
        (None, TEXT),
    ],
)
def test_accept_header_picks_the_format(client, smoke_apps, accept, content_type):
    smoke_apps("passing")
    response = get(client, accept)
    assert response.status_code == 200
    assert response["Content-Type"] == content_type


@pytest.mark.parametrize(
    "name, content_type",
    [
        ("text", TEXT),
        ("json", JSON),
        ("html", HTML),
        ("prometheus", PROMETHEUS),
        ("openmetrics", OPENMETRICS),
        ("junit", JUNIT),
    ],
)
def test_format_parameter_beats_the_accept_header(client, smoke_apps, name, content_type):
    smoke_apps("passing")
    assert get(client, CHROME, format=name)["Content-Type"] == content_type


@pytest.mark.parametrize(
    "name, status",
    [("text", 503), ("json", 503), ("html", 503), ("junit", 503), ("prometheus", 200), ("openmetrics", 200)],
)
def test_a_fail_answers_the_fail_status_except_for_metrics(client, smoke_apps, settings, name, status):
    smoke_apps("checkout")
    settings.SMOKETEST_FAIL_STATUS = 503
    assert get(client, format=name).status_code == status
    assert client.head("/smoketest/", {"format": name}).status_code == status


def test_prometheus_by_accept_header_answers_200_on_fail(client, smoke_apps):
    smoke_apps("checkout")
    response = get(client, PROMETHEUS_2)
    assert (response.status_code, response["Content-Type"]) == (200, OPENMETRICS)
    assert get(client, CHROME).status_code == 500


# HTML ---------------------------------------------------------------------


def test_html_is_one_self_contained_page_allowed_by_its_own_strict_csp(client, smoke_apps):
    smoke_apps("passing", "checkout")
    response = get(client, format="html")
    page = parse_html(response.content)
    tags = {element.tag for element in page.iter()}
    assert not tags & {"script", "link", "img", "iframe", "object", "embed", "form", "base"}
    attributes = {name for element in page.iter() for name in element.attrib}
    assert not attributes & {"style", "src", "href", "srcset", "action"}
    assert not [name for name in attributes if name.startswith("on")]
    (style,) = page.iter("style")
    digest = base64.b64encode(hashlib.sha256(style.text.encode()).digest()).decode()
    policy = dict(directive.strip().split(" ", 1) for directive in response["Content-Security-Policy"].split(";"))
    assert policy["default-src"] == "'none'"
    assert policy["style-src"] == f"'sha256-{digest}'"
    assert response["Cache-Control"] == "no-store"


def test_html_shows_the_status_counts_and_failures_first_grouped_by_app(client, smoke_apps):
    smoke_apps("passing", "checkout")
    page = parse_html(get(client, CHROME).content)
    banner = page.find(".//header")
    assert "fail" in banner.get("class").split()
    assert text(banner.find(".//*[@class='overall']")) == "FAIL"
    assert "7 tests 4 passed 1 failed 1 error 1 skipped" in text(banner)
    assert page.find(".//title").text.startswith("FAIL")
    sections = page.findall(".//section")
    # INSTALLED_APPS order is passing, checkout: the app with failures comes first.
    assert [text(section.find("h2")).split()[:2] for section in sections] == [["FAIL", "checkout"], ["PASS", "passing"]]
    rows = [(row.get("class"), text(row.find(".//*[@class='name']"))) for row in sections[0].find("table/tbody")]
    assert rows == [
        ("error", "test_mail_server_accepts_a_connection"),
        ("fail", "test_receipt_links_point_at_the_receipt_service"),
        ("skip", "test_search_index_is_fresh"),
        ("pass", "test_orders_can_be_written"),
        ("pass", "test_payment_provider_answers_within_the_deadline"),
    ]
    messages = [text(pre) for pre in sections[0].iter("pre")]
    assert messages[0] == "ConnectionRefusedError: [Errno 111] Connection refused"
    assert messages[1].endswith(": the receipt link is wrong")
    assert messages[2] == "search is switched off in this deploy"
    assert text(sections[0].find(".//*[@class='path']")) == REPORT_APP


def test_html_duration_bars_are_relative_to_the_slowest_test(client, smoke_apps, settings):
    smoke_apps("passing", "checkout")
    settings.SMOKETEST_WORKERS = 1  # serially: no test slowed down by the others
    page = parse_html(get(client, format="html").content)
    meters = {
        text(row.find(".//*[@class='name']")): row.find(".//meter") for tbody in page.iter("tbody") for row in tbody
    }
    assert len(meters) == 7
    slowest = meters["test_payment_provider_answers_within_the_deadline"]
    assert float(slowest.get("value")) == float(slowest.get("max")) >= 20
    assert all(0 <= float(meter.get("value")) <= float(meter.get("max")) for meter in meters.values())
    assert len({meter.get("max") for meter in meters.values()}) == 1


@pytest.mark.parametrize("debug", [False, True])
def test_html_folds_tracebacks_only_where_they_may_be_shown(client, smoke_apps, settings, debug):
    smoke_apps("checkout")
    settings.DEBUG = debug
    page = parse_html(get(client, format="html").content)
    details = list(page.iter("details"))
    if not debug:
        assert details == []
        assert "Traceback" not in text(page)
        return
    assert len(details) == 2  # the error and the failure; a skip has no traceback
    assert "open" not in details[0].attrib
    assert text(details[0].find("summary")) == "Traceback"
    assert "Traceback (most recent call last)" in text(details[0])
    assert "ConnectionRefusedError" in text(details[0])


def test_html_of_an_empty_run(client, smoke_apps):
    smoke_apps("nosmoke")
    page = parse_html(get(client, format="html").content)
    assert text(page.find(".//*[@class='overall']")) == "PASS"
    assert "No smoke tests were found" in text(page)


def test_html_error_answer(client, smoke_apps):
    smoke_apps("passing")
    response = client.post("/smoketest/", HTTP_ACCEPT=CHROME)
    assert (response.status_code, response["Content-Type"]) == (405, HTML)
    assert 'Method "POST" not allowed.' in text(parse_html(response.content))


# Prometheus / OpenMetrics ---------------------------------------------------


@pytest.mark.parametrize("name", ["prometheus", "openmetrics"])
def test_metrics_parse_with_the_official_parser(client, smoke_apps, name):
    smoke_apps("passing", "checkout")
    before = time.time()
    response = get(client, format=name)
    metrics = metric_families(response.content, openmetrics=name == "openmetrics")
    assert {family.type for family in metrics.values()} == {"gauge"}
    assert sample_values(metrics["smoketest_up"]) == {(): 0}
    assert sample_values(metrics["smoketest_tests"]) == {
        (("status", "pass"),): 4,
        (("status", "fail"),): 1,
        (("status", "error"),): 1,
        (("status", "skip"),): 1,
    }
    assert 0.02 < sample_values(metrics["smoketest_run_duration_seconds"])[()] < 60
    assert before - 1 <= sample_values(metrics["smoketest_last_run_timestamp_seconds"])[()] <= time.time()
    durations = sample_values(metrics["smoketest_test_duration_seconds"])
    assert len(durations) == 7
    slow = (("app", "checkout"), ("test", f"{REPORT_APP}.test_payment_provider_answers_within_the_deadline"))
    assert durations[slow] >= 0.02
    passed = sample_values(metrics["smoketest_test_passed"])
    assert passed == {
        (("app", "passing"), ("test", "tests.smokeapps.passing.smoke.WidgetSmoke.test_reads")): 1,
        (
            ("app", "passing"),
            ("test", "tests.smokeapps.passing.smoke.WidgetSmoke.test_writes_are_visible_inside_the_test"),
        ): 1,
        (("app", "checkout"), ("test", f"{REPORT_APP}.test_mail_server_accepts_a_connection")): 0,
        (("app", "checkout"), ("test", f"{REPORT_APP}.test_orders_can_be_written")): 1,
        slow: 1,
        (("app", "checkout"), ("test", f"{REPORT_APP}.test_receipt_links_point_at_the_receipt_service")): 0,
    }


def test_metrics_of_a_pass(client, smoke_apps):
    smoke_apps("passing")
    metrics = metric_families(get(client, "text/plain; version=0.0.4").content)
    assert sample_values(metrics["smoketest_up"]) == {(): 1}
    assert sample_values(metrics["smoketest_tests"])[(("status", "pass"),)] == 2


def test_openmetrics_ends_with_eof(client, smoke_apps):
    smoke_apps("passing")
    assert get(client, "application/openmetrics-text").content.decode().endswith("\n# EOF\n")
    assert "# EOF" not in get(client, format="prometheus").content.decode()


@pytest.mark.parametrize(
    "accept, content_type, body",
    [
        ("text/plain; version=0.0.4", PROMETHEUS, '# Method "POST" not allowed.\n'),
        ("application/openmetrics-text", OPENMETRICS, "# EOF\n"),
    ],
)
def test_metrics_error_answer_is_a_valid_empty_exposition(client, smoke_apps, accept, content_type, body):
    smoke_apps("passing")
    response = client.post("/smoketest/", HTTP_ACCEPT=accept)
    assert (response.status_code, response["Content-Type"]) == (405, content_type)
    assert response.content.decode() == body
    assert metric_families(response.content, openmetrics=content_type == OPENMETRICS) == {}


# JUnit XML ------------------------------------------------------------------


def test_junit_has_one_suite_per_app_and_counts_that_add_up(client, smoke_apps):
    smoke_apps("passing", "checkout")
    root = parse_junit(get(client, format="junit").content)
    assert root.get("name") == "smoketest"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("7", "1", "1")
    suites = root.findall("testsuite")
    assert [suite.get("name") for suite in suites] == ["passing", "checkout"]
    for suite in suites:
        cases = suite.findall("testcase")
        assert int(suite.get("tests")) == len(cases)
        for tag, attribute in [("failure", "failures"), ("error", "errors"), ("skipped", "skipped")]:
            assert int(suite.get(attribute)) == len(suite.findall(f"testcase/{tag}"))
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00", suite.get("timestamp"))
    assert sum(int(suite.get("tests")) for suite in suites) == 7
    report = {case.get("name"): case for case in suites[1]}
    assert {case.get("classname") for case in report.values()} == {REPORT_APP}
    assert float(report["test_payment_provider_answers_within_the_deadline"].get("time")) >= 0.02
    assert list(report["test_orders_can_be_written"]) == []
    (failure,) = report["test_receipt_links_point_at_the_receipt_service"]
    assert failure.tag == "failure"
    assert failure.get("message").endswith(": the receipt link is wrong")
    (error,) = report["test_mail_server_accepts_a_connection"]
    assert (error.tag, error.get("message")) == ("error", "ConnectionRefusedError: [Errno 111] Connection refused")
    (skipped,) = report["test_search_index_is_fresh"]
    assert (skipped.tag, skipped.get("message")) == ("skipped", "search is switched off in this deploy")


@pytest.mark.parametrize("debug", [False, True])
def test_junit_failure_body_is_the_traceback_only_where_it_may_be_shown(client, smoke_apps, settings, debug):
    smoke_apps("checkout")
    settings.DEBUG = debug
    root = parse_junit(get(client, "application/xml").content)
    error = root.find(".//error")
    if debug:
        assert error.text.startswith("Traceback (most recent call last)")
        assert "ConnectionRefusedError" in error.text
    else:
        assert error.text == error.get("message")


@pytest.mark.parametrize(
    "request_options, status, reason",
    [
        ({"method": "post"}, 405, 'HTTP 405: Method "POST" not allowed.'),
        ({"tag": "critcal"}, 400, "HTTP 400: Unknown tag 'critcal': no smoke test carries it."),
        ({"token": True}, 401, "HTTP 401: Authentication credentials were not provided."),
        ({"staff_only": True}, 403, "HTTP 403: Authentication credentials were not provided."),
        ({"token": True, "wrong_token": True}, 403, "HTTP 403: Invalid smoke test token."),
        ({"throttled": True}, 429, r"HTTP 429: Request was throttled\. Expected available in (59|60) seconds\."),
    ],
)
def test_junit_error_answer_is_one_suite_with_one_error_that_says_why(
    client, smoke_apps, settings, request_options, status, reason
):
    smoke_apps("passing")
    cache.clear()  # throttle histories, wrong tokens'
    options = dict(request_options)
    headers = {"HTTP_ACCEPT": "application/xml"}
    if options.pop("token", False):
        settings.SMOKETEST_TOKEN = "s3cret"
    if options.pop("wrong_token", False):
        headers["HTTP_AUTHORIZATION"] = "Bearer guess"
    if options.pop("staff_only", False):
        settings.SMOKETEST_PERMISSION_CLASSES = ["rest_framework.permissions.IsAdminUser"]
    if options.pop("throttled", False):
        settings.SMOKETEST_THROTTLE_CLASSES = ["smoketest.web.access.SmoketestRateThrottle"]
        settings.SMOKETEST_THROTTLE_RATES = {"smoketest": "1/min"}
        assert client.get("/smoketest/", **headers).status_code == 200
    if options.pop("method", False):
        response = client.post("/smoketest/", **headers)
    else:
        response = client.get("/smoketest/", options, **headers)
    cache.clear()
    assert (response.status_code, response["Content-Type"]) == (status, JUNIT)
    root = parse_junit(response.content)
    (suite,) = root.findall("testsuite")
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("1", "1", "0")
    (error,) = suite.findall("testcase/error")
    assert error.get("message") == error.text
    assert error.text == reason or re.fullmatch(reason, error.text), error.text


# Disclosure ---------------------------------------------------------------


def test_summary_detail_names_no_test_in_any_format(client, smoke_apps, settings):
    smoke_apps("checkout")
    settings.SMOKETEST_PUBLIC_DETAIL = "summary"
    for name in ["text", "json", "html", "prometheus", "openmetrics", "junit"]:
        body = get(client, format=name).content
        assert b"checkout" not in body and b"test_mail_server" not in body and b"Connection refused" not in body
    page = parse_html(get(client, format="html").content)
    assert "5 tests 2 passed 1 failed 1 error 1 skipped" in text(page.find(".//header"))
    assert page.find(".//section") is None
    metrics = metric_families(get(client, format="prometheus").content)
    assert set(metrics) == {
        "smoketest_up",
        "smoketest_tests",
        "smoketest_run_duration_seconds",
        "smoketest_last_run_timestamp_seconds",
    }
    junit = parse_junit(get(client, format="junit").content)
    assert (junit.get("tests"), junit.get("failures"), junit.get("errors")) == ("5", "1", "1")
    (suite,) = junit  # consumers need a suite: the totals, without test cases
    assert (suite.get("name"), suite.get("tests"), suite.get("skipped"), list(suite)) == ("smoketest", "5", "1", [])


@pytest.mark.django_db(databases="__all__", transaction=True)  # the staff user must be committed
def test_staff_see_tracebacks_in_html_and_junit(client, smoke_apps, settings, django_user_model):
    smoke_apps("checkout")
    settings.SMOKETEST_PUBLIC_DETAIL = "summary"
    client.force_login(django_user_model.objects.create(username="ops", is_staff=True))
    assert len(list(parse_html(get(client, format="html").content).iter("details"))) == 2
    error = parse_junit(get(client, format="junit").content).find(".//error")
    assert error.text.startswith("Traceback (most recent call last)")


@pytest.fixture
def result_cache(settings):
    cache.clear()
    settings.SMOKETEST_CACHE_SECONDS = 30
    yield
    cache.clear()


def test_html_says_when_a_result_comes_from_the_cache(client, smoke_apps, result_cache):
    smoke_apps("passing")
    first = text(parse_html(get(client, format="html").content).find(".//header"))
    second = text(parse_html(get(client, format="html").content).find(".//header"))
    assert "cached" not in first
    assert re.search(r"· cached, \d+ s old$", second), second
