"""``manage.py smoketest``, run as a real subprocess on the test databases."""

import json
import re

import pytest

PACKAGE = "tests.smokeapps.package.smoke"
TAGGED = "tests.smokeapps.tagged.smoke"
pytestmark = pytest.mark.django_db(databases="__all__")  # the subprocess uses the test databases
PROGRESS_LINE = re.compile(r"(?P<name>\S+) \.\.\. (?P<status>PASS|FAIL|ERROR|SKIP) \(\d+\.\d ms\)(: (?P<reason>.+))?")
PASS_REPORT = re.compile(
    r"\APASS\ntest classes: 1\ntests run: 2\ntests passed: 2\ntests failed: 0\ntests errored: 0\n"
    r"tests skipped: 0\ntime: \d+\.\d+ms\n\Z"
)


def progress(stderr: str) -> list[tuple[str, str]]:
    """The ``-v 2`` progress lines on stderr (the run's log lines are there too)."""
    return [(match["name"], match["status"]) for match in map(PROGRESS_LINE.fullmatch, stderr.splitlines()) if match]


def test_pass_prints_only_the_text_report_and_exits_0(manage, smoke_apps):
    smoke_apps("passing")
    process = manage()
    assert process.returncode == 0, process.stderr
    assert PASS_REPORT.match(process.stdout), process.stdout
    assert process.stderr == ""


def test_fail_exits_1_with_the_problems_in_the_report(manage, smoke_apps):
    smoke_apps("outcomes")
    process = manage()
    assert process.returncode == 1
    lines = process.stdout.splitlines()
    assert lines[0] == "FAIL"
    assert "tests.smokeapps.outcomes.smoke.Outcomes.test_fail failed: 1 != 2 : one is not two" in lines
    assert process.stderr.startswith("smoketest FAIL: 14 run, 4 passed")  # the run's log, on stderr


@pytest.mark.parametrize("apps, code", [(("passing",), 0), (("outcomes",), 1)])
def test_json_stdout_is_only_the_json_document(manage, smoke_apps, apps, code):
    smoke_apps(*apps)
    process = manage("--json", "-v", "2")
    assert process.returncode == code
    document = json.loads(process.stdout)
    assert document["status"] == ("PASS" if code == 0 else "FAIL")
    assert len(progress(process.stderr)) == document["tests_run"]


def test_json_has_the_tags(manage, smoke_apps):
    smoke_apps("tagged")
    document = json.loads(manage("--json", "tagged.AttributeTagged").stdout)
    assert [(test["name"], test["tags"]) for test in document["tests"]] == [
        (f"{TAGGED}.AttributeTagged.test_both", ["critical", "db"]),
        (f"{TAGGED}.AttributeTagged.test_plain", ["db"]),
    ]


@pytest.mark.parametrize(
    "labels, expected",
    [
        (
            ["package"],
            ["TopLevel.test_top", "db.DatabaseSmoke.test_a", "db.DatabaseSmoke.test_b", "deep.nested.Nested.test_deep"],
        ),
        (["package.DatabaseSmoke"], ["db.DatabaseSmoke.test_a", "db.DatabaseSmoke.test_b"]),
        (["package.DatabaseSmoke.test_b"], ["db.DatabaseSmoke.test_b"]),
        ([f"{PACKAGE}.deep"], ["deep.nested.Nested.test_deep"]),
        (["package.TopLevel", f"{PACKAGE}.db.DatabaseSmoke.test_a"], ["TopLevel.test_top", "db.DatabaseSmoke.test_a"]),
    ],
)
def test_labels_select_what_runs(manage, smoke_apps, labels, expected):
    smoke_apps("package", "passing")
    process = manage("--json", *labels)
    assert process.returncode == 0, process.stderr
    assert [test["name"] for test in json.loads(process.stdout)["tests"]] == [f"{PACKAGE}.{name}" for name in expected]


