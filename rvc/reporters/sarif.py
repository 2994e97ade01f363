"""SARIF 2.1.0, for code-scanning dashboards (GitHub `upload-sarif`, GitLab, Azure DevOps).

One run; one rule per requirement of the report (its id is the stable requirement id); one
result per requirement that fails or is not evaluated, located on the input file (SARIF
assumes source files: the workbook is the artifact, the requirement id the rule, the BOM
rows that matter most are listed in the result's properties). Levels follow `--fail-on`:
a failure is `error`; a requirement not evaluated is `error` under `--fail-on incomplete`
(the default) and `warning` under `--fail-on fail`. Passing requirements are not results
(code scanning would list them as alerts). Bad input (exit 2) is a run whose invocation did
not succeed, with the message as a tool notification and as an `input` result on the file.
"""

from __future__ import annotations

import hashlib
from pathlib import PurePosixPath, PureWindowsPath
from typing import Any, TextIO
from urllib.parse import quote

from rvc import __version__
from rvc.reporters import gate
from rvc.reporters.json_report import dumps_data
from rvc.results import Report, Status

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"


def _driver(rules: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "name": "rvc",
        "version": __version__,
        "semanticVersion": __version__,
        "rules": rules,
    }


def uri(path: str) -> str:
    """A URI reference for a path as given: relative stays relative, absolute is file://.

    >>> uri("bills of materials/bom.xlsx"), uri("/tmp/b#1.xlsx")
    ('bills%20of%20materials/bom.xlsx', 'file:///tmp/b%231.xlsx')
    """
    text = path.replace("\\", "/")
    if PurePosixPath(text).is_absolute() or PureWindowsPath(path).is_absolute():
        drive = PureWindowsPath(path).drive
        return "file://" + ("/" if drive else "") + quote(text, safe="/:")
    return quote(text, safe="/")


def _location(path: str) -> dict[str, Any]:
    return {"physicalLocation": {"artifactLocation": {"uri": uri(path)}}}


def _fingerprint(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


def document(report: Report, *, fail_on: str = gate.DEFAULT) -> dict[str, Any]:
    """The SARIF log as a JSON-ready dict."""
    path = report.input.get("path", "")
    rules = [
        {
            "id": r.id,
            "name": r.id,
            "shortDescription": {"text": r.title or r.id},
            "fullDescription": {"text": r.title or r.id},
            "properties": {"citation": r.citation, "source_status": r.source_status},
        }
        for r in report.requirements
    ]
    results = []
    for index, r in enumerate(report.requirements):
        if r.status is Status.PASS:
            continue
        text = r.message if r.status is Status.FAIL else gate.not_evaluated_text(r.message)
        results.append(
            {
                "ruleId": r.id,
                "ruleIndex": index,
                "level": "error" if gate.blocking(r.status, fail_on) else "warning",
                "message": {"text": text},
                "locations": [_location(path)],
                "partialFingerprints": {
                    "rvcRequirement/v1": _fingerprint(
                        path, report.vehicle.get("model_line", ""), r.id
                    )
                },
                "properties": {
                    "status": r.status.value,
                    "value": r.value,
                    "threshold": r.threshold,
                    "citation": r.citation,
                    "drivers": [
                        {"part_number": d.part_number, "row": d.row, "amount": d.amount}
                        for d in r.drivers
                    ],
                },
            }
        )
    return {
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [
            {
                "tool": {"driver": _driver(rules)},
                "invocations": [
                    {
                        "executionSuccessful": True,
                        "exitCode": gate.exit_code(report, fail_on),
                    }
                ],
                "artifacts": [
                    {
                        "location": {"uri": uri(path)},
                        "hashes": {"sha-256": report.input.get("sha256", "")},
                    }
                ],
                "results": results,
                "properties": {
                    "verdict": report.verdict.value,
                    "as_of": report.as_of,
                    "rules": dict(report.rules),
                    "vehicle": dict(report.vehicle),
                    "fail_on": fail_on,
                },
            }
        ],
    }


def render(report: Report, stream: TextIO, *, fail_on: str = gate.DEFAULT) -> None:
    """Write the SARIF log."""
    stream.write(dumps_data(document(report, fail_on=fail_on)))
    stream.write("\n")


def error_document(doc: dict[str, Any]) -> dict[str, Any]:
    """Bad input as a SARIF log: an unsuccessful invocation and one `input` result."""
    error = doc["error"]
    rule = {
        "id": "input",
        "name": "input",
        "shortDescription": {"text": "The input can be read as the workbook contract says"},
    }
    return {
        "$schema": SCHEMA,
        "version": VERSION,
        "runs": [
            {
                "tool": {"driver": _driver([rule])},
                "invocations": [
                    {
                        "executionSuccessful": False,
                        "exitCode": 2,
                        "toolExecutionNotifications": [
                            {
                                "level": "error",
                                "message": {"text": error["message"]},
                                "locations": [_location(error["file"])],
                            }
                        ],
                    }
                ],
                "results": [
                    {
                        "ruleId": "input",
                        "ruleIndex": 0,
                        "level": "error",
                        "message": {"text": error["message"]},
                        "locations": [_location(error["file"])],
                        "properties": dict(error),
                    }
                ],
            }
        ],
    }


def render_error(doc: dict[str, Any], stream: TextIO) -> None:
    """Write the bad-input SARIF log."""
    stream.write(dumps_data(error_document(doc)))
    stream.write("\n")
