"""`rvc diff` for a terminal: the summary, requirements before and after, the changed lines.

Input text (part numbers, descriptions, paths) goes into rich as `Text` objects and the
console has markup off, so `[bold]` in a description prints as typed. Colour only on a
terminal (`NO_COLOR` honoured).
"""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from rvc.engine.diff import ADDED, OTHER, REMOVED, REPRICED, RESOURCED, BomDiff
from rvc.reporters.diff import (
    AS_OF_SOURCE,
    ATTRIBUTION_TEXT,
    KIND_LABEL,
    MARKDOWN_ROWS,
    RECOUNTED_ROWS,
    change_text,
    line_label,
    money_delta,
    percent_text,
    points_text,
    recount_text,
    status_text,
    summary,
    what_changed,
)
from rvc.reporters.terminal import literal, safe_console
from rvc.results import Status, Verdict

LISTED = (RESOURCED, REPRICED, ADDED, REMOVED, OTHER)
ROWS = MARKDOWN_ROWS
"""Changed lines listed; the rest are counted (all of them are in -f json)."""
STYLE = {Status.PASS: "bold green", Status.FAIL: "bold red", Status.NOT_EVALUATED: "bold yellow"}
VERDICT_STYLE = {
    Verdict.PASS: "bold green",
    Verdict.FAIL: "bold red",
    Verdict.INCOMPLETE: "bold yellow",
}


def render(
    diff: BomDiff, stream: TextIO, *, width: int | None = None, color: bool | None = None
) -> None:
    """Print the comparison to a stream."""
    console = safe_console(stream, width=width, color=color)
    console.print(literal("rvc diff", style="bold"))
    console.print(literal(f"Old:    {diff.old.path} ({diff.old.lines} lines)"), soft_wrap=True)
    console.print(literal(f"New:    {diff.new.path} ({diff.new.lines} lines)"), soft_wrap=True)
    rules = diff.rules
    console.print(literal(f"Rules:  {rules.get('id', '')} {rules.get('version', '')}"))
    source = AS_OF_SOURCE.get(diff.as_of_source, diff.as_of_source)
    console.print(literal(f"As of:  {diff.as_of.isoformat()} ({source}), for both"))
    console.print(literal(f"Core parts in the vehicle RVC read as {diff.reading}"))
    console.print()
    console.print(literal(summary(diff), style="bold"))
    console.print()
    _requirements(console, diff)
    _lines(console, diff)
    _verdict(console, diff)


def _status(old: Status | None, new: Status | None) -> Text:
    if old == new:
        return literal(status_text(new), style=STYLE[new] if new else "")
    text = literal(status_text(old), style=STYLE[old] if old else "")
    return text + literal(" -> ") + literal(status_text(new), style=STYLE[new] if new else "")


def _requirements(console: Console, diff: BomDiff) -> None:
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    table.add_column("Requirement", no_wrap=True)
    table.add_column("Before", justify="right", no_wrap=True)
    table.add_column("After", justify="right", no_wrap=True)
    table.add_column("Change", justify="right", no_wrap=True)
    table.add_column("Status", no_wrap=True)
    for m in diff.requirements:
        threshold = m.new_threshold if m.new_threshold is not None else m.old_threshold
        table.add_row(
            literal(m.id),
            percent_text(m.old_value, threshold),
            percent_text(m.new_value, threshold),
            points_text(m.delta),
            _status(m.old_status, m.new_status),
        )
    console.print(table)
    for r in diff.readings:
        applied = " (applied)" if r.reading == diff.reading else ""
        console.print(
            literal(
                f"  {r.reading}{applied}: vehicle RVC {percent_text(r.old_rvc)} -> "
                f"{percent_text(r.new_rvc)}, verdict {r.old_verdict.value} -> "
                f"{r.new_verdict.value}"
            )
        )
    for change in diff.vehicle_changes:
        console.print(literal(f"  Vehicle sheet: {change_text(change)}"))
    console.print()


def _lines(console: Console, diff: BomDiff) -> None:
    counts = diff.counts()
    listed = ", ".join(f"{counts[k]} {KIND_LABEL[k]}" for k in LISTED if counts[k])
    head = f"Lines changed: {listed or 'none'}; {diff.unchanged} unchanged"
    console.print(literal(head, style="bold"))
    if diff.lines:
        console.print(
            literal(f"  Largest effect first; {ATTRIBUTION_TEXT.format(reading=diff.reading)}."),
            overflow="fold",
        )
        table = Table(
            box=None, show_edge=False, pad_edge=False, header_style="bold", padding=(0, 1)
        )
        table.add_column("Line", overflow="fold", max_width=30)
        table.add_column("Change", no_wrap=True)
        table.add_column("What changed", overflow="fold")
        table.add_column(f"Value ({diff.currency})", justify="right", no_wrap=True)
        table.add_column(f"Non-orig. ({diff.currency})", justify="right", no_wrap=True)
        for line in diff.lines[:ROWS]:
            name = literal(line_label(line))
            if line.side.description:
                name += literal(f" {line.side.description}", style="dim")
            table.add_row(
                name,
                literal(KIND_LABEL[line.kind]),
                literal(what_changed(line)),
                money_delta(line.value_delta),
                money_delta(line.non_originating_delta),
            )
        console.print(table)
        hidden = len(diff.lines) - ROWS
        if hidden > 0:
            console.print(literal(f"  ... and {hidden} more changed lines (all in -f json)"))
    if diff.knock_on or diff.recounted:
        console.print(
            literal(
                f"  Unchanged lines' non-originating value in the vehicle moved by "
                f"{money_delta(diff.knock_on)} {diff.currency} (a knock-on of the changes)"
                + (":" if diff.recounted else "")
            )
        )
        for line in diff.recounted[:RECOUNTED_ROWS]:
            console.print(
                literal(f"  - {line_label(line)} {line.side.description}: {recount_text(line)}"),
                overflow="fold",
            )
        hidden = len(diff.recounted) - RECOUNTED_ROWS
        if hidden > 0:
            console.print(literal(f"  - ... and {hidden} more lines that count differently now"))
    console.print()


def _verdict(console: Console, diff: BomDiff) -> None:
    old, new = diff.old.verdict, diff.new.verdict
    text = literal("Verdict: ", style="bold")
    if old != new:
        text += literal(old.label, style=VERDICT_STYLE[old]) + literal(" -> ")
    text += literal(new.label, style=VERDICT_STYLE[new])
    if old == new:
        text += literal(" (unchanged)")
    if diff.regressed:
        worse = ", ".join(m.id for m in diff.requirements if m.worse)
        text += literal(f"; worse: {worse}")
    console.print(text)
