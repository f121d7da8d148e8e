"""Selection on the endpoint: ?test=, ?tag=, ?exclude_tag=, ?failfast=, and 400 for bad input."""

import json

import pytest

from tests.conftest import by_name
from tests.smokeapps.failfast.smoke import EVENTS

pytestmark = pytest.mark.django_db(databases="__all__")

TAGGED = "tests.smokeapps.tagged.smoke"


@pytest.fixture(autouse=True)
def fresh_events():
    EVENTS.clear()


def names(document):
    return [test["name"] for test in document["tests"]]


def test_repeated_test_parameters_select_labels(get_json, smoke_apps):
    smoke_apps("package", "passing", "outcomes")
    response, document = get_json(test=["passing.WidgetSmoke.test_reads", "tests.smokeapps.package.smoke.db"])
    assert response.status_code == 200
    assert names(document) == [
        "tests.smokeapps.package.smoke.db.DatabaseSmoke.test_a",
        "tests.smokeapps.package.smoke.db.DatabaseSmoke.test_b",
        "tests.smokeapps.passing.smoke.WidgetSmoke.test_reads",
    ]
    assert (document["test_classes"], document["tests_run"]) == (2, 3)


def test_selecting_a_failing_test_fails_and_a_passing_one_passes(get_json, smoke_apps):
    smoke_apps("outcomes")
    assert get_json(test="outcomes.Outcomes.test_fail")[0].status_code == 500
    response, document = get_json(test="outcomes.Outcomes.test_pass_sees_setup")
    assert response.status_code == 200
    assert names(document) == ["tests.smokeapps.outcomes.smoke.Outcomes.test_pass_sees_setup"]


def test_tags_are_in_the_json_tests(get_json, smoke_apps):
    smoke_apps("tagged")
    _, document = get_json()
    tags = {test["name"].removeprefix(f"{TAGGED}."): test["tags"] for test in document["tests"]}
    assert tags == {
        "AttributeTagged.test_both": ["critical", "db"],
        "AttributeTagged.test_plain": ["db"],
        "CriticalSmoke.test_database": ["critical"],
        "CriticalSmoke.test_report": ["critical", "report", "slow"],
        "InheritsCritical.test_database": ["critical"],
        "InheritsCritical.test_inherited_plus_own": ["critical", "db"],
        "InheritsCritical.test_report": ["critical", "report", "slow"],
        "OneStringTag.test_string": ["external"],
        "Untagged.test_nothing": [],
    }


def test_tag_and_exclude_tag(get_json, smoke_apps):
    smoke_apps("tagged", "passing")
    response, document = get_json(tag=["critical", "external"], exclude_tag="slow")
    assert response.status_code == 200
    assert names(document) == [
        f"{TAGGED}.AttributeTagged.test_both",
        f"{TAGGED}.CriticalSmoke.test_database",
        f"{TAGGED}.InheritsCritical.test_database",
        f"{TAGGED}.InheritsCritical.test_inherited_plus_own",
        f"{TAGGED}.OneStringTag.test_string",
    ]


def test_a_tag_selection_still_fails_on_a_broken_smoke_module(get_json, smoke_apps):
    smoke_apps("tagged", "broken")
    response, document = get_json(tag="external")
    assert response.status_code == 500
    assert names(document) == ["tests.smokeapps.broken.smoke", f"{TAGGED}.OneStringTag.test_string"]


@pytest.mark.parametrize("value", ["1", "true", "yes", "on", "TRUE"])
def test_failfast_stops_at_the_first_problem_and_still_tears_the_class_down(get_json, smoke_apps, settings, value):
    smoke_apps("failfast")
    settings.SMOKETEST_WORKERS = 1  # serially: nothing beside the failing test (see test_parallel)
    response, document = get_json(failfast=value)
    assert response.status_code == 500
    assert [(test["name"].rsplit(".", 1)[1], test["status"]) for test in document["tests"]] == [
        ("test_0_passes", "pass"),
        ("test_1_fails", "fail"),
    ]
    assert (document["test_classes"], document["tests_run"], document["tests_failed"]) == (1, 2, 1)
    assert EVENTS == ["setUpClass", "test_0_passes", "test_1_fails", "tearDownClass"]


