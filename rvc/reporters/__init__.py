"""Reporters: a `Report` in, text out. One module per format, chosen through `RENDERERS`.

Each renderer is `(report, stream, *, fail_on="incomplete")`; `outputs` decides where the
text goes (standard output, `-o` files by suffix, the GitHub job summary).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from rvc.reporters.gate import DEFAULT
from rvc.results import Report


def _table(
    report: Report, stream: TextIO, *, fail_on: str = DEFAULT, color: bool | None = None
) -> None:
    from rvc.reporters import terminal

    terminal.render(report, stream, fail_on=fail_on, color=color)


def _json(report: Report, stream: TextIO, *, fail_on: str = DEFAULT) -> None:
    from rvc.reporters import json_report

    json_report.render(report, stream)


def _junit(report: Report, stream: TextIO, *, fail_on: str = DEFAULT) -> None:
    from rvc.reporters import junit

    junit.render(report, stream, fail_on=fail_on)


def _github(report: Report, stream: TextIO, *, fail_on: str = DEFAULT) -> None:
    from rvc.reporters import github

    github.render(report, stream, fail_on=fail_on)


def _markdown(report: Report, stream: TextIO, *, fail_on: str = DEFAULT) -> None:
    from rvc.reporters import markdown

    markdown.render(report, stream, fail_on=fail_on)


def _sarif(report: Report, stream: TextIO, *, fail_on: str = DEFAULT) -> None:
    from rvc.reporters import sarif

    sarif.render(report, stream, fail_on=fail_on)


RENDERERS: dict[str, Callable[..., None]] = {
    "table": _table,
    "json": _json,
    "junit": _junit,
    "github": _github,
    "markdown": _markdown,
    "sarif": _sarif,
}