@pytest.mark.parametrize(
    "args, message",
    [
        (["pasing"], "CommandError: Unknown test label 'pasing'; did you mean 'passing'?"),
        (["passing", "package.Nope"], "CommandError: Unknown test label 'package.Nope'"),
        (
            ["--tag", "critcal"],
            "CommandError: Unknown tag 'critcal': no smoke test carries it; did you mean 'critical'?",
        ),
        (["--exclude-tag", "nope", "--json"], "CommandError: Unknown tag 'nope': no smoke test carries it."),
        (["--list", "passing..x"], "CommandError: Malformed test label 'passing..x'"),
        (
            ["tagged.Untagged", "--tag", "critical"],
            "CommandError: No smoke test matches the selection (labels: tagged.Untagged; tags: critical).",
        ),
        (["--list", "--json"], "error: argument --json: not allowed with argument --list"),
        (["--no-such-option"], "error: unrecognized arguments: --no-such-option"),
    ],
)
def test_usage_errors_exit_2_with_the_reason_on_stderr_and_run_nothing(manage, smoke_apps, args, message):
    smoke_apps("passing", "package", "tagged")
    process = manage(*args)
    assert process.returncode == 2
    assert process.stdout == ""
    assert message in process.stderr


def test_list_prints_the_dotted_names_and_runs_nothing(manage, smoke_apps):
    smoke_apps("failfast", "broken", "package")
    process = manage("--list", "--skip-app", "package", "-v", "2")
    assert process.returncode == 0
    assert process.stdout.splitlines() == [
        "tests.smokeapps.failfast.smoke.AFixtures.test_0_passes",
        "tests.smokeapps.failfast.smoke.AFixtures.test_1_fails",
        "tests.smokeapps.failfast.smoke.AFixtures.test_2_passes",
        "tests.smokeapps.failfast.smoke.BLater.test_errors",
    ]
    assert process.stderr == (
        "tests.smokeapps.broken.smoke cannot be imported and would error: RuntimeError: broken at import\n"
    )


def test_tag_and_exclude_tag_are_repeatable(manage, smoke_apps):
    smoke_apps("tagged", "passing")
    process = manage("--list", "--tag", "critical", "--tag", "external", "--exclude-tag", "slow", "--exclude-tag", "db")
    assert process.returncode == 0, process.stderr
    assert process.stdout.splitlines() == [
        f"{TAGGED}.CriticalSmoke.test_database",
        f"{TAGGED}.InheritsCritical.test_database",
        f"{TAGGED}.OneStringTag.test_string",
    ]


def test_failfast_stops_at_the_first_problem(manage, smoke_apps, settings):
    smoke_apps("failfast")
    settings.SMOKETEST_WORKERS = 1  # serially: nothing beside the failing test
    process = manage("--failfast", "--json")
    assert process.returncode == 1
    document = json.loads(process.stdout)
    assert [test["name"].rsplit(".", 1)[1] for test in document["tests"]] == ["test_0_passes", "test_1_fails"]
    assert json.loads(manage("--json").stdout)["tests_run"] == 4


def test_verbosity_2_prints_each_test_as_it_finishes_on_stderr(manage, smoke_apps, settings):
    smoke_apps("failfast", "broken")
    settings.SMOKETEST_WORKERS = 1  # serially: they finish in suite order
    process = manage("-v", "2")
    assert process.returncode == 1
    assert process.stdout.splitlines()[0] == "FAIL"
    assert progress(process.stderr) == [
        ("tests.smokeapps.broken.smoke", "ERROR"),
        ("tests.smokeapps.failfast.smoke.AFixtures.test_0_passes", "PASS"),
        ("tests.smokeapps.failfast.smoke.AFixtures.test_1_fails", "FAIL"),
        ("tests.smokeapps.failfast.smoke.AFixtures.test_2_passes", "PASS"),
        ("tests.smokeapps.failfast.smoke.BLater.test_errors", "ERROR"),
    ]


def test_verbosity_2_prints_skip_reasons(manage, smoke_apps):
    smoke_apps("outcomes")
    process = manage("-v", "2")
    reasons = {
        match["name"].rpartition(".")[2]: match["reason"]
        for match in map(PROGRESS_LINE.fullmatch, process.stderr.splitlines())
        if match and match["status"] == "SKIP"
    }
    assert reasons["test_skipped"] == "not today"
    assert reasons["test_skipped_if"] == "condition met"
    assert set(reasons.values()) >= {"not today", "condition met", "whole class off"}


def test_skip_app_adds_to_the_skip_apps_setting(manage, smoke_apps, settings):
    smoke_apps("passing", "broken", "outcomes")
    settings.SMOKETEST_SKIP_APPS = ["broken"]
    assert manage().returncode == 1
    process = manage("--skip-app", "outcomes")
    assert process.returncode == 0, process.stdout
    assert PASS_REPORT.match(process.stdout)
    assert manage("--skip-app", "tests.smokeapps.passing", "--skip-app", "outcomes").stdout.startswith(
        "PASS\ntest classes: 0\n"
    )
