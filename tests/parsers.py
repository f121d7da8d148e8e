"""Read the report formats back with real parsers: html5lib, the official
prometheus_client parsers, and an XML parser plus the common JUnit schema.
Each takes the body as bytes or text."""

import re
import xml.etree.ElementTree as ET

import html5lib
from prometheus_client.openmetrics.parser import text_string_to_metric_families as parse_openmetrics
from prometheus_client.parser import text_string_to_metric_families as parse_prometheus

# The common JUnit schema (the Jenkins xUnit plugin's junit-10.xsd), as rules.
JUNIT_TIME = re.compile(r"(([0-9]{0,3},)*[0-9]{3}|[0-9]{0,3})*(\.[0-9]*)?")
JUNIT_ELEMENTS = {
    # tag: (required attributes, allowed attributes, allowed children)
    "testsuites": (set(), {"name", "time", "tests", "failures", "errors"}, {"testsuite"}),
    "testsuite": (
        {"name", "tests", "failures", "errors"},
        {"name", "tests", "failures", "errors", "group", "time", "skipped", "timestamp", "hostname", "id"}
        | {"package", "file", "log", "url"},
        {"testsuite", "properties", "testcase", "system-out", "system-err"},
    ),
    "testcase": (
        {"name"},
        {"name", "time", "classname", "group"},
        {"skipped", "error", "failure", "system-out", "system-err"},
    ),
    "properties": (set(), set(), {"property"}),
    "property": ({"name", "value"}, {"name", "value"}, set()),
    "failure": (set(), {"type", "message"}, set()),
    "error": (set(), {"type", "message"}, set()),
    "skipped": (set(), {"type", "message"}, set()),
}


def _text(body: bytes | str) -> str:
    return body.decode() if isinstance(body, bytes) else body


def parse_html(body: bytes | str) -> ET.Element:
    """The page as an element tree; any HTML parse error fails the test."""
    return html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(_text(body))


def text(element: ET.Element) -> str:
    """The element's text, whitespace collapsed."""
    return " ".join("".join(element.itertext()).split())


def metric_families(body: bytes | str, *, openmetrics: bool = False) -> dict:
    """Metric families by name, read by prometheus_client's own parser."""
    parser = parse_openmetrics if openmetrics else parse_prometheus
    return {family.name: family for family in parser(_text(body))}


def sample_values(family) -> dict:
    """``{sorted label pairs: value}`` of a metric family's samples."""
    return {tuple(sorted(sample.labels.items())): sample.value for sample in family.samples}


def assert_junit_schema(element: ET.Element, expected_tag: str = "testsuites") -> None:
    """``element`` follows the common JUnit schema's structure and types."""
    assert element.tag == expected_tag
    required, allowed, children = JUNIT_ELEMENTS[element.tag]
    assert required <= set(element.attrib) <= allowed, (element.tag, element.attrib)
    for name in {"tests", "failures", "errors", "skipped"} & set(element.attrib):
        assert element.get(name).isdigit()
    if "time" in element.attrib:
        assert JUNIT_TIME.fullmatch(element.get("time")), element.get("time")
    for child in element:
        assert child.tag in children, (element.tag, child.tag)
        assert_junit_schema(child, child.tag)


def parse_junit(body: bytes | str) -> ET.Element:
    """The ``<testsuites>`` root, checked against the schema rules."""
    assert _text(body).startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    root = ET.fromstring(body)
    assert_junit_schema(root)
    return root
