"""JUnit XML: one test case per requirement, for CI systems that show test reports.

pass -> a passing case; fail -> <failure type="fail">; not_evaluated -> <failure
type="not_evaluated"> under `--fail-on incomplete` (the default), <skipped> under `--fail-on
fail`. Why not <skipped> by default: test-report consumers (the Jenkins JUnit plugin, GitLab's
test report, dorny/test-reporter, mikepenz/action-junit-report) count a skipped case as not
failed, so a report whose only non-passing cases are skipped shows green, and an incomplete
vehicle must not look like a pass. Bad input (exit 2) is one test case with <error type="input">.
Built with ElementTree, so every message is escaped properly.
"""

from __future__ import annotations

from typing import Any, TextIO
from xml.etree import ElementTree

from rvc.money import fmt_percent, fmt_threshold
from rvc.reporters import gate
from rvc.results import Report, RequirementResult, Status
from rvc.text import escape


def render(report: Report, stream: TextIO, *, fail_on: str = gate.DEFAULT) -> None:
    """Write a <testsuites> document with one <testsuite> for the vehicle."""
    failures = sum(1 for r in report.requirements if gate.blocking(r.status, fail_on))
    suites = ElementTree.Element(
        "testsuites", name="rvc", tests=str(len(report.requirements)), failures=str(failures)
    )
    suites.append(suite(report, fail_on=fail_on))
    _write(suites, stream)


def suite(report: Report, *, fail_on: str = gate.DEFAULT) -> ElementTree.Element:
    """The vehicle's <testsuite>: one <testcase> per requirement (a batch has one per file)."""
    vehicle = report.vehicle
    name = f"rvc {vehicle.get('model_line', '')} ({vehicle.get('vehicle_class', '')})"
    failures = sum(1 for r in report.requirements if gate.blocking(r.status, fail_on))
    skipped = sum(
        1
        for r in report.requirements
        if r.status is Status.NOT_EVALUATED and not gate.blocking(r.status, fail_on)
    )
    element = ElementTree.Element(
        "testsuite",
        name=name,
        tests=str(len(report.requirements)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    properties = ElementTree.SubElement(element, "properties")
    for key, value in (
        ("input", report.input.get("path", "")),
        ("as_of", report.as_of.isoformat()),
        ("rules", f"{report.rules['id']} {report.rules['version']}"),
        ("core_part_reading", report.core_reading),
        ("verdict", report.verdict.value),
    ):
        ElementTree.SubElement(properties, "property", name=key, value=value)
    for result in report.requirements:
        _case(element, result, vehicle.get("vehicle_class", "vehicle"), fail_on)
    return element


def _case(element: ElementTree.Element, result: RequirementResult, cls: str, fail_on: str) -> None:
    case = ElementTree.SubElement(element, "testcase", classname=f"rvc.{cls}", name=result.id)
    text = result.message
    if result.value is not None and result.threshold is not None:
        text = (
            f"{fmt_percent(result.value, result.threshold)} against "
            f"{fmt_threshold(result.threshold)}: {result.message}"
        )
    if result.citation:
        text += f" [{result.citation}]"
    if result.status is Status.FAIL:
        ElementTree.SubElement(case, "failure", message=result.message, type="fail").text = text
    elif result.status is Status.NOT_EVALUATED and gate.blocking(result.status, fail_on):
        ElementTree.SubElement(
            case, "failure", message=gate.not_evaluated_text(result.message), type="not_evaluated"
        ).text = text
    elif result.status is Status.NOT_EVALUATED:
        ElementTree.SubElement(case, "skipped", message=result.message)
    else:
        ElementTree.SubElement(case, "system-out").text = text


def render_error(doc: dict[str, Any], stream: TextIO) -> None:
    """Bad input: one test suite, one test case carrying <error type="input">."""
    error = doc["error"]
    suites = ElementTree.Element("testsuites", name="rvc", tests="1", failures="0", errors="1")
    suite = ElementTree.SubElement(
        suites,
        "testsuite",
        name=f"rvc {error['file']}",
        tests="1",
        failures="0",
        errors="1",
        skipped="0",
    )
    properties = ElementTree.SubElement(suite, "properties")
    ElementTree.SubElement(properties, "property", name="input", value=error["file"])
    ElementTree.SubElement(properties, "property", name="verdict", value="error")
    case = ElementTree.SubElement(suite, "testcase", classname="rvc.input", name=error["file"])
    lines = [f"{key}: {error[key]}" for key in ("file", "where", "found", "expected") if error[key]]
    ElementTree.SubElement(case, "error", message=error["message"], type="input").text = "\n".join(
        lines
    )
    _write(suites, stream)


def _clean(text: str | None, *, lines: bool = False) -> str | None:
    """Input text made safe for XML and for a reader: control characters shown as visible
    escapes (rvc.text.escape), the line breaks of a multi-line text kept."""
    if text is None:
        return None
    if lines:
        return "\n".join(escape(part) for part in text.split("\n"))
    return escape(text)


def clean(tree: ElementTree.Element) -> ElementTree.Element:
    """Every text and attribute of `tree` made safe (`_clean`), in place; returns `tree`.
    A batch's suites go through here too: a raw ESC in a file name is ill-formed XML."""
    for element in tree.iter():
        element.text = _clean(element.text, lines=True)
        for key, value in element.attrib.items():
            element.attrib[key] = _clean(value) or ""
    return tree


def _write(suites: ElementTree.Element, stream: TextIO) -> None:
    clean(suites)
    ElementTree.indent(suites)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ElementTree.tostring(suites, encoding="unicode"))
    stream.write("\n")