@pytest.mark.parametrize("params", [{}, {"failfast": "0"}, {"failfast": "off"}])
def test_without_failfast_everything_runs(get_json, smoke_apps, settings, params):
    smoke_apps("failfast")
    settings.SMOKETEST_WORKERS = 1  # serially: the events in suite order
    _, document = get_json(**params)
    assert (document["test_classes"], document["tests_run"]) == (2, 4)
    assert EVENTS == ["setUpClass", "test_0_passes", "test_1_fails", "test_2_passes", "tearDownClass", "test_errors"]


def test_failfast_stops_at_an_import_error(get_json, smoke_apps):
    smoke_apps("broken", "failfast")
    _, document = get_json(failfast="1")
    assert names(document) == ["tests.smokeapps.broken.smoke"]
    assert EVENTS == []


def test_unknown_parameters_are_ignored(get_json, smoke_apps):
    smoke_apps("passing")
    response, document = get_json(tests="nope", tags="nope", verbose="2")
    assert response.status_code == 200
    assert document["tests_run"] == 2


BAD_QUERIES = [
    ({"test": "failfst"}, "Unknown test label 'failfst'; did you mean 'failfast', 'failfast.BLater'?"),
    ({"test": ["failfast", "nope.X"]}, "Unknown test label 'nope.X'."),
    (
        {"test": "failfast..X"},
        "Malformed test label 'failfast..X': use app_label, app_label.Class, app_label.Class.test_method "
        "or a dotted smoke module path.",
    ),
    (
        {"test": "a\nb"},
        "Malformed test label 'a\\nb': use app_label, app_label.Class, app_label.Class.test_method "
        "or a dotted smoke module path.",
    ),
    ({"test": ""}, "Malformed test=: the value must not be empty."),
    ({"tag": "critcal"}, "Unknown tag 'critcal': no smoke test carries it; did you mean 'critical'?"),
    ({"exclude_tag": "slo"}, "Unknown tag 'slo': no smoke test carries it; did you mean 'slow'?"),
    ({"tag": ""}, "Malformed tag=: the value must not be empty."),
    ({"exclude_tag": ["slow", ""]}, "Malformed exclude_tag=: the value must not be empty."),
    ({"failfast": "maybe"}, "Malformed failfast='maybe': use failfast=1 or failfast=0."),
    ({"failfast": ""}, "Malformed failfast='': use failfast=1 or failfast=0."),
    (
        {"test": "failfast", "tag": "critical"},
        "No smoke test matches the selection (labels: failfast; tags: critical).",
    ),
]


@pytest.mark.parametrize("params, reason", BAD_QUERIES)
def test_bad_selection_is_a_one_line_400_as_text_and_runs_nothing(client, smoke_apps, params, reason):
    smoke_apps("failfast", "tagged")
    response = client.get("/smoketest/", params)
    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    assert response.content.decode() == f"{reason}\n"
    assert EVENTS == []


@pytest.mark.parametrize("params, reason", BAD_QUERIES)
def test_bad_selection_is_a_400_as_json_and_runs_nothing(client, smoke_apps, params, reason):
    smoke_apps("failfast", "tagged")
    response = client.get("/smoketest/", params, HTTP_ACCEPT="application/json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert json.loads(response.content) == {"detail": reason}
    assert EVENTS == []


def test_head_with_a_bad_selection_is_a_400(client, smoke_apps):
    smoke_apps("failfast")
    assert client.head("/smoketest/", {"tag": "nope"}).status_code == 400
    assert EVENTS == []


def test_selection_and_format_together(client, smoke_apps):
    smoke_apps("tagged", "failfast")
    response = client.get("/smoketest/", {"format": "json", "tag": "critical", "exclude_tag": "slow"})
    assert response.status_code == 200
    assert json.loads(response.content)["tests_run"] == 4
    assert by_name(json.loads(response.content))["test_database"]["tags"] == ["critical"]


def test_callers_shown_a_summary_get_no_close_matches(client, smoke_apps, settings):
    smoke_apps("failfast")
    settings.SMOKETEST_PUBLIC_DETAIL = "summary"
    response = client.get("/smoketest/", {"test": "failfst"})
    assert response.status_code == 400
    assert response.content.decode() == "Unknown test label 'failfst'.\n"
    assert EVENTS == []
