"""``manage.py smoketest --format``: the endpoint's formats on stdout."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import call_command

from tests.parsers import metric_families, parse_html, parse_junit, sample_values, text

pytestmark = pytest.mark.django_db(databases="__all__")


def smoketest(*args: str) -> tuple[int, str]:
    """Run the command; return its exit status and stdout."""
    stdout = io.StringIO()
    try:
        call_command("smoketest", *args, stdout=stdout)
    except SystemExit as exc:
        return int(exc.code or 0), stdout.getvalue()
    return 0, stdout.getvalue()


def overall_status(name: str, output: str) -> str:
    """PASS or FAIL, read from ``output`` in format ``name`` by its parser."""
    if name == "text":
        return output.splitlines()[0]
    if name == "json":
        return json.loads(output)["status"]
    if name == "html":
        return text(parse_html(output).find(".//*[@class='overall']"))
    if name in ("prometheus", "openmetrics"):
        up = sample_values(metric_families(output, openmetrics=name == "openmetrics")["smoketest_up"])
        return "PASS" if up[()] == 1 else "FAIL"
    root = parse_junit(output)
    return "FAIL" if int(root.get("failures")) + int(root.get("errors")) else "PASS"


@pytest.mark.parametrize("name", ["text", "json", "html", "prometheus", "openmetrics", "junit"])
@pytest.mark.parametrize("app, status, code", [("passing", "PASS", 0), ("checkout", "FAIL", 1)])
def test_every_format_and_the_exit_status(smoke_apps, name, app, status, code):
    smoke_apps(app)
    exit_status, output = smoketest("--format", name)
    assert exit_status == code  # 1 on FAIL for every format, metrics included
    assert overall_status(name, output) == status


def test_json_flag_is_the_json_format(smoke_apps):
    smoke_apps("checkout")
    (code, alias), (_, explicit) = smoketest("--json"), smoketest("--format", "json")
    assert code == 1
    assert json.loads(alias).keys() == json.loads(explicit).keys()
    assert json.loads(alias)["tests_failed"] == 1


def test_default_is_the_text_report(smoke_apps):
    smoke_apps("checkout")
    code, output = smoketest()
    assert code == 1
    lines = output.splitlines()
    assert lines[:2] == ["FAIL", "test classes: 1"]
    assert lines[-1].startswith(
        "tests.smokeapps.checkout.smoke.CheckoutSmoke.test_mail_server_accepts_a_connection errored:"
    )


def test_unknown_format_is_a_usage_error():
    completed = subprocess.run(
        [sys.executable, "-m", "django", "smoketest", "--format", "xml"],
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        timeout=60,
    )
    assert completed.returncode == 2
    assert "argument --format: invalid choice: 'xml'" in completed.stderr
