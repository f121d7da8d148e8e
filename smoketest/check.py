"""``smoketest-check URL``: ask a smoke test endpoint for its JSON report and
answer as a Nagios/Icinga plugin (also ``python -m smoketest.check``).

Written with the standard library alone, and needs no Django settings: it
runs on a monitoring host.
Exit status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.
"""

import argparse
import http.client
import json
import os
import ssl
import sys
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, NoReturn

from smoketest import __version__

OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
STATE_NAMES = {OK: "OK", WARNING: "WARNING", CRITICAL: "CRITICAL", UNKNOWN: "UNKNOWN"}
COUNT_KEYS = ("tests_run", "tests_passed", "tests_failed", "tests_errored")
PROBLEM_KEYS = ("failed_tests", "errored_tests")


class Unknown(Exception):
    """The endpoint gave no smoke test answer: the message says why."""


@dataclass
class Answer:
    """An HTTP answer: status and body."""

    status: int
    body: bytes


class ArgumentParser(argparse.ArgumentParser):
    """Usage errors exit UNKNOWN (3), as a plugin must, not argparse's 2."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(UNKNOWN, f"{self.prog}: error: {message}\n")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        answer = fetch(args.url, headers=request_headers(args), timeout=args.timeout)
        document = smoketest_document(answer, args.fail_status)
    except Unknown as exc:
        print(f"SMOKETEST UNKNOWN - {exc}", file=sys.stderr if args.json else sys.stdout)
        return UNKNOWN
    state, reason = judge(document, args.warning_ms, args.critical_ms)
    if args.json:
        print(answer.body.decode("utf-8", "replace"))
    else:
        print("\n".join(plugin_lines(document, state, reason, args.warning_ms, args.critical_ms)))
    return state


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
    parser.add_argument("--fail-status", type=int, default=500, help="the site's SMOKETEST_FAIL_STATUS (default 500)")
    parser.add_argument("--json", action="store_true", help="print the server's JSON document, not the plugin line")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    args = parser.parse_args(argv)
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


def fetch(url: str, headers: dict[str, str], timeout: float) -> Answer:
    """GET ``url``; raise ``Unknown`` when there is no complete answer within ``timeout`` seconds."""
    outcome: list[Answer | Unknown] = []
    worker = threading.Thread(target=lambda: outcome.append(_get(url, headers, timeout)), daemon=True)
    worker.start()
    worker.join(timeout)
    if not outcome:
        raise Unknown(f"no answer from {url} within {timeout:g} s")
    if isinstance(outcome[0], Unknown):
        raise outcome[0]
    return outcome[0]


def _get(url: str, headers: dict[str, str], timeout: float) -> Answer | Unknown:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, response.read())
    except urllib.error.HTTPError as exc:  # 4xx/5xx: still an answer to judge
        return Answer(exc.code, exc.read())
    except urllib.error.URLError as exc:
        if isinstance(exc.reason, ssl.SSLError):
            return Unknown(f"TLS error talking to {url}: {exc.reason}")
        if isinstance(exc.reason, TimeoutError):
            return Unknown(f"no answer from {url} within {timeout:g} s")
        return Unknown(f"cannot reach {url}: {exc.reason}")
    except TimeoutError:
        return Unknown(f"no answer from {url} within {timeout:g} s")
    except (OSError, ValueError, http.client.HTTPException) as exc:
        return Unknown(f"cannot read the answer of {url}: {type(exc).__name__}: {exc}")


def smoketest_document(answer: Answer, fail_status: int) -> dict[str, Any]:
    """The JSON run report in ``answer``; raise ``Unknown`` for anything else."""
    try:
        document = json.loads(answer.body)
    except ValueError:
        document = None
    if answer.status not in (200, fail_status):
        if _is_run_report(document) and document["status"] == "FAIL":
            raise Unknown(
                f"HTTP {answer.status} with a FAIL report: is the site's SMOKETEST_FAIL_STATUS "
                f"{answer.status}? Pass --fail-status {answer.status}"
            )
        detail = document.get("detail") if isinstance(document, dict) else None
        raise Unknown(f"HTTP {answer.status}" + (f": {detail}" if isinstance(detail, str) else ""))
    if not _is_run_report(document):
        raise Unknown(f"HTTP {answer.status} but the answer is not a smoke test JSON report: {_excerpt(answer.body)}")
    return document


def _is_run_report(document: Any) -> bool:
    """The endpoint's report; ``failed_tests`` and ``errored_tests`` are left
    out when the site shows this caller a summary only."""
    return (
        isinstance(document, dict)
        and document.get("status") in ("PASS", "FAIL")
        and all(type(document.get(key)) is int for key in COUNT_KEYS)
        and isinstance(document.get("time"), (int, float))
        and all(isinstance(document.get(key, []), list) for key in PROBLEM_KEYS)
    )


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
    time_ms = round(document["time"])
    thresholds = ";".join("" if limit is None else f"{limit:g}" for limit in (warning_ms, critical_ms))
    summary = f"{passed} passed, {failed} failed, {errored} errored in {time_ms} ms{reason}"
    perfdata = f"tests={run};;;0 failed={failed};;;0 errored={errored};;;0 time={time_ms}ms;{thresholds};0"
    problems = [str(line).replace("|", "/") for key in PROBLEM_KEYS for line in document.get(key, [])]
    return [f"SMOKETEST {STATE_NAMES[state]} - {summary} | {perfdata}", *problems]


if __name__ == "__main__":
    sys.exit(main())
