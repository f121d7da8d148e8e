"""JUnit XML of a run: one ``<testsuite>`` per app, one ``<testcase>`` per test.

The document follows the JUnit schema CI systems share (the Jenkins xUnit
plugin's ``junit-10.xsd``): ``<failure>``, ``<error>`` and ``<skipped>``
carry a ``message``; times are seconds.
"""

import re
import xml.etree.ElementTree as ET

from smoketest.reports.disclosure import Disclosure
from smoketest.reports.result import AppResult, OutcomeGroup, RunResult, Status, TestOutcome

SUITES_NAME = "smoketest"

_PROBLEM_TAGS = {Status.FAIL: "failure", Status.ERROR: "error", Status.SKIP: "skipped"}

# Characters XML 1.0 cannot hold at all, not even as a character reference.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def junit_document(result: RunResult, shown: Disclosure) -> str:
    """The XML text; when ``shown`` hides names, one ``<testsuite>`` of the
    totals without test cases (consumers expect at least one suite)."""
    root = ET.Element("testsuites", {"name": SUITES_NAME, **_counts(result), "time": _seconds(result.duration_ms)})
    timestamp = result.started_at.isoformat(timespec="seconds")
    for app in result.apps if shown.names else [result]:
        suite = _element(
            root,
            "testsuite",
            name=app.label if isinstance(app, AppResult) else SUITES_NAME,
            **_counts(app),
            skipped=str(len(app.skipped)),
            time=_seconds(app.duration_ms),
            timestamp=timestamp,
        )
        if result.release is not None:
            _element(_element(suite, "properties"), "property", name="release", value=result.release)
        for outcome in app.outcomes if shown.names else []:
            _add_testcase(suite, outcome, shown.tracebacks)
    return _xml(root)


def junit_error_document(detail: str, status: int | None) -> str:
    """An error answer (400, 401, 403, 429...): one suite with one ``<error>``
    that says why (``detail`` is what the caller may see)."""
    root = ET.Element("testsuites", name=SUITES_NAME, tests="1", failures="0", errors="1")
    suite = _element(root, "testsuite", name=SUITES_NAME, tests="1", failures="0", errors="1", skipped="0")
    case = _element(suite, "testcase", name="request", classname=SUITES_NAME)
    reason = detail if status is None else f"HTTP {status}: {detail}"
    _element(case, "error", message=reason).text = _xml_text(reason)
    return _xml(root)


def _xml(root: ET.Element) -> str:
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _add_testcase(suite: ET.Element, outcome: TestOutcome, tracebacks: bool) -> None:
    case = _element(
        suite, "testcase", name=outcome.short_name, classname=outcome.class_path, time=_seconds(outcome.duration_ms)
    )
    tag = _PROBLEM_TAGS.get(outcome.status)
    if tag is None:
        return
    problem = _element(case, tag, message=outcome.message)
    if outcome.status is not Status.SKIP:
        problem.text = _xml_text(outcome.traceback if tracebacks and outcome.traceback else outcome.message)


def _element(parent: ET.Element, tag: str, **attributes: str) -> ET.Element:
    return ET.SubElement(parent, tag, {name: _xml_text(value) for name, value in attributes.items()})


def _counts(group: OutcomeGroup) -> dict[str, str]:
    return {
        "tests": str(len(group.outcomes)),
        "failures": str(len(group.failures)),
        "errors": str(len(group.errors)),
    }


def _seconds(milliseconds: float) -> str:
    return f"{milliseconds / 1000:.3f}"


def _xml_text(text: str) -> str:
    """``text`` with the characters XML cannot carry replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)
