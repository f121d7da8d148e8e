"""The HTTP contract: formats, negotiation, status codes, methods, headers."""

import json
import re

import pytest

from tests.conftest import by_name

pytestmark = pytest.mark.django_db(databases="__all__", transaction=True)

TEXT_REPORT = re.compile(
    r"\A(?P<status>PASS|FAIL)\n"
    r"test classes: (?P<classes>\d+)\n"
    r"tests run: (?P<run>\d+)\n"
    r"tests passed: (?P<passed>\d+)\n"
    r"tests failed: (?P<failed>\d+)\n"
    r"tests errored: (?P<errored>\d+)\n"
    r"tests skipped: (?P<skipped>\d+)\n"
    r"time: \d+\.\d+ms\n"
    r"(?P<problems>(?:.+ (?:failed|errored): .*\n)*)\Z"
)


def text_report(response):
    match = TEXT_REPORT.match(response.content.decode())
    assert match, response.content.decode()
    return match


def test_pass_as_plain_text(client, smoke_apps):
    smoke_apps("passing")
    response = client.get("/smoketest/")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    report = text_report(response)
    assert report["status"] == "PASS"
    assert (report["classes"], report["run"], report["passed"]) == ("1", "2", "2")
    assert report["problems"] == ""


def test_fail_as_plain_text_lists_each_problem_on_one_line(client, smoke_apps):
    smoke_apps("outcomes")
    response = client.get("/smoketest/")
    assert response.status_code == 500
    report = text_report(response)
    assert report["status"] == "FAIL"
    problems = report["problems"].splitlines()
    prefix = "tests.smokeapps.outcomes.smoke."
    assert f"{prefix}Outcomes.test_fail failed: 1 != 2 : one is not two" in problems
    assert f"{prefix}Outcomes.test_error errored: ValueError: boom" in problems
    assert f"{prefix}Outcomes.test_sys_exit errored: SystemExit: 3" in problems
    multiline = [line for line in problems if "test_multiline_message" in line]
    assert len(multiline) == 1 and "'a\\nb' != 'a\\nc'" in multiline[0]


