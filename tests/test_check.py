"""``smoketest-check``: the Nagios plugin client, run as a subprocess against
real HTTP servers on 127.0.0.1 (Django's live server, and a stdlib server for
answers this app never gives)."""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
PERFDATA = r"tests={run};;;0 failed={failed};;;0 errored={errored};;;0 skipped={skipped};;;0 time=\d+ms;{thresholds};0"

live = pytest.mark.django_db(databases="__all__", transaction=True)


def client_env() -> dict[str, str]:
    """The environment of a monitoring host: no Django settings, no token."""
    return {
        name: value for name, value in os.environ.items() if name not in {"DJANGO_SETTINGS_MODULE", "SMOKETEST_TOKEN"}
    }


def check(*args: str, **env: str) -> subprocess.CompletedProcess:
    """Run ``python -m smoketest.client ARGS`` with ``env`` added to its environment."""
    command = [sys.executable, "-m", "smoketest.client", *args]
    return subprocess.run(command, cwd=ROOT, env={**client_env(), **env}, capture_output=True, text=True, timeout=60)


def status_line(
    state: str, passed: int, failed: int, errored: int, thresholds: str = ";", reason: str = "", skipped: int = 0
) -> str:
    run = passed + failed + errored + skipped
    perfdata = PERFDATA.format(run=run, failed=failed, errored=errored, skipped=skipped, thresholds=thresholds)
    summary = rf"{passed} passed, {failed} failed, {errored} errored, {skipped} skipped in \d+ ms{re.escape(reason)}"
    return rf"SMOKETEST {state} - {summary} \| {perfdata}"


@pytest.fixture
def endpoint(live_server) -> str:
    return f"{live_server.url}/smoketest/"


