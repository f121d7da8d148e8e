"""What monitors and deploy scripts read: 1.x-compatible JSON, metric HELP
texts that no keyword check mistakes for a sample, the release in every
format, and the health+json format (draft-inadarei-api-health-check-06)."""

import json
import os
import re
import subprocess
from datetime import datetime

import pytest

from tests.conftest import ROOT, redis_or_skip
from tests.parsers import metric_families, parse_html, parse_junit, sample_values, text
from tests.settings import DB_PREFIX, REDIS_URL

pytestmark = pytest.mark.django_db(databases="__all__")

RELEASE = "2026.12.1-4f2c1ab"
FORMATS = ["text", "json", "html", "prometheus", "openmetrics", "junit", "health"]
HEALTH = "application/health+json"


def get(client, **params):
    return client.get("/smoketest/", params)


# JSON as 1.x wrote it -------------------------------------------------------


def readme_json_keys() -> list[str]:
    """The top-level keys of the JSON example of the formats reference, in its order."""
    readme = (ROOT / "docs" / "reference" / "formats.rst").read_text()
    example = readme[readme.index('$ curl -H "Accept: application/json"') :]
    example = example[: example.index("\n\n", example.index("    }\n"))]
    return re.findall(r'^      "(\w+)":', example, re.MULTILINE)


@pytest.mark.parametrize("apps", [("passing",), ("checkout",)])
def test_json_has_1x_separators_and_the_readmes_key_order(client, smoke_apps, apps):
    smoke_apps(*apps)
    body = get(client, format="json").content.decode()
    document = json.loads(body)
    assert body == json.dumps(document, ensure_ascii=False)  # ", " and ": ", as json.dumps and 1.x write
    assert list(document) == readme_json_keys()


def test_a_1x_keyword_monitor_matches(client, smoke_apps):
    smoke_apps("passing")
    assert b'"status": "PASS"' in get(client, format="json").content
    smoke_apps("checkout")
    body = get(client, format="json").content
    assert b'"status": "FAIL"' in body and b'"status": "PASS"' not in body


def test_summary_json_keeps_the_order_without_the_names(client, smoke_apps, settings):
    smoke_apps("checkout")
    settings.SMOKETEST_PUBLIC_DETAIL = "summary"
    keys = [key for key in readme_json_keys() if key not in {"failed_tests", "errored_tests", "tests"}]
    assert list(json.loads(get(client, format="json").content)) == keys


# Prometheus HELP ------------------------------------------------------------

HELP = re.compile(r"^# HELP (\S+) (.*)$", re.MULTILINE)


@pytest.mark.parametrize("name", ["prometheus", "openmetrics"])
def test_help_texts_never_read_as_a_sample(client, smoke_apps, settings, name):
    smoke_apps("checkout")  # a FAIL
    settings.SMOKETEST_RELEASE = RELEASE
    body = get(client, format=name).content.decode()
    helps = HELP.findall(body)
    assert len(helps) == 7
    families = metric_families(body, openmetrics=name == "openmetrics")
    for family, help_text in helps:
        assert families[family].documentation == help_text  # promtool's reading
        first_word = help_text.split()[0]
        assert not re.fullmatch(r"[-+]?(\d+\.?\d*([eE][-+]?\d+)?|Inf|NaN)", first_word), help_text
    sample_lines = [line for line in body.splitlines() if not line.startswith("#")]
    for keyword in ["smoketest_up 1", "smoketest_up 0"]:
        assert [line for line in body.splitlines() if keyword in line] == [
            line for line in sample_lines if line.startswith(keyword)
        ]
    assert "smoketest_up 1" not in body


# SMOKETEST_RELEASE in every format -------------------------------------------


def test_the_release_is_in_every_format(client, smoke_apps, settings):
    smoke_apps("passing", "checkout")
    settings.SMOKETEST_RELEASE = RELEASE
    answers = {name: get(client, format=name).content.decode() for name in FORMATS}
    assert answers["text"].splitlines()[8] == f"release: {RELEASE}"
    assert json.loads(answers["json"])["release"] == RELEASE
    prometheus = metric_families(answers["prometheus"])
    assert prometheus["smoketest_release_info"].type == "gauge"
    assert sample_values(prometheus["smoketest_release_info"]) == {(("release", RELEASE),): 1}
    openmetrics = metric_families(answers["openmetrics"], openmetrics=True)
    assert openmetrics["smoketest_release"].type == "info"
    assert [(sample.name, sample.labels, sample.value) for sample in openmetrics["smoketest_release"].samples] == [
        ("smoketest_release_info", {"release": RELEASE}, 1)
    ]
    suites = parse_junit(answers["junit"]).findall("testsuite")
    assert len(suites) == 2
    for suite in suites:
        assert [(p.get("name"), p.get("value")) for p in suite.findall("properties/property")] == [("release", RELEASE)]
    header = parse_html(answers["html"]).find(".//header")
    assert f"· release {RELEASE}" in text(header)
    assert json.loads(answers["health"])["releaseId"] == RELEASE


