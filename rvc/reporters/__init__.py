"""Reporters: a `Report` in, text out. One module per format, chosen through `RENDERERS`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TextIO

from rvc.results import Report


def _table(report: Report, stream: TextIO) -> None:
    from rvc.reporters import terminal

    terminal.render(report, stream)


def _json(report: Report, stream: TextIO) -> None:
    from rvc.reporters import json_report

    json_report.render(report, stream)


def _junit(report: Report, stream: TextIO) -> None:
    from rvc.reporters import junit

    junit.render(report, stream)


def _github(report: Report, stream: TextIO) -> None:
    from rvc.reporters import github

    github.render(report, stream)


RENDERERS: dict[str, Callable[[Report, TextIO], None]] = {
    "table": _table,
    "json": _json,
    "junit": _junit,
    "github": _github,
}