class CannedServer:
    """A stdlib HTTP server on 127.0.0.1 that answers whatever a test sets,
    optionally after a delay, and records the request headers and times.
    ``later`` answers are given first, one per request, then the set one."""

    def __init__(self, port: int = 0) -> None:
        self.status, self.body, self.content_type, self.delay = 200, b"", "application/json", 0.0
        self.headers: dict[str, str] = {}
        self.queued: list[tuple[int, bytes, dict[str, str]]] = []
        self.requests: list[Message] = []
        self.times: list[float] = []
        canned = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                canned.requests.append(self.headers)
                canned.times.append(time.monotonic())
                time.sleep(canned.delay)
                status, body, headers = (
                    canned.queued.pop(0) if canned.queued else (canned.status, canned.body, canned.headers)
                )
                self.send_response(status)
                self.send_header("Content-Type", canned.content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}/smoketest/"

    def answer(
        self,
        status: int,
        body: object,
        content_type: str = "application/json",
        delay: float = 0.0,
        headers: dict[str, str] | None = None,
    ) -> str:
        self.status, self.content_type, self.delay, self.headers = status, content_type, delay, headers or {}
        self.body = _bytes(body)
        return self.url

    def queue(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        self.queued.append((status, _bytes(body), headers or {}))

    def start(self) -> "CannedServer":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def _bytes(body: object) -> bytes:
    return body if isinstance(body, bytes) else json.dumps(body).encode()


@pytest.fixture
def canned() -> Iterator[CannedServer]:
    server = CannedServer().start()
    yield server
    server.stop()


def free_port() -> int:
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def run_report(
    status: str = "PASS", time_ms: float = 35.0, failed: list[str] | None = None, release: str | None = None
) -> dict:
    """A JSON report as the endpoint writes it."""
    failed = failed or []
    return {
        "status": status,
        "test_classes": 1,
        "tests_run": 2,
        "tests_passed": 2 - len(failed),
        "tests_failed": len(failed),
        "tests_errored": 0,
        "tests_skipped": 0,
        "failed_tests": failed,
        "errored_tests": [],
        "time": time_ms,
        "started_at": "2026-01-01T00:00:00+00:00",
        "release": release,
        "tests": [],
    }


@live
def test_pass_is_ok_with_performance_data(endpoint, smoke_apps):
    smoke_apps("passing")
    process = check(endpoint)
    assert process.returncode == OK, process.stdout + process.stderr
    assert re.fullmatch(status_line("OK", 2, 0, 0) + "\n", process.stdout)
    assert process.stderr == ""


@live
def test_fail_is_critical_with_one_line_per_problem(endpoint, smoke_apps):
    smoke_apps("outcomes")
    process = check(endpoint)
    assert process.returncode == CRITICAL
    first, *problems = process.stdout.splitlines()
    assert re.fullmatch(status_line("CRITICAL", 4, 4, 3, skipped=3), first)
    assert len(problems) == 7
    assert "tests.smokeapps.outcomes.smoke.Outcomes.test_fail failed: 1 != 2 : one is not two" in problems
    assert "tests.smokeapps.outcomes.smoke.Outcomes.test_error errored: ValueError: boom" in problems


@live
def test_selection_in_the_url_is_passed_on(endpoint, smoke_apps):
    smoke_apps("outcomes")
    process = check(f"{endpoint}?test=outcomes.Outcomes.test_pass_sees_setup")
    assert process.returncode == OK
    assert re.fullmatch(status_line("OK", 1, 0, 0) + "\n", process.stdout)


@live
def test_a_400_from_the_endpoint_is_unknown_with_its_reason(endpoint, smoke_apps):
    smoke_apps("tagged")
    process = check(f"{endpoint}?tag=critcal")
    assert process.returncode == UNKNOWN
    assert process.stdout == (
        "SMOKETEST UNKNOWN - HTTP 400: Unknown tag 'critcal': no smoke test carries it; did you mean 'critical'?\n"
    )


@live
@pytest.mark.parametrize(
    "args, state, code, thresholds, reason",
    [
        (["--warning-ms", "100"], "WARNING", WARNING, "100;", " (warning above 100 ms)"),
        (["--critical-ms", "100"], "CRITICAL", CRITICAL, ";100", " (critical above 100 ms)"),
        (["--warning-ms", "50", "--critical-ms", "100"], "CRITICAL", CRITICAL, "50;100", " (critical above 100 ms)"),
        (["--warning-ms", "100", "--critical-ms", "60000"], "WARNING", WARNING, "100;60000", " (warning above 100 ms)"),
        (["--warning-ms", "50000", "--critical-ms", "60000"], "OK", OK, "50000;60000", ""),
    ],
)
def test_slow_runs_warn_or_go_critical(endpoint, smoke_apps, args, state, code, thresholds, reason):
    smoke_apps("slowpass")  # one test that sleeps 250 ms
    process = check(endpoint, *args)
    assert process.returncode == code
    assert re.fullmatch(status_line(state, 1, 0, 0, thresholds, reason) + "\n", process.stdout)


@live
@pytest.mark.parametrize("apps, code", [(("passing",), OK), (("outcomes",), CRITICAL), (("slowpass",), WARNING)])
def test_json_prints_the_servers_document_with_the_same_exit_codes(endpoint, smoke_apps, apps, code):
    smoke_apps(*apps)
    process = check(endpoint, "--json", "--warning-ms", "200")
    assert process.returncode == code
    document = json.loads(process.stdout)
    assert document["status"] == ("FAIL" if code == CRITICAL else "PASS")
    assert document["tests"]


@live
def test_console_script(endpoint, smoke_apps):
    smoke_apps("passing")
    script = shutil.which("smoketest-check", path=str(Path(sys.executable).parent))
    assert script, "the smoketest-check console script is not installed"
    process = subprocess.run([script, endpoint], env=client_env(), capture_output=True, text=True, timeout=60)
    assert process.returncode == OK
    assert re.fullmatch(status_line("OK", 2, 0, 0) + "\n", process.stdout)


def test_down_is_critical():
    port = free_port()
    process = check(f"http://127.0.0.1:{port}/smoketest/")
    assert process.returncode == CRITICAL
    assert process.stdout.startswith(f"SMOKETEST CRITICAL - cannot reach http://127.0.0.1:{port}/smoketest/: ")
    assert "refused" in process.stdout


def test_timeout_is_critical_and_on_time(canned):
    url = canned.answer(200, run_report(), delay=5)
    started = time.monotonic()
    process = check(url, "--timeout", "0.5")
    assert time.monotonic() - started < 4
    assert process.returncode == CRITICAL
    assert process.stdout == f"SMOKETEST CRITICAL - no answer from {url} within 0.5 s\n"


def test_tls_error_is_critical(canned):
    url = canned.answer(200, run_report()).replace("http://", "https://")
    process = check(url)
    assert process.returncode == CRITICAL
    assert process.stdout.startswith(f"SMOKETEST CRITICAL - TLS error talking to {url}: ")


@pytest.mark.parametrize(
    "status, body, content_type, message",
    [
        (500, b"<h1>Server Error (500)</h1>", "text/html", "HTTP 500 without a smoke test report: '<h1>Server"),
        (502, b"<html>502 Bad Gateway</html>", "text/html", "HTTP 502 without a smoke test report: "),
        (503, b"no healthy upstream", "text/plain", "HTTP 503 without a smoke test report: 'no healthy upstream'"),
        (504, b"", "text/html", "HTTP 504 without a smoke test report: ''"),
        (503, {"detail": "Service unavailable"}, "application/json", "HTTP 503: Service unavailable"),
    ],
)
def test_server_errors_without_a_report_are_critical(canned, status, body, content_type, message):
    process = check(canned.answer(status, body, content_type))
    assert process.returncode == CRITICAL
    assert process.stdout.startswith(f"SMOKETEST CRITICAL - {message}")
    assert len(process.stdout.splitlines()) == 1


@pytest.mark.parametrize(
    "status, body, content_type, message",
    [
        (200, b"<html>It works!</html>", "text/html", "HTTP 200 but the answer is not a smoke test JSON report: "),
        (200, {"status": "OK"}, "application/json", "HTTP 200 but the answer is not a smoke test JSON report: "),
        (200, [1, 2], "application/json", "HTTP 200 but the answer is not a smoke test JSON report: "),
        (404, b"<h1>Not Found</h1>", "text/html", "HTTP 404"),
        (302, b"", "text/html", "HTTP 302"),
        (403, {"detail": "Authentication credentials were not provided."}, "application/json", "HTTP 403: "),
        (503, run_report("PASS"), "application/json", "HTTP 503 with a PASS report"),
    ],
)
def test_answers_it_cannot_interpret_are_unknown(canned, status, body, content_type, message):
    process = check(canned.answer(status, body, content_type))
    assert process.returncode == UNKNOWN
    assert process.stdout.startswith(f"SMOKETEST UNKNOWN - {message}")
    assert len(process.stdout.splitlines()) == 1


def test_configured_fail_status_is_critical(canned):
    url = canned.answer(503, run_report("FAIL", failed=["app.smoke.T.test_x failed: a | b"]))
    process = check(url, "--fail-status", "503")
    assert process.returncode == CRITICAL
    first, problem = process.stdout.splitlines()
    assert re.fullmatch(status_line("CRITICAL", 1, 1, 0), first)
    assert problem == "app.smoke.T.test_x failed: a / b"  # a "|" would start performance data


@pytest.mark.parametrize("status", [200, 500, 503, 418])
def test_a_fail_report_is_critical_whatever_its_status(canned, status):
    process = check(canned.answer(status, run_report("FAIL", failed=["x failed: y"])))
    assert process.returncode == CRITICAL
    first, problem = process.stdout.splitlines()
    assert re.fullmatch(status_line("CRITICAL", 1, 1, 0), first)
    assert problem == "x failed: y"


def test_token_from_the_environment_stays_out_of_the_command_line(canned):
    url = canned.answer(200, run_report())
    assert check(url, SMOKETEST_TOKEN="from-env").returncode == OK
    assert canned.requests[-1]["Authorization"] == "Bearer from-env"
    assert check(url, "--token", "from-flag", SMOKETEST_TOKEN="from-env").returncode == OK
    assert canned.requests[-1]["Authorization"] == "Bearer from-flag"


def json_status(process: subprocess.CompletedProcess) -> dict:
    """``--json``'s stdout without a report: one JSON object, the plugin state and the status line."""
    assert len(process.stdout.splitlines()) == 1, process.stdout
    document = json.loads(process.stdout)
    assert list(document) == ["status", "output"]
    return document


def test_json_without_a_report_prints_the_status_line_as_json(canned):
    process = check(canned.answer(200, b"<html></html>", "text/html"), "--json")
    assert process.returncode == UNKNOWN
    document = json_status(process)
    assert document["status"] == "UNKNOWN"
    assert document["output"].startswith("SMOKETEST UNKNOWN - HTTP 200 but the answer is not a smoke test JSON report")
    assert process.stderr == document["output"] + "\n"


def test_json_of_a_site_that_is_down_is_critical_json():
    process = check(f"http://127.0.0.1:{free_port()}/smoketest/", "--json")
    assert process.returncode == CRITICAL
    document = json_status(process)
    assert document["status"] == "CRITICAL"
    assert document["output"].startswith("SMOKETEST CRITICAL - cannot reach ")


@pytest.mark.parametrize("flag", ["--json", "--js"])
def test_json_usage_errors_are_json_too(flag):
    process = check("ftp://example.com/smoketest/", flag)
    assert process.returncode == UNKNOWN
    assert json_status(process) == {
        "status": "UNKNOWN",
        "output": "SMOKETEST UNKNOWN - usage error: the URL must start with http:// or https://, "
        "not 'ftp://example.com/smoketest/'",
    }
    assert process.stderr.startswith("usage: smoketest-check")
    plain = check("ftp://example.com/smoketest/")
    assert plain.stdout.splitlines()[0] == json.loads(process.stdout)["output"]


def test_sends_accept_token_and_extra_headers(canned):
    url = canned.answer(200, run_report())
    process = check(url, "--token", "s3cret", "--header", "X-Probe: deploy 42", "--header", "Host: example.com")
    assert process.returncode == OK
    headers = canned.requests[-1]
    assert headers["Accept"] == "application/json"
    assert headers["Authorization"] == "Bearer s3cret"
    assert headers["X-Probe"] == "deploy 42"
    assert headers["Host"] == "example.com"
    assert headers["User-Agent"].startswith("smoketest-check/")


def test_reports_the_servers_time(canned):
    process = check(canned.answer(200, run_report(time_ms=1234.6)), "--warning-ms", "1000")
    assert process.returncode == WARNING
    assert "in 1235 ms (warning above 1000 ms) |" in process.stdout
    assert "time=1235ms;1000;;0" in process.stdout


@pytest.mark.parametrize(
    "args, error",
    [
        ([], "the following arguments are required: url"),
        (["ftp://example.com/"], "the URL must start with http:// or https://"),
        (["http://x/", "--header", "no colon"], "'no colon' is not a 'Name: value' header"),
        (["http://x/", "--timeout", "0"], "invalid positive_float value: '0'"),
        (["http://x/", "--warning-ms", "soon"], "invalid positive_float value: 'soon'"),
        (["http://x/", "--bogus"], "unrecognized arguments: --bogus"),
    ],
)
def test_usage_errors_are_unknown_with_the_status_line_on_stdout(args, error):
    process = check(*args)
    assert process.returncode == UNKNOWN
    assert process.stdout.startswith("SMOKETEST UNKNOWN - usage error: ")
    assert error in process.stdout.splitlines()[0]
    assert len(process.stdout.splitlines()) == 1
    assert error in process.stderr
    assert "usage: smoketest-check" in process.stderr


@live
def test_a_summary_only_site_is_judged_by_its_counts_and_a_token_shows_the_problems(endpoint, smoke_apps, settings):
    smoke_apps("outcomes")
    settings.SMOKETEST_PUBLIC_DETAIL = "summary"
    anonymous = check(endpoint)
    assert anonymous.returncode == CRITICAL
    assert re.fullmatch(status_line("CRITICAL", 4, 4, 3, skipped=3) + "\n", anonymous.stdout)
    settings.SMOKETEST_TOKEN = "s3cret"
    assert check(endpoint).returncode == UNKNOWN  # 401: a token is required
    with_token = check(endpoint, "--token", "s3cret")
    assert with_token.returncode == CRITICAL
    assert len(with_token.stdout.splitlines()) == 1 + 7


def test_skipped_tests_and_the_release_are_in_the_status_line(canned):
    report = {**run_report(release="4f2c1ab"), "tests_passed": 1, "tests_skipped": 1}
    process = check(canned.answer(200, report))
    assert process.returncode == OK
    assert process.stdout == (
        "SMOKETEST OK - 1 passed, 0 failed, 0 errored, 1 skipped in 35 ms, release 4f2c1ab"
        " | tests=2;;;0 failed=0;;;0 errored=0;;;0 skipped=1;;;0 time=35ms;;;0\n"
    )


def test_a_1x_report_without_skips_or_release_is_read(canned):
    report = {key: value for key, value in run_report().items() if key not in {"tests_skipped", "release"}}
    process = check(canned.answer(200, report))
    assert process.returncode == OK
    assert re.fullmatch(status_line("OK", 2, 0, 0) + "\n", process.stdout)


# Redirects -------------------------------------------------------------------


def test_a_redirect_on_the_same_origin_is_followed_with_the_token(canned):
    canned.queue(302, b"", {"Location": "/smoketest/?followed=1"})
    url = canned.answer(200, run_report())
    process = check(url, "--token", "s3cret")
    assert process.returncode == OK, process.stdout
    assert [headers["Authorization"] for headers in canned.requests] == ["Bearer s3cret", "Bearer s3cret"]


@pytest.mark.parametrize("credentials", [["--token", "s3cret"], ["--header", "Cookie: sessionid=s3cret"]])
def test_a_redirect_to_another_origin_is_not_followed_with_credentials(canned, credentials):
    elsewhere = CannedServer().start()  # another port: another origin
    try:
        elsewhere.answer(200, run_report())
        canned.queue(301, b"", {"Location": elsewhere.url})
        process = check(canned.url, *credentials)
        assert process.returncode == UNKNOWN
        assert process.stdout == (
            f"SMOKETEST UNKNOWN - HTTP 301 redirects to another origin, {elsewhere.url}: "
            "not followed with the token (give that URL if it is the site)\n"
        )
        assert elsewhere.requests == []  # the credentials never arrived there
    finally:
        elsewhere.stop()


def test_a_redirect_to_another_origin_is_followed_without_credentials(canned):
    elsewhere = CannedServer().start()
    try:
        elsewhere.answer(200, run_report())
        canned.queue(302, b"", {"Location": elsewhere.url})
        assert check(canned.url).returncode == OK
        assert len(elsewhere.requests) == 1 and "Authorization" not in elsewhere.requests[0]
    finally:
        elsewhere.stop()


# Deploy gate: --wait and --expect-release -----------------------------------


def test_wait_polls_until_the_expected_release_passes(canned):
    canned.queue(503, b"no healthy upstream")
    canned.queue(200, run_report(release="old"))
    canned.queue(500, run_report("FAIL", failed=["x failed: y"], release="new"))
    url = canned.answer(200, run_report(release="new"))
    started = time.monotonic()
    process = check(url, "--wait", "30", "--expect-release", "new")
    assert process.returncode == OK, process.stdout + process.stderr
    assert process.stdout.startswith("SMOKETEST OK - 2 passed, 0 failed, 0 errored, 0 skipped in 35 ms, release new |")
    assert len(canned.times) == 4
    pauses = [later - earlier for earlier, later in zip(canned.times, canned.times[1:], strict=False)]
    for pause, backoff in zip(pauses, [1, 2, 4], strict=True):  # the pause doubles (plus the poll's own time)
        assert backoff - 0.05 <= pause < backoff + 1.5, pauses
    assert time.monotonic() - started < 25
    progress = process.stderr.splitlines()
    assert len(progress) == 3
    assert "SMOKETEST CRITICAL - HTTP 503 without a smoke test report" in progress[0]
    assert "release old, not 'new'" in progress[1] or "(release 'old', not 'new')" in progress[1]


def test_wait_rides_out_a_site_that_is_not_up_yet():
    port = free_port()
    url = f"http://127.0.0.1:{port}/smoketest/"
    command = [sys.executable, "-m", "smoketest.client", url, "--wait", "30", "--expect-release", "r2"]
    waiting = subprocess.Popen(
        command, cwd=ROOT, env=client_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    server = None
    try:
        first = waiting.stderr.readline()  # the site is down: it says so, then waits
        assert f"SMOKETEST CRITICAL - cannot reach {url}: " in first, first
        server = CannedServer(port).start()
        server.answer(200, run_report(release="r2"))
        stdout, _ = waiting.communicate(timeout=60)
        assert waiting.returncode == OK, stdout
        assert stdout.startswith("SMOKETEST OK - 2 passed, 0 failed, 0 errored, 0 skipped in 35 ms, release r2 |")
    finally:
        waiting.kill()
        waiting.communicate()
        if server is not None:
            server.stop()


def test_wait_honours_retry_after(canned):
    canned.queue(429, {"detail": "Request was throttled. Expected available in 3 seconds."}, {"Retry-After": "3"})
    url = canned.answer(200, run_report())
    process = check(url, "--wait", "20")
    assert process.returncode == OK
    assert canned.times[1] - canned.times[0] >= 2.9
    assert "next poll in 3.0 s" in process.stderr


def test_wait_gives_up_at_the_deadline_critical_with_the_last_answer(canned):
    url = canned.answer(200, run_report(release="old"))
    started = time.monotonic()
    process = check(url, "--wait", "2.5", "--expect-release", "new")
    elapsed = time.monotonic() - started
    assert process.returncode == CRITICAL
    assert 2.4 < elapsed < 10
    assert process.stdout == (
        "SMOKETEST CRITICAL - no PASS from release 'new' within 2.5 s; last answer: 2 passed, 0 failed, 0 errored, "
        "0 skipped in 35 ms, release old (release 'old', not 'new')"
        " | tests=2;;;0 failed=0;;;0 errored=0;;;0 skipped=0;;;0 time=35ms;;;0\n"
    )


def test_wait_gives_up_when_retry_after_passes_the_deadline(canned):
    url = canned.answer(503, b"", headers={"Retry-After": "120"})
    started = time.monotonic()
    process = check(url, "--wait", "60")
    assert time.monotonic() - started < 30  # not 60 s: the next poll would come after the deadline
    assert process.returncode == CRITICAL
    assert process.stdout == (
        "SMOKETEST CRITICAL - no PASS within 60 s; last answer: HTTP 503 without a smoke test report: ''\n"
    )


def test_expect_release_without_wait_is_one_poll(canned):
    url = canned.answer(200, run_report(release="old"))
    process = check(url, "--expect-release", "new")
    assert process.returncode == CRITICAL
    assert "(release 'old', not 'new') |" in process.stdout
    assert len(canned.requests) == 1
    assert check(url, "--expect-release", "old").returncode == OK


@live
def test_wait_against_the_live_endpoint_and_its_release(endpoint, smoke_apps, settings):
    smoke_apps("passing")
    settings.SMOKETEST_RELEASE = "v2.0.1"
    process = check(endpoint, "--wait", "20", "--expect-release", "v2.0.1")
    assert process.returncode == OK, process.stdout
    assert ", release v2.0.1 |" in process.stdout


def test_a_status_line_is_one_line_without_a_password_or_a_pipe(canned):
    url = canned.answer(503, {"detail": "down | for\nmaintenance"})
    process = check(url)
    assert process.stdout == "SMOKETEST CRITICAL - HTTP 503: down / for maintenance\n"
    for url in ["http://monitor:pa/ss@wo?rd@127.0.0.1/smoketest/", "ftp://monitor:s3cret@example.com/"]:
        process = check(url)
        assert process.returncode == UNKNOWN
        assert process.stdout == (
            "SMOKETEST UNKNOWN - usage error: the URL must not hold a user name or password: "
            "send credentials with --token or --header\n"
        )
        assert "pa/ss" not in process.stderr and "s3cret" not in process.stderr
