"""The JUnit XML reporter: one test suite per file, one test case per finding.

Suites are per file, not per rule: CI test views (GitLab's test report, Jenkins, the JUnit
actions on GitHub) list suites first, and "which file is broken" is what a reader looks for.
Errors and warnings are failures; info findings are notes, so they are passing test cases
whose ``system-out`` holds the note. Files without findings are not named in a
``LintResult``; one passing test case in a ``meshlint`` suite counts them.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from itertools import groupby

from meshlint.findings import Finding, LintResult, Severity
from meshlint.rule import DOCS_BASE, Rule

# characters XML 1.0 cannot carry at all, even escaped
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
SUITE = "meshlint"


def xml_text(value: str) -> str:
    """``value`` with characters XML cannot hold replaced by U+FFFD (ElementTree escapes)."""
    return _NOT_XML.sub("\ufffd", value)


def render(result: LintResult, rules: Mapping[str, Rule], /, *, show_docs: bool = False) -> str:
    """The ``<testsuites>`` document with an XML declaration and a trailing newline."""
    root = ET.Element("testsuites", name=SUITE)
    by_file = groupby(result.findings, key=lambda f: f.span.path)
    paths = 0
    for path, findings in by_file:
        root.append(_suite(path, list(findings), rules, show_docs))
        paths += 1
    clean = result.files - paths
    if clean > 0 or not result.findings:
        root.append(_clean_suite(max(clean, 0)))
    _count(root, root.findall("testsuite"))
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _suite(
    path: str, findings: list[Finding], rules: Mapping[str, Rule], show_docs: bool
) -> ET.Element:
    suite = ET.Element("testsuite", name=xml_text(path))
    for finding in findings:
        suite.append(_case(finding, rules, show_docs))
    _count(suite, suite.findall("testcase"))
    return suite


def _case(finding: Finding, rules: Mapping[str, Rule], show_docs: bool) -> ET.Element:
    span = finding.span
    case = ET.Element(
        "testcase",
        classname=xml_text(span.path),
        name=xml_text(f"{finding.code} {_name(finding, rules)} at {span.line}:{span.column}"),
        file=xml_text(span.path),
        line=str(span.line),
        time="0",
    )
    body = xml_text(_details(finding, rules, show_docs))
    if finding.severity is Severity.INFO:
        ET.SubElement(case, "system-out").text = body
    else:
        failure = ET.SubElement(
            case, "failure", message=xml_text(finding.message), type=finding.severity.value
        )
        failure.text = body
    return case


def _details(finding: Finding, rules: Mapping[str, Rule], show_docs: bool) -> str:
    lines = [
        f"{finding.span}: {finding.severity.value} {finding.code} {finding.message} "
        f"[{_name(finding, rules)}]"
    ]
    lines.extend(f"  {related.span}: note: {related.message}" for related in finding.related)
    if show_docs:
        rule = rules.get(finding.code)
        lines.append(f"  docs: {rule.docs_url if rule else DOCS_BASE + finding.code}")
    return "\n".join(lines)


def _clean_suite(clean: int) -> ET.Element:
    suite = ET.Element("testsuite", name=SUITE)
    word = "file" if clean == 1 else "files"
    ET.SubElement(
        suite, "testcase", classname=SUITE, name=f"{clean} {word} without findings", time="0"
    )
    _count(suite, suite.findall("testcase"))
    return suite


def _count(element: ET.Element, children: list[ET.Element]) -> None:
    """Set ``tests``, ``failures``, ``errors``, ``skipped`` and ``time`` from ``children``."""
    if element.tag == "testsuites":
        tests = sum(int(child.get("tests", "0")) for child in children)
        failures = sum(int(child.get("failures", "0")) for child in children)
    else:
        tests = len(children)
        failures = sum(1 for child in children if child.find("failure") is not None)
    element.set("tests", str(tests))
    element.set("failures", str(failures))
    element.set("errors", "0")
    element.set("skipped", "0")
    element.set("time", "0")


def _name(finding: Finding, rules: Mapping[str, Rule]) -> str:
    rule = rules.get(finding.code)
    return rule.name if rule is not None else finding.rule
