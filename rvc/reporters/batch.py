"""Reports for a batch: many workbooks in one run (`rvc check PATH...`).

Each workbook is rendered on its own, where it was evaluated (a worker process or a Dask
worker), into an `Outcome`: its exit code and its texts in the formats asked for, each exactly
what a single run writes. This module turns outcomes, in sorted path order, into one batch
document per format:

* JSON: ``{"schema_version": 1, "reports": [...]}``, each item the single-workbook document,
  or an error document (`error_document`) for a workbook that could not be read;
* JUnit: one ``<testsuite>`` per workbook, and for a bad one a suite with an ``<error>`` case;
* GitHub: each workbook's annotations, then one line for the batch;
* table: a summary table (one row per workbook) and totals.

Nothing here reads a file or evaluates anything.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TextIO
from xml.etree import ElementTree

from rvc.errors import RvcError
from rvc.money import fmt_percent
from rvc.results import Report, Status

if TYPE_CHECKING:
    from rvc.engine.average import Variant

SCHEMA_VERSION = 1
REQUIREMENT_IDS = ("vehicle-rvc", "core-parts", "steel", "aluminum", "lvc")


@dataclass(slots=True)
class Outcome:
    """One workbook of a batch, evaluated and rendered (picklable: it comes back from workers).

    `exit_code` is the single run's: 0 pass, 1 fail or incomplete, 2 bad input, 3 an internal
    error of rvc. `texts` holds the single-workbook rendering per format asked for.
    """

    path: str
    exit_code: int
    verdict: str | None = None
    reading: str = ""
    error: dict[str, str] | None = None
    requirements: list[tuple[str, str, str]] = field(default_factory=list)  # id, status, value
    counts: tuple[int, int, int] = (0, 0, 0)  # tests, failures, skipped (JUnit)
    texts: dict[str, str] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)  # "xlsx": the audit workbook
    verbose: list[str] = field(default_factory=list)
    report: Report | None = None  # only when asked for ("report" in the formats)
    variant: Variant | None = None  # rvc average: the figures the average needs


def error_document(error: RvcError, path: str) -> dict[str, Any]:
    """The JSON error document for a workbook that could not be read: the one shape every
    format uses (`rvc.reporters.input_error.document`)."""
    from rvc.reporters import input_error

    return input_error.document(error, path)


def report_outcome(
    report: Report,
    path: str,
    formats: frozenset[str],
    command_line: str = "",
    fail_on: str = "incomplete",
) -> Outcome:
    """A workbook's outcome from its report, rendered in `formats` (json, junit, github, and
    xlsx: the audit workbook's bytes, recording `command_line`); its exit code, JUnit and
    GitHub levels follow `fail_on` (--fail-on), as in a single run."""
    from rvc.reporters import gate, json_report

    texts: dict[str, str] = {}
    if "json" in formats:
        texts["json"] = json_report.dumps(report)
    if "junit" in formats:
        from rvc.reporters import junit

        suite = junit.clean(junit.suite(report, fail_on=fail_on))
        ElementTree.indent(suite, level=1)
        texts["junit"] = "  " + ElementTree.tostring(suite, encoding="unicode")
    if "github" in formats:
        from rvc.reporters import github

        stream = io.StringIO()
        github.render(report, stream, fail_on=fail_on)
        texts["github"] = stream.getvalue()
    statuses = [r.status for r in report.requirements]
    files = {"xlsx": audit_workbook_bytes(report, command_line)} if "xlsx" in formats else {}
    return Outcome(
        path=path,
        exit_code=gate.exit_code(report, fail_on),
        verdict=report.verdict.value,
        reading=report.core_reading,
        requirements=[
            (
                r.id,
                r.status.value,
                fmt_percent(r.value, r.threshold) if r.value is not None else "-",
            )
            for r in report.requirements
        ],
        counts=(  # as the workbook's own <testsuite> counts them (rvc.reporters.junit.suite)
            len(statuses),
            sum(1 for s in statuses if gate.blocking(s, fail_on)),
            sum(1 for s in statuses if s is Status.NOT_EVALUATED and not gate.blocking(s, fail_on)),
        ),
        texts=texts,
        files=files,
        report=report if "report" in formats else None,
    )


def audit_workbook_bytes(report: Report, command_line: str) -> bytes:
    """The audit workbook of `report` (`-o report.xlsx`'s), as bytes: rendered where the
    workbook was checked (a worker process, or a Dask worker that may not see the client's
    disk), written by the client into `--output-dir`."""
    import tempfile
    from pathlib import Path

    from rvc.reporters.audit_workbook import write_audit_workbook

    bill = report.source
    mapping = bill.provenance.mapping if bill and bill.provenance else []
    label = next(
        (m.removeprefix("settings from ") for m in mapping if m.startswith("settings from ")), ""
    )
    with tempfile.TemporaryDirectory(prefix="rvc-audit-") as folder:
        target = Path(folder) / "audit.xlsx"
        write_audit_workbook(
            report, target, command_line=command_line, settings_label=label, bill=bill
        )
        return target.read_bytes()


def error_outcome(error: RvcError, path: str, formats: frozenset[str], code: int = 2) -> Outcome:
    """A workbook that could not be read (exit 2), or that met a bug of rvc (exit 3)."""
    document = error_document(error, path)
    texts: dict[str, str] = {}
    if "json" in formats:
        from rvc.reporters.json_report import inert

        texts["json"] = inert(json.dumps(document, indent=2, ensure_ascii=False))
    if "junit" in formats:
        texts["junit"] = _error_suite(document, code)
    if "github" in formats:
        from rvc.reporters.github import _data, _property

        title = "rvc: bad input" if code == 2 else "rvc: internal error"
        texts["github"] = (
            f"::error file={_property(document['error']['file'])},title={_property(title)}::"
            f"{_data(error.message)}\n"
        )
    return Outcome(path=path, exit_code=code, error=document["error"], texts=texts)


def _error_suite(document: dict[str, Any], code: int) -> str:
    error = document["error"]
    suite = ElementTree.Element(
        "testsuite", name=f"rvc {error['file']}", tests="1", failures="0", errors="1", skipped="0"
    )
    case = ElementTree.SubElement(suite, "testcase", classname="rvc.input", name="read")
    ElementTree.SubElement(
        case, "error", message=error["message"], type="bad_input" if code == 2 else "internal"
    ).text = error["message"]
    from rvc.reporters.junit import clean

    ElementTree.indent(clean(suite), level=1)
    return "  " + ElementTree.tostring(suite, encoding="unicode")


def exit_code(outcomes: list[Outcome]) -> int:
    """The batch's exit code: 3 if rvc itself failed on a workbook, else 2 if any input was
    bad, else 1 if any workbook fails or is incomplete, else 0 (also for an empty batch)."""
    return max((o.exit_code for o in outcomes), default=0)


def write_json(outcomes: list[Outcome], stream: TextIO) -> None:
    """``{"schema_version": 1, "reports": [...]}``, each item exactly a single run's document
    (indented one level deeper: the same text `json.dumps(..., indent=2)` would give)."""
    stream.write('{\n  "schema_version": 1,\n  "reports": [')
    for n, outcome in enumerate(outcomes):
        stream.write(",\n    " if n else "\n    ")
        stream.write(outcome.texts["json"].replace("\n", "\n    "))
    stream.write("\n  ]\n}\n" if outcomes else "]\n}\n")


def write_junit(outcomes: list[Outcome], stream: TextIO) -> None:
    """One <testsuites> with each workbook's <testsuite>, in order."""
    tests = sum(o.counts[0] if o.error is None else 1 for o in outcomes)
    failures = sum(o.counts[1] for o in outcomes)
    errors = sum(1 for o in outcomes if o.error is not None)
    head = ElementTree.Element(
        "testsuites", name="rvc", tests=str(tests), failures=str(failures), errors=str(errors)
    )
    opening = ElementTree.tostring(head, encoding="unicode").replace(" />", ">")
    stream.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    stream.write(opening + "\n")
    for outcome in outcomes:
        stream.write(outcome.texts["junit"].rstrip() + "\n")
    stream.write("</testsuites>\n")


def totals(outcomes: list[Outcome]) -> str:
    """`3 workbooks: 1 pass, 1 fail, 0 incomplete, 1 bad input (exit 2)`."""
    counts = {"pass": 0, "fail": 0, "incomplete": 0}
    for outcome in outcomes:
        if outcome.verdict is not None:
            counts[outcome.verdict] += 1
    bad = sum(1 for o in outcomes if o.exit_code == 2)
    internal = sum(1 for o in outcomes if o.exit_code == 3)
    text = (
        f"{len(outcomes)} workbook{'s' if len(outcomes) != 1 else ''}: {counts['pass']} pass, "
        f"{counts['fail']} fail, {counts['incomplete']} incomplete, {bad} bad input"
    )
    if internal:
        text += f", {internal} internal error{'s' if internal > 1 else ''} of rvc"
    return f"{text} (exit {exit_code(outcomes)})"


def write_github(outcomes: list[Outcome], stream: TextIO) -> None:
    """Each workbook's annotations, on its own file, then the batch's totals."""
    from rvc.reporters.github import _data, _property

    for outcome in outcomes:
        stream.write(outcome.texts["github"])
    level = "notice" if exit_code(outcomes) == 0 else "error"
    title = _property("rvc batch")
    stream.write(f"::{level} title={title}::{_data(totals(outcomes))}\n")


def _shown(text: str) -> str:
    r"""Input text (paths, messages quoting cells) made safe for a terminal: a control or other
    unprintable character is shown as its escape (`\x1b`), never sent as is.

    Examples:
        >>> _shown("bom\x1b[2J.xlsx")
        'bom\\x1b[2J.xlsx'
    """
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def write_table(
    outcomes: list[Outcome], stream: TextIO, *, width: int | None = None, color: bool | None = None
) -> None:
    """The summary: one row per workbook (verdict, each requirement's status and value, the
    reading), the located message of each bad workbook, then the totals."""
    from rich.table import Table
    from rich.text import Text

    console = _console(stream, width, color)
    rows = [[Text(_shown(outcome.path)), *_row(outcome)] for outcome in outcomes]
    headers = ["Workbook", "Verdict", *REQUIREMENT_IDS, "Reading"]
    if _fits(console.width, headers, rows):
        table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
        for name in headers:
            table.add_column(name, justify="left" if name in headers[:2] else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
    else:
        _as_lines(console, headers, rows)
    bad = [o for o in outcomes if o.error is not None]
    if bad:
        console.print()
        for outcome in bad:
            assert outcome.error is not None
            label = "bad input" if outcome.exit_code == 2 else "internal error of rvc"
            message = _shown(outcome.error["message"])
            console.print(Text(f"{label}: ", style="bold red") + Text(message))
    console.print()
    console.print(Text("Total: ", style="bold") + Text(totals(outcomes)))


def _fits(width: int, headers: list[str], rows: list[list[Any]]) -> bool:
    """Whether the table fits `width` with no cell cut (one space between columns)."""
    widths = [
        max([len(header), *(len(row[i].plain) for row in rows)]) for i, header in enumerate(headers)
    ]
    return sum(widths) + len(widths) - 1 <= width


def _as_lines(console: Any, headers: list[str], rows: list[list[Any]]) -> None:
    """A narrow terminal: each workbook on its own lines, numbers whole (never a cut cell)."""
    from rich.text import Text

    for row in rows:
        console.print(row[0] + Text("  ") + row[1])
        for header, cell in zip(headers[2:], row[2:], strict=True):
            if cell.plain:
                console.print(Text(f"  {header} ") + cell)


def _console(stream: TextIO, width: int | None, color: bool | None) -> Any:
    """The table's console (terminal.safe_console): a file gets 240 columns (never a cut
    cell); a closed pipe is left to the caller (`outputs.to_stdout`), which keeps the batch's
    exit code."""
    from rvc.reporters.terminal import safe_console

    wide = None if width is not None or stream.isatty() else 240
    return safe_console(stream, width=width or wide, color=color)


_VERDICT_STYLE = {"pass": "bold green", "fail": "bold red", "incomplete": "bold yellow"}


def _row(outcome: Outcome) -> list[Any]:
    """A workbook's cells after its path: verdict, each requirement, the reading."""
    from rich.text import Text

    from rvc.reporters.terminal import LABEL, STYLE

    if outcome.verdict is None:
        label = "BAD INPUT" if outcome.exit_code == 2 else "RVC ERROR"
        return [Text(label, style="bold red"), *(Text("-") for _ in REQUIREMENT_IDS), Text("")]
    found = {r[0]: r for r in outcome.requirements}
    cells = [Text(outcome.verdict.upper(), style=_VERDICT_STYLE[outcome.verdict])]
    for requirement in REQUIREMENT_IDS:
        if requirement not in found:
            cells.append(Text("-"))
            continue
        _, status, value = found[requirement]
        short = LABEL[Status(status)].replace("NOT EVALUATED", "N/E")
        cells.append(Text(f"{short} {value}", style=STYLE[Status(status)]))
    cells.append(Text(outcome.reading))
    return cells


@contextmanager
def progress(enabled: bool, total: int) -> Iterator[Callable[[int], None]]:
    """A progress bar on standard error while workbooks are checked (only when `enabled`:
    the table format on a terminal); yields the function that advances it."""
    if not enabled:
        yield lambda n: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    with Progress(
        "checking",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task("check", total=total)
        yield lambda n: bar.advance(task, n)
