"""``smoketest-check URL``: ask a smoke test endpoint for its JSON report and
answer as a Nagios/Icinga plugin (also ``python -m smoketest.check``); with
``--wait``, a deploy gate that polls until the new release passes.

Written with the standard library alone, and needs no Django settings: it
runs on a monitoring host.
Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
"""

import argparse
import email.utils
import http.client
import json
import os
import re
import ssl
import sys
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, NoReturn
from urllib.parse import urlsplit

from smoketest import __version__

OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
STATE_NAMES = {OK: "OK", WARNING: "WARNING", CRITICAL: "CRITICAL", UNKNOWN: "UNKNOWN"}
COUNT_KEYS = ("tests_run", "tests_passed", "tests_failed", "tests_errored")
PROBLEM_KEYS = ("failed_tests", "errored_tests")
# --wait: seconds between polls, doubled after each until the longest.
FIRST_PAUSE, LONGEST_PAUSE = 1.0, 8.0


class NoReport(Exception):
    """The endpoint gave no run report to judge: ``state`` is CRITICAL (the
    site is down or broken) or UNKNOWN (an answer this plugin cannot read)."""

    def __init__(self, state: int, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.state, self.retry_after = state, retry_after


@dataclass
class Answer:
    """An HTTP answer: status, body and its ``Retry-After`` in seconds."""

    status: int
    body: bytes
    retry_after: float | None = None


@dataclass
class Verdict:
    """What one poll found: the plugin state, its output lines, and whether it
    is what ``--wait`` waits for (a PASS from the expected release)."""

    state: int
    lines: list[str]
    body: bytes | None = None
    done: bool = False
    retry_after: float | None = None


class ArgumentParser(argparse.ArgumentParser):
    """Usage errors exit UNKNOWN (3), as a plugin must, not argparse's 2, with
    the status line on stdout (Nagios shows stdout; with ``--json``, in a
    JSON object) and the usage on stderr."""

    json_output = False  # --json was given: stdout is JSON whatever happens

    def error(self, message: str) -> NoReturn:
        line = f"SMOKETEST UNKNOWN - usage error: {message}"
        print(status_object(UNKNOWN, line) if self.json_output else line)
        self.print_usage(sys.stderr)
        self.exit(UNKNOWN, f"{self.prog}: error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    verdict = wait_for_pass(args) if args.wait else poll(args, args.timeout)
    if not args.json:
        print("\n".join(verdict.lines))
    elif verdict.body is not None:
        print(verdict.body.decode("utf-8", "replace"))
    else:  # no report: stdout stays JSON, and carries the status line
        print(status_object(verdict.state, verdict.lines[0]))
        print(verdict.lines[0], file=sys.stderr)
    return verdict.state


def status_object(state: int, line: str) -> str:
    """What ``--json`` prints when there is no report to print: a JSON object
    with the plugin state (never ``"PASS"``) and the status line."""
    return json.dumps({"status": STATE_NAMES[state], "output": line})


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = ArgumentParser(
        prog="smoketest-check",
        description="Run a site's smoke tests through its endpoint and report as a Nagios plugin. "
        "Exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.",
    )
    parser.add_argument("url", help="the smoke test endpoint, e.g. https://example.com/smoketest/?tag=critical")
    parser.add_argument("--timeout", type=positive_float, default=30.0, help="seconds to wait in all (default 30)")
    parser.add_argument(
        "--token",
        default=os.environ.get("SMOKETEST_TOKEN"),
        help="sent as 'Authorization: Bearer TOKEN' (default: the SMOKETEST_TOKEN environment variable, "
        "which keeps the token out of the process list)",
    )
    parser.add_argument(
        "--header", action="append", default=[], type=header, help="an extra 'Name: value' header (repeatable)"
    )
    parser.add_argument("--warning-ms", type=positive_float, help="WARNING when a passing run takes longer")
    parser.add_argument("--critical-ms", type=positive_float, help="CRITICAL when a passing run takes longer")
    parser.add_argument(
        "--wait",
        type=positive_float,
        metavar="SECONDS",
        help="poll (with backoff, honouring Retry-After) until a PASS, for at most SECONDS; then CRITICAL",
    )
    parser.add_argument(
        "--expect-release", metavar="RELEASE", help="only a report of this SMOKETEST_RELEASE counts as a PASS"
    )
    parser.add_argument(
        "--fail-status",
        type=int,
        default=500,
        help="accepted for older command lines: a FAIL report is CRITICAL whatever its status",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the server's JSON document, not the plugin line; without one, "
        '{"status": STATE, "output": STATUS LINE}',
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    given = sys.argv[1:] if argv is None else argv
    parser.json_output = any(arg.startswith("--j") and "--json".startswith(arg) for arg in given)
    args = parser.parse_args(argv)
    if _USERINFO.search(args.url):  # checked first: the error must not repeat it
        parser.error("the URL must not hold a user name or password: send credentials with --token or --header")
    if not args.url.startswith(("http://", "https://")):
        parser.error(f"the URL must start with http:// or https://, not {args.url!r}")
    return args


def positive_float(value: str) -> float:
    number = float(value)
    if not number > 0:
        raise ValueError(value)
    return number


def header(value: str) -> tuple[str, str]:
    name, colon, content = value.partition(":")
    if not colon or not name.strip():
        raise argparse.ArgumentTypeError(f"{value!r} is not a 'Name: value' header")
    return name.strip(), content.strip()


def request_headers(args: argparse.Namespace) -> dict[str, str]:
    headers = {"Accept": "application/json", "User-Agent": f"smoketest-check/{__version__}"}
    if args.token:
        headers["Authorization"] = f"Bearer {args.token}"
    headers.update(args.header)
    return headers


def wait_for_pass(args: argparse.Namespace) -> Verdict:
    """Poll until a PASS (from ``--expect-release``), pausing between polls
    with backoff or as ``Retry-After`` asks; CRITICAL with the last answer
    when ``--wait`` seconds are spent first."""
    started = time.monotonic()
    deadline, pause = started + args.wait, FIRST_PAUSE
    while True:
        verdict = poll(args, max(min(args.timeout, deadline - time.monotonic()), 0.001))
        if verdict.done:
            return verdict
        remaining = deadline - time.monotonic()
        if verdict.retry_after is not None and verdict.retry_after >= remaining:
            return given_up(verdict, args)
        wait = min(pause if verdict.retry_after is None else verdict.retry_after, remaining)
        print(f"{time.monotonic() - started:.1f} s: {verdict.lines[0]}; next poll in {wait:.1f} s", file=sys.stderr)
        time.sleep(wait)
        if time.monotonic() >= deadline:
            return given_up(verdict, args)
        pause = min(pause * 2, LONGEST_PAUSE)


def given_up(last: Verdict, args: argparse.Namespace) -> Verdict:
    """CRITICAL: no awaited PASS within ``--wait``, with the last answer."""
    awaited = "PASS" if args.expect_release is None else f"PASS from release {args.expect_release!r}"
    _, _, last_line = last.lines[0].partition(" - ")
    line = f"SMOKETEST CRITICAL - no {awaited} within {args.wait:g} s; last answer: {last_line}"
    return Verdict(CRITICAL, [line, *last.lines[1:]], body=last.body)


def poll(args: argparse.Namespace, timeout: float) -> Verdict:
    """Ask the endpoint once and judge its answer."""
    try:
        answer = fetch(args.url, headers=request_headers(args), timeout=timeout)
        document = smoketest_document(answer)
    except NoReport as exc:
        line = f"SMOKETEST {STATE_NAMES[exc.state]} - {_printable(str(exc))}"
        return Verdict(exc.state, [line], retry_after=exc.retry_after)
    state, reason = judge(document, args.warning_ms, args.critical_ms)
    release = document.get("release")
    expected = args.expect_release is None or release == args.expect_release
    if not expected:
        state, reason = CRITICAL, f" (release {release!r}, not {args.expect_release!r})"
    lines = plugin_lines(document, state, reason, args.warning_ms, args.critical_ms)
    done = expected and document["status"] == "PASS"
    return Verdict(state, lines, body=answer.body, done=done, retry_after=answer.retry_after)


def fetch(url: str, headers: dict[str, str], timeout: float) -> Answer:
    """GET ``url``; raise ``NoReport`` (CRITICAL) when there is no complete
    answer within ``timeout`` seconds."""
    outcome: list[Answer | NoReport] = []
    worker = threading.Thread(target=lambda: outcome.append(_get(url, headers, timeout)), daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise NoReport(CRITICAL, f"no answer from {url} within {timeout:g} s")
    if isinstance(outcome[0], NoReport):
        raise outcome[0]
    return outcome[0]


def _get(url: str, headers: dict[str, str], timeout: float) -> Answer | NoReport:
    credentials = bool(set(headers) - {"Accept", "User-Agent"})  # the token, and any header it was given
    opener = urllib.request.build_opener(SameOriginCredentials(credentials=credentials))
    request = urllib.request.Request(url, headers=headers)
    try:
        with opener.open(request, timeout=timeout) as response:
            return Answer(response.status, response.read())
    except NoReport as exc:
        return exc
    except urllib.error.HTTPError as exc:  # 4xx/5xx: still an answer to judge
        return Answer(exc.code, exc.read(), _retry_after(exc.headers.get("Retry-After")))
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, ssl.SSLError):
            return NoReport(CRITICAL, f"TLS error talking to {url}: {exc.reason}")
        if isinstance(exc.reason, TimeoutError):
            return NoReport(CRITICAL, f"no answer from {url} within {timeout:g} s")
        return NoReport(CRITICAL, f"cannot reach {url}: {exc.reason}")
    except TimeoutError:
        return NoReport(CRITICAL, f"no answer from {url} within {timeout:g} s")
    except (OSError, ValueError, http.client.HTTPException) as exc:
        return NoReport(CRITICAL, f"no complete answer from {url}: {type(exc).__name__}: {exc}")


class SameOriginCredentials(urllib.request.HTTPRedirectHandler):
    """Follows redirects, but never takes the token (or a header it was given)
    to another origin, as requests and curl do (urllib alone would send it
    anywhere): a redirect elsewhere is not followed, and the answer says so. ``http`` to ``https``
    on the same host and default ports is the same site."""

    def __init__(self, *, credentials: bool) -> None:
        self.credentials = credentials

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Any, newurl: str
    ) -> urllib.request.Request | None:
        if self.credentials and not same_site(req.full_url, newurl):
            raise NoReport(
                UNKNOWN,
                f"HTTP {code} redirects to another origin, {newurl}: not followed with the token "
                "(give that URL if it is the site)",
            )
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def same_site(old: str, new: str) -> bool:
    """May the credentials sent to ``old`` go to ``new`` (requests' rule)?"""
    before, after = urlsplit(old), urlsplit(new)
    if before.hostname != after.hostname:
        return False
    if (before.scheme, before.port, after.scheme, after.port) in {
        ("http", port, "https", other) for port in (80, None) for other in (443, None)
    }:
        return True
    default = {"http": 80, "https": 443}
    return before.scheme == after.scheme and (before.port or default.get(before.scheme)) == (
        after.port or default.get(after.scheme)
    )


def _retry_after(value: str | None) -> float | None:
    """``Retry-After`` (seconds, or an HTTP date) as seconds from now."""
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max((when - datetime.now(timezone.utc)).total_seconds(), 0.0)


def smoketest_document(answer: Answer) -> dict[str, Any]:
    """The JSON run report in ``answer``; raise ``NoReport`` for anything else:
    CRITICAL for a server error, UNKNOWN for an answer this plugin cannot read."""
    try:
        document = json.loads(answer.body)
    except ValueError:
        document = None
    if _is_run_report(document):
        if document["status"] == "PASS" and answer.status != 200:
            raise NoReport(UNKNOWN, f"HTTP {answer.status} with a PASS report", answer.retry_after)
        return document
    detail = document.get("detail") if isinstance(document, dict) else None
    reason = f": {detail}" if isinstance(detail, str) else f" without a smoke test report: {_excerpt(answer.body)}"
    if answer.status >= 500:
        raise NoReport(CRITICAL, f"HTTP {answer.status}{reason}", answer.retry_after)
    if 200 <= answer.status < 300:
        reason = f" but the answer is not a smoke test JSON report: {_excerpt(answer.body)}"
    elif not isinstance(detail, str):
        reason = ""
    raise NoReport(UNKNOWN, f"HTTP {answer.status}{reason}", answer.retry_after)


def _is_run_report(document: Any) -> bool:
    """The endpoint's report; ``failed_tests`` and ``errored_tests`` are left
    out when the site shows this caller a summary only."""
    return (
        isinstance(document, dict)
        and document.get("status") in ("PASS", "FAIL")
        and all(type(document.get(key)) is int for key in COUNT_KEYS)
        and type(document.get("tests_skipped", 0)) is int
        and isinstance(document.get("time"), (int, float))
        and all(isinstance(document.get(key, []), list) for key in PROBLEM_KEYS)
    )


# A URL's userinfo: from the scheme to the last "@" before its host.
_USERINFO = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://)\S*@(?=[^\s@/?#]*(?:[/?#\s]|$))")


def _printable(message: str) -> str:
    """``message`` on one line, without a ``|`` (Nagios would read
    performance data after it) or the password of any URL in it."""
    return _USERINFO.sub(r"\1***@", " ".join(message.split()).replace("|", "/"))


def _excerpt(body: bytes) -> str:
    text = " ".join(body.decode("utf-8", "replace").split())
    return repr(text[:80] + ("..." if len(text) > 80 else ""))


def judge(document: dict[str, Any], warning_ms: float | None, critical_ms: float | None) -> tuple[int, str]:
    """The plugin state of a run report and, for a slow run, why."""
    if document["status"] != "PASS":
        return CRITICAL, ""
    if critical_ms is not None and document["time"] > critical_ms:
        return CRITICAL, f" (critical above {critical_ms:g} ms)"
    if warning_ms is not None and document["time"] > warning_ms:
        return WARNING, f" (warning above {warning_ms:g} ms)"
    return OK, ""


def plugin_lines(
    document: dict[str, Any], state: int, reason: str, warning_ms: float | None, critical_ms: float | None
) -> list[str]:
    """The status line with performance data, then one line per failed or
    errored test (``|`` becomes ``/``: Nagios reads it as performance data)."""
    run, passed, failed, errored = (document[key] for key in COUNT_KEYS)
    skipped = document.get("tests_skipped", 0)
    time_ms = round(document["time"])
    thresholds = ";".join("" if limit is None else f"{limit:g}" for limit in (warning_ms, critical_ms))
    release = document.get("release")
    of_release = "" if release is None else f", release {_printable(str(release))}"
    summary = f"{passed} passed, {failed} failed, {errored} errored, {skipped} skipped in {time_ms} ms{of_release}"
    perfdata = (
        f"tests={run};;;0 failed={failed};;;0 errored={errored};;;0 skipped={skipped};;;0 "
        f"time={time_ms}ms;{thresholds};0"
    )
    problems = [str(line).replace("|", "/") for key in PROBLEM_KEYS for line in document.get(key, [])]
    return [f"SMOKETEST {STATE_NAMES[state]} - {summary}{reason} | {perfdata}", *problems]


if __name__ == "__main__":
    sys.exit(main())
