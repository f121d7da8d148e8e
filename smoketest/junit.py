"""JUnit XML of a run: one ``<testsuite>`` per app, one ``<testcase>`` per test.

The document follows the JUnit schema CI systems share (the Jenkins xUnit
plugin's ``junit-10.xsd``): ``<failure>``, ``<error>`` and ``<skipped>``
carry a ``message``; times are seconds.
"""

import re
import xml.etree.ElementTree as ET

from smoketest.access import Disclosure
from smoketest.result import OutcomeGroup, RunResult, Status, TestOutcome

SUITES_NAME = "smoketest"

_PROBLEM_TAGS = {Status.FAIL: "failure", Status.ERROR: "error", Status.SKIP: "skipped"}

# Characters XML 1.0 cannot hold at all, not even as a character reference.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def junit_document(result: RunResult | None, shown: Disclosure) -> str:
    """The XML text; only the totals when ``shown`` hides names, and an empty
    ``<testsuites>`` for ``result=None`` (an error answer)."""
    root = ET.Element("testsuites", name=SUITES_NAME)
    if result is None:
        root.attrib.update(tests="0", failures="0", errors="0")
    else:
        root.attrib.update(_counts(result), time=_seconds(result.duration_ms))
        timestamp = result.started_at.isoformat(timespec="seconds")
        for app in result.apps if shown.names else []:
            suite = _element(
                root,
                "testsuite",
                name=app.label,
                **_counts(app),
                skipped=str(len(app.skipped)),
                time=_seconds(app.duration_ms),
                timestamp=timestamp,
            )
            for outcome in app.outcomes:
                _add_testcase(suite, outcome, shown.tracebacks)
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
