"""GitHub Actions workflow commands: one annotation per requirement that did not pass.

fail -> ::error; not_evaluated -> ::error under `--fail-on incomplete` (the default: it fails
the run), ::warning under `--fail-on fail`; then the verdict (::notice when the run passes).
Bad input is one ::error annotation on the file at fault. Values are escaped as the
workflow-command syntax requires (%, CR, LF in the message; also : and , in properties).
The Markdown job summary (GITHUB_STEP_SUMMARY) is written by rvc.reporters.outputs.
"""

from __future__ import annotations

from typing import Any, TextIO

from rvc.reporters import gate
from rvc.results import Report, Status, Verdict
from rvc.text import escape


def _data(text: str) -> str:
    """GitHub's escaping of command data (%, CR, LF), after every other control character is
    shown as an escape: input can never end the line and forge a second command."""
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return escape(text)


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def render(report: Report, stream: TextIO, *, fail_on: str = gate.DEFAULT) -> None:
    """Write the annotations, one per line."""
    path = _property(report.input.get("path", ""))
    for result in report.requirements:
        if result.status is Status.PASS:
            continue
        level = "error" if gate.blocking(result.status, fail_on) else "warning"
        title = _property(f"rvc {result.id}: {result.status.value}")
        stream.write(f"::{level} file={path},title={title}::{_data(result.message)}\n")
    verdict = report.verdict
    counts = ", ".join(f"{n} {s.value}" for s, n in report.counts().items())
    code = gate.exit_code(report, fail_on)
    level = "notice" if verdict is Verdict.PASS else "error" if code else "warning"
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


def render_error(doc: dict[str, Any], stream: TextIO) -> None:
    """Bad input: one ::error annotation on the file, with the one-line message."""
    error = doc["error"]
    title = _property("rvc: bad input")
    stream.write(f"::error file={_property(error['file'])},title={title}::")
    stream.write(_data(error["message"]) + "\n")