def test_the_release_is_shown_in_summary_mode_too(client, smoke_apps, settings):
    smoke_apps("checkout")
    settings.SMOKETEST_RELEASE = RELEASE
    settings.SMOKETEST_PUBLIC_DETAIL = "summary"
    for name in FORMATS:
        assert RELEASE in get(client, format=name).content.decode(), name


def test_no_release_set_changes_nothing_but_a_null_json_key(client, smoke_apps):
    smoke_apps("passing")
    answers = {name: get(client, format=name).content.decode() for name in FORMATS}
    assert len(answers["text"].splitlines()) == 8
    assert json.loads(answers["json"])["release"] is None
    assert "release" not in answers["prometheus"] + answers["openmetrics"] + answers["junit"]
    assert "release" not in text(parse_html(answers["html"]).find(".//header"))
    assert "releaseId" not in json.loads(answers["health"])


def test_a_cached_result_carries_the_release_that_ran_it(client, smoke_apps, settings):
    redis = redis_or_skip()
    prefix = f"{DB_PREFIX}-release"
    shared = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL, "KEY_PREFIX": prefix}
    settings.CACHES = {**settings.CACHES, "shared": shared}
    settings.SMOKETEST_CACHE = "shared"
    smoke_apps("passing")
    settings.SMOKETEST_CACHE_SECONDS = 30
    settings.SMOKETEST_RELEASE = "old"
    get(client, format="json")
    settings.SMOKETEST_CACHE_SECONDS = 30  # another process, the new release, the shared cache
    settings.SMOKETEST_RELEASE = "new"
    document = json.loads(get(client, format="json").content)
    assert (document["cached"], document["release"]) == (True, "old")
    for key in redis.scan_iter(f"{prefix}:*"):
        redis.delete(key)


# health+json (draft-inadarei-api-health-check-06) ----------------------------

TOP_LEVEL = {"status", "version", "releaseId", "notes", "output", "serviceId", "description", "checks", "links"}
CHECK_FIELDS = {
    "componentId",
    "componentType",
    "observedValue",
    "observedUnit",
    "status",
    "affectedEndpoints",
    "time",
    "output",
    "links",
}


def assert_health_document(document: dict) -> None:
    """The draft's field rules (sections 3 and 4)."""
    assert set(document) <= TOP_LEVEL
    assert document["status"] in {"pass", "fail", "warn"}
    if document["status"] == "pass":
        assert "output" not in document  # SHOULD be omitted for "pass"
    for name in ("releaseId", "version", "serviceId", "description", "output"):
        assert isinstance(document.get(name, ""), str)
    assert isinstance(document.get("notes", []), list)
    checks = document.get("checks", {})
    assert isinstance(checks, dict)
    for key, entries in checks.items():
        component, _, measurement = key.partition(":")
        assert component and ":" not in measurement  # {componentName}:{measurementName}, no other colon
        assert isinstance(entries, list) and entries
        for entry in entries:
            assert set(entry) <= CHECK_FIELDS, entry
            assert entry["status"] in {"pass", "fail", "warn"}
            if "observedValue" in entry:
                assert entry["observedUnit"]  # SHOULD be present with observedValue
            if "time" in entry:
                datetime.fromisoformat(entry["time"])
            assert entry.get("componentType", "component") in {"component", "datastore", "system"}
            if entry["status"] == "pass":
                assert "output" not in entry


@pytest.mark.parametrize("request_options", [{"HTTP_ACCEPT": HEALTH}, {"data": {"format": "health"}}])
def test_health_is_chosen_by_media_type_or_format(client, smoke_apps, request_options):
    smoke_apps("passing")
    response = client.get("/smoketest/", **request_options)
    assert (response.status_code, response["Content-Type"]) == (200, HEALTH)
    document = json.loads(response.content)
    assert_health_document(document)
    assert document["status"] == "pass"
    (entries,) = document["checks"].values()
    assert list(document["checks"]) == ["passing.WidgetSmoke:responseTime"]
    assert [entry["componentId"] for entry in entries] == [
        "tests.smokeapps.passing.smoke.WidgetSmoke.test_reads",
        "tests.smokeapps.passing.smoke.WidgetSmoke.test_writes_are_visible_inside_the_test",
    ]
    assert all(entry["observedUnit"] == "ms" and entry["observedValue"] >= 0 for entry in entries)


