"""JUnit XML: one test case per requirement, for CI systems that show test reports.

pass -> a passing case; fail -> <failure>; not_evaluated -> <skipped> (never a pass).
Built with ElementTree, so every message is escaped properly.
"""

from __future__ import annotations

from typing import TextIO
from xml.etree import ElementTree

from rvc.money import fmt_percent, fmt_threshold
from rvc.results import Report, Status


def render(report: Report, stream: TextIO) -> None:
    """Write a <testsuites> document with one <testsuite> for the vehicle."""
    failures = sum(1 for r in report.requirements if r.status is Status.FAIL)
    suites = ElementTree.Element(
        "testsuites", name="rvc", tests=str(len(report.requirements)), failures=str(failures)
    )
    suites.append(suite(report))
    ElementTree.indent(suites)
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(ElementTree.tostring(suites, encoding="unicode"))
    stream.write("\n")


def suite(report: Report) -> ElementTree.Element:
    """The vehicle's <testsuite>: one <testcase> per requirement (a batch has one per file)."""
    vehicle = report.vehicle
    name = f"rvc {vehicle.get('model_line', '')} ({vehicle.get('vehicle_class', '')})"
    failures = sum(1 for r in report.requirements if r.status is Status.FAIL)
    skipped = sum(1 for r in report.requirements if r.status is Status.NOT_EVALUATED)
    suite = ElementTree.Element(
        "testsuite",
        name=name,
        tests=str(len(report.requirements)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    properties = ElementTree.SubElement(suite, "properties")
    for key, value in (
        ("input", report.input.get("path", "")),
        ("as_of", report.as_of.isoformat()),
        ("rules", f"{report.rules['id']} {report.rules['version']}"),
        ("core_part_reading", report.core_reading),
        ("verdict", report.verdict.value),
    ):
        ElementTree.SubElement(properties, "property", name=key, value=value)
    for result in report.requirements:
        case = ElementTree.SubElement(
            suite,
            "testcase",
            classname=f"rvc.{vehicle.get('vehicle_class', 'vehicle')}",
            name=result.id,
        )
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
        elif result.status is Status.NOT_EVALUATED:
            ElementTree.SubElement(case, "skipped", message=result.message)
        else:
            ElementTree.SubElement(case, "system-out").text = text
    return suite
