"""GitHub Actions workflow commands: one annotation per requirement that did not pass.

fail -> ::error, not_evaluated -> ::warning, then a ::notice with the verdict. Values are
escaped as the workflow-command syntax requires (%, CR, LF; and : , in properties).
"""

from __future__ import annotations

from typing import TextIO

from rvc.results import Report, Status, Verdict
from rvc.text import escape


def _data(text: str) -> str:
    """GitHub's escaping of command data (%, CR, LF), after every other control character is
    shown as an escape: input can never end the line and forge a second command."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escape(text)


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, stream: TextIO) -> None:
    """Write the annotations, one per line."""
    path = _property(report.input.get("path", ""))
    for result in report.requirements:
        if result.status is Status.PASS:
            continue
        level = "error" if result.status is Status.FAIL else "warning"
        title = _property(f"rvc {result.id}: {result.status.value}")
        stream.write(f"::{level} file={path},title={title}::{_data(result.message)}\n")
    verdict = report.verdict
    counts = ", ".join(
        f"{sum(1 for r in report.requirements if r.status is s)} {s.value}" for s in Status
    )
    level = "notice" if verdict is Verdict.PASS else "error"
    title = _property(f"rvc verdict: {verdict.value}")
    stream.write(
        f"::{level} file={path},title={title}::"
        + _data(
            f"{report.vehicle.get('model_line', '')}: {verdict.value} on "
            f"{report.as_of.isoformat()} ({counts}; rules {report.rules['id']} "
            f"{report.rules['version']})"
        )
        + "\n"
    )