@pytest.mark.parametrize(
    "accept",
    [
        None,
        "*/*",
        "text/*",
        "text/plain",
        "text/plain; charset=utf-8",
        "text/plain; version=9.9",
        "image/png",
        "application/pdf",
        ";;;",
        "text/plain; q=bogus",
        "\x00garbage",
        "a/b/c",
    ],
)
def test_any_accept_header_gets_a_text_answer(client, smoke_apps, accept):
    smoke_apps("passing")
    headers = {} if accept is None else {"HTTP_ACCEPT": accept}
    response = client.get("/smoketest/", **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert text_report(response)["status"] == "PASS"


@pytest.mark.parametrize(
    "headers, params",
    [
        ({"HTTP_ACCEPT": "application/json"}, {}),
        ({"HTTP_ACCEPT": "text/html;q=0.9, application/json"}, {}),
        ({}, {"format": "json"}),
    ],
)
def test_json_by_accept_header_or_format_parameter(client, smoke_apps, headers, params):
    smoke_apps("passing")
    response = client.get("/smoketest/", params, **headers)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    document = json.loads(response.content)
    assert document["status"] == "PASS"


def test_json_document_has_the_original_keys_and_one_entry_per_test(get_json, smoke_apps):
    smoke_apps("outcomes")
    response, document = get_json()
    assert response.status_code == 500
    assert document["status"] == "FAIL"
    assert document["test_classes"] == 4
    assert document["tests_run"] == len(document["tests"]) == 14
    assert document["tests_passed"] == 4
    assert document["tests_failed"] == 4
    assert document["tests_errored"] == 3
    assert document["tests_skipped"] == 3
    assert isinstance(document["time"], float)
    assert re.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d", document["started_at"])
    assert (
        "tests.smokeapps.outcomes.smoke.Outcomes.test_fail failed: 1 != 2 : one is not two"
        in (document["failed_tests"])
    )
    assert "tests.smokeapps.outcomes.smoke.Outcomes.test_error errored: ValueError: boom" in document["errored_tests"]
    entry = by_name(document)["test_fail"]
    assert entry["app"] == "outcomes"
    assert entry["status"] == "fail"
    assert entry["message"] == "1 != 2 : one is not two"
    assert entry["duration_ms"] >= 0


def test_import_errors_fail_the_run_and_name_the_module(get_json, client, smoke_apps):
    smoke_apps("passing", "broken", "missingdep")
    response, document = get_json()
    assert response.status_code == 500
    assert document["errored_tests"] == [
        "tests.smokeapps.broken.smoke errored: could not import tests.smokeapps.broken.smoke: "
        "RuntimeError: broken at import",
        "tests.smokeapps.missingdep.smoke errored: could not import tests.smokeapps.missingdep.smoke: "
        "ModuleNotFoundError: No module named 'a_module_that_is_not_installed'",
    ]
    assert document["tests_passed"] == 2
    assert "tests.smokeapps.broken.smoke errored" in client.get("/smoketest/").content.decode()


def test_package_class_reexported_in_init_runs_once(get_json, smoke_apps):
    smoke_apps("package")
    _, document = get_json()
    assert [test["name"] for test in document["tests"]] == [
        "tests.smokeapps.package.smoke.TopLevel.test_top",
        "tests.smokeapps.package.smoke.db.DatabaseSmoke.test_a",
        "tests.smokeapps.package.smoke.db.DatabaseSmoke.test_b",
        "tests.smokeapps.package.smoke.deep.nested.Nested.test_deep",
    ]
    assert document["test_classes"] == 3


def test_skip_apps_setting(get_json, smoke_apps, settings):
    smoke_apps("passing", "broken")
    settings.SMOKETEST_SKIP_APPS = ["broken"]
    response, document = get_json()
    assert response.status_code == 200
    assert document["tests_run"] == 2


def test_empty_run_passes(client, smoke_apps):
    smoke_apps("nosmoke")
    response = client.get("/smoketest/")
    assert response.status_code == 200
    report = text_report(response)
    assert (report["status"], report["run"], report["classes"]) == ("PASS", "0", "0")


def test_fail_status_setting(client, smoke_apps, settings):
    smoke_apps("outcomes")
    settings.SMOKETEST_FAIL_STATUS = 503
    assert client.get("/smoketest/").status_code == 503


def test_head_answers_the_status_without_a_body(client, smoke_apps):
    smoke_apps("outcomes")
    response = client.head("/smoketest/")
    assert response.status_code == 500
    assert response.content == b""


@pytest.mark.parametrize("method", ["post", "put", "patch", "delete", "options", "trace"])
def test_other_methods_get_405(client, smoke_apps, method):
    smoke_apps("isolation")
    response = getattr(client, method)("/smoketest/")
    assert response.status_code == 405
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert set(response["Allow"].replace(" ", "").split(",")) == {"GET", "HEAD"}


def test_unknown_format_parameter_is_a_clear_400(client, smoke_apps):
    smoke_apps("passing")
    response = client.get("/smoketest/", {"format": "xml"})
    assert response.status_code == 400
    assert response.content.decode() == (
        "Unknown format 'xml'; choose one of: text, json, html, prometheus, openmetrics, junit, health.\n"
    )


@pytest.mark.parametrize("params", [{}, {"format": "json"}, {"format": "nope"}, {"unknown": "x"}])
def test_every_answer_is_uncacheable(client, smoke_apps, params):
    smoke_apps("passing")
    assert client.get("/smoketest/", params)["Cache-Control"] == "no-store"


def test_url_name(smoke_apps):
    from django.urls import reverse

    assert reverse("smoketest:smoketest") == "/smoketest/"


@pytest.mark.parametrize("value", ["JSON", " Json "])
def test_format_parameter_is_case_insensitive(client, smoke_apps, value):
    smoke_apps("passing")
    response = client.get("/smoketest/", {"format": value})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
