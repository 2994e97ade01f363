"""The bad-input document: what every machine format says when a run stops with exit 2.

shared/spec/report-json.md ("Bad input in machine formats"):

    {"schema_version": 1, "tool": {"name": "rvc", "version": "..."},
     "error": {"file": ..., "where": ..., "found": ..., "expected": ..., "message": ...}}

`document()` is the one place that builds it from an `RvcError`; the JSON, JUnit, GitHub,
Markdown, SARIF and text writers each render this dict (their `render_error`), and batch runs
(one document per file that could not be read) call the same function.

`RvcError.where` reads `bom.xlsx: BOM!F2`, `BOM.csv: row 14, column unit_cost`,
`rules/lvc.yaml:12` or just a path; it is split here into the file and the place inside it.
"""

from __future__ import annotations

import re
from typing import Any

from rvc import __version__
from rvc.errors import RvcError

SCHEMA_VERSION = 1
_LINE = re.compile(r"(.+?):(\d+)")


def locate(where: str, file: str | None = None) -> tuple[str, str | None]:
    """(file, place in it) from an error's `where`; `file` is the input being read, if known.

    >>> locate("bom.xlsx: BOM!F2")
    ('bom.xlsx', 'BOM!F2')
    >>> locate("rules/lvc.yaml:12")
    ('rules/lvc.yaml', 'line 12')
    >>> locate("bom.xlsx", "bom.xlsx")
    ('bom.xlsx', None)
    >>> locate("sheet 'BOM'", "bom.xlsx")
    ('bom.xlsx', "sheet 'BOM'")
    """
    if not where:
        return file or "", None
    if file and where == file:
        return file, None
    if file and where.startswith(f"{file}: "):
        return file, where[len(file) + 2 :]
    head, sep, tail = where.partition(": ")
    if sep and head:
        return head, tail
    line = _LINE.fullmatch(where)
    if line:
        return line.group(1), f"line {line.group(2)}"
    if file:
        return file, where
    return where, None


def document(error: RvcError, file: str | None = None) -> dict[str, Any]:
    """The error document for one problem; `file` is the input the run was reading."""
    path, place = locate(error.where, file)
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "rvc", "version": __version__},
        "error": {
            "file": path,
            "where": place,
            "found": error.problem,
            "expected": error.expected or None,
            "message": error.message,
        },
    }


def line(doc: dict[str, Any]) -> str:
    """The one-line message, as on standard error: `rvc: error: <message>`."""
    return f"rvc: error: {doc['error']['message']}"
