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
from rvc.results import Status, Verdict
from rvc.text import escape

LISTED = (RESOURCED, REPRICED, ADDED, REMOVED, OTHER)
ROWS = MARKDOWN_ROWS
"""Changed lines listed; the rest are counted (all of them are in -f json)."""
STYLE = {Status.PASS: "bold green", Status.FAIL: "bold red", Status.NOT_EVALUATED: "bold yellow"}
VERDICT_STYLE = {
    Verdict.PASS: "bold green",
    Verdict.FAIL: "bold red",
    Verdict.INCOMPLETE: "bold yellow",
}


def _t(text: object = "", style: str = "", **kwargs: object) -> Text:
    """Input text as a rich `Text`: literal, control characters shown as escapes."""
    return Text(escape(text), style=style, **kwargs)  # type: ignore[arg-type]


def render(
    diff: BomDiff, stream: TextIO, *, width: int | None = None, color: bool | None = None
) -> None:
    """Print the comparison to a stream."""
    console = Console(
        file=stream,
        width=width,
        color_system="auto" if color is not False else None,
        force_terminal=color,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
    )
    console.print(_t("rvc diff", style="bold"))
    console.print(_t(f"Old:    {diff.old.path} ({diff.old.lines} lines)"), soft_wrap=True)
    console.print(_t(f"New:    {diff.new.path} ({diff.new.lines} lines)"), soft_wrap=True)
    rules = diff.rules
    console.print(_t(f"Rules:  {rules.get('id', '')} {rules.get('version', '')}"))
    source = AS_OF_SOURCE.get(diff.as_of_source, diff.as_of_source)
    console.print(_t(f"As of:  {diff.as_of.isoformat()} ({source}), for both"))
    console.print(_t(f"Core parts in the vehicle RVC read as {diff.reading}"))
    console.print()
    console.print(_t(summary(diff), style="bold"))
    console.print()
    _requirements(console, diff)
    _lines(console, diff)
    _verdict(console, diff)


def _status(old: Status | None, new: Status | None) -> Text:
    if old == new:
        return _t(status_text(new), style=STYLE[new] if new else "")
    text = _t(status_text(old), style=STYLE[old] if old else "")
    return text + _t(" -> ") + _t(status_text(new), style=STYLE[new] if new else "")


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
            _t(m.id),
            percent_text(m.old_value, threshold),
            percent_text(m.new_value, threshold),
            points_text(m.delta),
            _status(m.old_status, m.new_status),
        )
    console.print(table)
    for r in diff.readings:
        applied = " (applied)" if r.reading == diff.reading else ""
        console.print(
            _t(
                f"  {r.reading}{applied}: vehicle RVC {percent_text(r.old_rvc)} -> "
                f"{percent_text(r.new_rvc)}, verdict {r.old_verdict.value} -> "
                f"{r.new_verdict.value}"
            )
        )
    for change in diff.vehicle_changes:
        console.print(_t(f"  Vehicle sheet: {change_text(change)}"))
    console.print()


def _lines(console: Console, diff: BomDiff) -> None:
    counts = diff.counts()
    listed = ", ".join(f"{counts[k]} {KIND_LABEL[k]}" for k in LISTED if counts[k])
    head = f"Lines changed: {listed or 'none'}; {diff.unchanged} unchanged"
    console.print(_t(head, style="bold"))
    if diff.lines:
        console.print(
            _t(f"  Largest effect first; {ATTRIBUTION_TEXT.format(reading=diff.reading)}."),
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
            name = _t(line_label(line))
            if line.side.description:
                name += _t(f" {line.side.description}", style="dim")
            table.add_row(
                name,
                _t(KIND_LABEL[line.kind]),
                _t(what_changed(line)),
                money_delta(line.value_delta),
                money_delta(line.non_originating_delta),
            )
        console.print(table)
        hidden = len(diff.lines) - ROWS
        if hidden > 0:
            console.print(_t(f"  ... and {hidden} more changed lines (all in -f json)"))
    if diff.knock_on or diff.recounted:
        console.print(
            _t(
                f"  Unchanged lines' non-originating value in the vehicle moved by "
                f"{money_delta(diff.knock_on)} {diff.currency} (a knock-on of the changes)"
                + (":" if diff.recounted else "")
            )
        )
        for line in diff.recounted[:RECOUNTED_ROWS]:
            console.print(
                _t(f"  - {line_label(line)} {line.side.description}: {recount_text(line)}"),
                overflow="fold",
            )
        hidden = len(diff.recounted) - RECOUNTED_ROWS
        if hidden > 0:
            console.print(_t(f"  - ... and {hidden} more lines that count differently now"))
    console.print()


def _verdict(console: Console, diff: BomDiff) -> None:
    old, new = diff.old.verdict, diff.new.verdict
    text = _t("Verdict: ", style="bold")
    if old != new:
        text += _t(old.value.upper(), style=VERDICT_STYLE[old]) + _t(" -> ")
    text += _t(new.value.upper(), style=VERDICT_STYLE[new])
    if old == new:
        text += _t(" (unchanged)")
    if diff.regressed:
        worse = ", ".join(m.id for m in diff.requirements if m.worse)
        text += _t(f"; worse: {worse}")
    console.print(text)