def test_health_of_a_fail(client, smoke_apps, settings):
    smoke_apps("checkout")
    settings.SMOKETEST_FAIL_STATUS = 503
    settings.SMOKETEST_RELEASE = RELEASE
    response = client.get("/smoketest/", HTTP_ACCEPT=HEALTH)
    assert response.status_code == 503
    document = json.loads(response.content)
    assert_health_document(document)
    assert (document["status"], document["releaseId"], document["output"]) == (
        "fail",
        RELEASE,
        "1 failed, 1 errored of 5",
    )
    entries = {
        entry["componentId"].rpartition(".")[2]: entry
        for entry in document["checks"]["checkout.CheckoutSmoke:responseTime"]
    }
    assert entries["test_mail_server_accepts_a_connection"]["status"] == "fail"
    assert (
        entries["test_mail_server_accepts_a_connection"]["output"]
        == "ConnectionRefusedError: [Errno 111] Connection refused"
    )
    assert entries["test_receipt_links_point_at_the_receipt_service"]["output"].endswith(": the receipt link is wrong")
    assert entries["test_search_index_is_fresh"]["status"] == "warn"  # skipped: it checked nothing
    assert entries["test_orders_can_be_written"]["status"] == "pass"
    assert entries["test_payment_provider_answers_within_the_deadline"]["observedValue"] >= 20


def test_health_in_summary_mode_names_nothing(client, smoke_apps, settings):
    smoke_apps("checkout")
    settings.SMOKETEST_PUBLIC_DETAIL = "summary"
    body = client.get("/smoketest/", HTTP_ACCEPT=HEALTH).content
    document = json.loads(body)
    assert_health_document(document)
    assert "checks" not in document
    assert b"checkout" not in body and b"Connection refused" not in body


def test_health_error_answer(client, smoke_apps, settings):
    smoke_apps("passing")
    settings.SMOKETEST_TOKEN = "s3cret"
    response = client.get("/smoketest/", HTTP_ACCEPT=HEALTH)
    assert (response.status_code, response["Content-Type"]) == (401, HEALTH)
    document = json.loads(response.content)
    assert_health_document(document)
    assert document == {"status": "fail", "output": "Authentication credentials were not provided."}


# Tracebacks ---------------------------------------------------------------


def test_tracebacks_start_at_the_test_without_unittests_or_this_apps_frames(client, smoke_apps, settings):
    smoke_apps("checkout")
    settings.DEBUG = True
    tests = {test["name"].rpartition(".")[2]: test for test in get(client, format="json").json()["tests"]}
    for name, last_line in [
        ("test_mail_server_accepts_a_connection", 'raise ConnectionRefusedError(111, "Connection refused")'),
        ("test_receipt_links_point_at_the_receipt_service", "self.assertEqual(link, "),
    ]:
        lines = tests[name]["traceback"].splitlines()
        assert lines[0] == "Traceback (most recent call last):"
        assert re.fullmatch(rf'  File ".*/checkout/smoke\.py", line \d+, in {name}', lines[1]), lines[1]
        frames = [line for line in lines if line.startswith('  File "')]
        assert len(frames) == 1, tests[name]["traceback"]
        assert lines[2].strip().startswith(last_line)
        assert "unittest" not in tests[name]["traceback"].replace("unittest.", "")
        assert "smoketest/case.py" not in tests[name]["traceback"]


# JUnit read by a real consumer ----------------------------------------------

# xunit-viewer's CLI (bin/xunit-viewer.js of the npm package; .ci/run installs it).
XUNIT_VIEWER = os.environ.get("SMOKETEST_XUNIT_VIEWER")


@pytest.mark.parametrize("case", ["full", "summary", "error"])
def test_junit_is_read_by_xunit_viewer(client, smoke_apps, settings, tmp_path, case):
    if XUNIT_VIEWER is None:
        if os.environ.get("SMOKETEST_REQUIRE_BROWSER") == "1":
            pytest.fail("SMOKETEST_REQUIRE_BROWSER=1 but SMOKETEST_XUNIT_VIEWER does not name xunit-viewer's CLI")
        pytest.skip("needs xunit-viewer: SMOKETEST_XUNIT_VIEWER=path/to/bin/xunit-viewer.js")
    smoke_apps("passing", "checkout")
    if case == "summary":
        settings.SMOKETEST_PUBLIC_DETAIL = "summary"
    if case == "error":
        settings.SMOKETEST_TOKEN = "s3cret"
    report = tmp_path / "smoketest.xml"
    report.write_bytes(get(client, format="junit").content)
    command = ["node", XUNIT_VIEWER, "-r", str(report), "-o", str(tmp_path / "report.html"), "-c", "-n", "-C", "false"]
    process = subprocess.run(command, capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert process.returncode == 0, process.stdout[-2000:] + process.stderr[-2000:]
    assert (tmp_path / "report.html").stat().st_size > 0
    shown = {"full": "test_mail_server_accepts_a_connection", "summary": "smoketest", "error": "request"}[case]
    assert shown in process.stdout
