"""`rvc diff` reports: the summary line, JSON (`diff.schema.json`) and a Markdown comment.

A `BomDiff` in, text out; nothing is computed here beyond formatting. The table format is in
`diff_table` (rich is imported only when it is used).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal
from typing import Any, TextIO

from rvc.engine.diff import (
    ADDED,
    KINDS,
    OTHER,
    REMOVED,
    REPRICED,
    RESOURCED,
    BomDiff,
    FieldChange,
    LineChange,
    LineSide,
    RequirementMove,
)
from rvc.money import fmt_amount, fmt_number, fmt_percent
from rvc.reporters import json_report
from rvc.results import Status, Verdict
from rvc.text import escape

SCHEMA_VERSION = 1
MARKDOWN_ROWS = 50
"""Changed lines listed in a Markdown comment; the rest are counted."""
RECOUNTED_ROWS = 10
"""Unchanged lines that count differently now, listed before the rest are counted."""

KIND_LABEL = {
    ADDED: "added",
    REMOVED: "removed",
    RESOURCED: "re-sourced",
    REPRICED: "re-priced",
    OTHER: "other change",
}
AS_OF_SOURCE = {
    "option": "from --as-of",
    "new": "the new workbook's as_of",
    "today": "today: no --as-of and no as_of in the new workbook",
}
ATTRIBUTION_TEXT = (
    "non-originating value in the vehicle = the line's attributed share of the vehicle's "
    "non-originating value under the {reading} reading (content reaching the vehicle through "
    "an assembly is attributed to the component it comes from; all lines sum to the total)"
)


# --- words shared by every format ----------------------------------------------------------


def status_text(status: Status | None) -> str:
    """PASS, FAIL, NOT EVALUATED, or '-' for a requirement absent on that side."""
    return status.label if status is not None else "-"


def percent_text(value: Decimal | None, threshold: Decimal | None = None) -> str:
    """A requirement's value, with the decimals its comparison needs."""
    return fmt_percent(value, threshold) if value is not None else "-"


def points_text(delta: Decimal | None) -> str:
    """A change in points: +1.90 pts, -0.25 pts, or '-'."""
    if delta is None:
        return "-"
    if not delta:
        return "0.00 pts"
    return f"{'+' if delta > 0 else '-'}{fmt_amount(abs(delta))} pts"


def money_delta(delta: Decimal) -> str:
    """A signed amount: +1,234.00, -12.50, 0.00."""
    if not delta:
        return "0.00"
    return f"{'+' if delta > 0 else '-'}{fmt_amount(abs(delta))}"


def field_value(value: object) -> str:
    """A field's value as typed in a workbook: Y/N for origin, blank for nothing."""
    if value is None:
        return "blank"
    if value is True:
        return "Y"
    if value is False:
        return "N"
    if isinstance(value, Decimal):
        return f"{value.normalize():f}" if value == value.to_integral_value() else f"{value:f}"
    return str(value)


def change_text(change: FieldChange) -> str:
    """`originating N -> Y`."""
    return f"{change.field} {field_value(change.old)} -> {field_value(change.new)}"


def what_changed(line: LineChange) -> str:
    """What a reviewer reads in the 'what changed' column."""
    if line.kind == ADDED:
        side = line.side
        return f"added: {_line_facts(side)}"
    if line.kind == REMOVED:
        return f"removed: {_line_facts(line.side)}"
    text = "; ".join(change_text(c) for c in line.changes)
    return text + _recount(line) if text else _recount(line).removeprefix("; ")


def _recount(line: LineChange) -> str:
    old, new = line.old, line.new
    if old is None or new is None or old.origin == new.origin:
        return ""
    return f"; counted {old.origin.replace('_', '-')} -> {new.origin.replace('_', '-')}"


def _line_facts(side: LineSide) -> str:
    under = f" under {side.parent}" if side.parent else ""
    source = " ".join(p for p in (side.supplier, f"({side.country})" if side.country else "") if p)
    return (
        f"{field_value(side.quantity)} x {fmt_number(side.unit_cost)}{under}"
        f"{' from ' + source if source else ''}, originating {field_value(side.declared)}, "
        f"counted {side.origin.replace('_', '-')}"
    )


def recount_text(line: LineChange) -> str:
    """An unchanged line that counts differently: how, and what it brings into its parent."""
    old, new = line.old, line.new
    assert old is not None and new is not None
    where = f"into {new.parent}" if new.parent else "into the vehicle"
    return (
        f"{what_changed(line)}; brings {fmt_amount(old.own_non_originating)} -> "
        f"{fmt_amount(new.own_non_originating)} of non-originating value {where}"
    )


def _status_move(move: RequirementMove) -> str:
    if move.old_status == move.new_status:
        return f"still {status_text(move.new_status)}"
    if move.new_status is None:
        return f"no longer applies (was {status_text(move.old_status)})"
    if move.old_status is None:
        return f"applies now: {status_text(move.new_status)}"
    return f"{status_text(move.new_status)} now (was {status_text(move.old_status)})"


def _counts_text(diff: BomDiff) -> str:
    counts = diff.counts()
    parts = [f"{counts[k]} {KIND_LABEL[k] if k != OTHER else 'otherwise changed'}"
             for k in (RESOURCED, REPRICED, ADDED, REMOVED, OTHER) if counts[k]]  # fmt: skip
    if not parts:
        return "no line changed"
    first = parts[0].split(" ", 1)
    parts[0] = f"{first[0]} {'line' if first[0] == '1' else 'lines'} {first[1]}"
    return ", ".join(parts)


def summary(diff: BomDiff) -> str:
    """One line: the vehicle RVC's move, other status changes, the verdict, the line counts."""
    parts = []
    rest = []
    for move in diff.requirements:
        if move.id == "vehicle-rvc":
            threshold = move.new_threshold
            parts.append(
                f"vehicle-rvc {percent_text(move.old_value, threshold)} -> "
                f"{percent_text(move.new_value, threshold)} ({points_text(move.delta)}): "
                f"{_status_move(move)}"
            )
        elif move.old_status != move.new_status:
            rest.append(f"{move.id} {_status_move(move)}")
    parts.extend(rest)
    old, new = diff.old.verdict, diff.new.verdict
    parts.append(f"verdict {old.value} -> {new.value}" if old != new else f"verdict {new.value}")
    if diff.vehicle_changes:
        parts.append("vehicle: " + ", ".join(change_text(c) for c in diff.vehicle_changes))
    parts.append(_counts_text(diff))
    return "; ".join(parts)


def line_label(line: LineChange) -> str:
    """Part number, and the match key when it says more (a path in a level-coded BOM)."""
    side = line.side
    return side.part_number if line.key == side.part_number else line.key


# --- JSON -----------------------------------------------------------------------------------

# numbers are written as JSON number tokens by json_report's encoder, never through string
# markers that input text could forge
_plain = json_report.plain


def _pair(old: Any, new: Any) -> dict[str, Any]:
    return {"old": _plain(old), "new": _plain(new)}


def _json_side(side: LineSide | None) -> dict[str, Any] | None:
    if side is None:
        return None
    return {
        "row": side.row,
        "parent": side.parent,
        "unit_cost": _plain(side.unit_cost),
        "quantity": _plain(side.quantity),
        "quantity_in_vehicle": _plain(side.quantity_in_vehicle),
        "value_in_vehicle": _plain(side.value_in_vehicle),
        "non_originating_in_vehicle": _plain(side.non_originating),
        "own_non_originating_in_vehicle": _plain(side.own_non_originating),
        "origin": side.origin,
        "originating": side.declared,
        "supplier": side.supplier,
        "country": side.country,
    }


def _json_line(line: LineChange) -> dict[str, Any]:
    side = line.side
    return {
        "key": line.key,
        "part_number": side.part_number,
        "description": side.description,
        "kind": line.kind,
        "changes": [
            {"field": c.field, "old": _plain(c.old), "new": _plain(c.new)} for c in line.changes
        ],
        "value_in_vehicle_delta": _plain(line.value_delta),
        "non_originating_delta": _plain(line.non_originating_delta),
        "old": _json_side(line.old),
        "new": _json_side(line.new),
    }


def document(diff: BomDiff) -> dict[str, Any]:
    """The diff as a JSON-ready dict (rvc/reporters/diff.schema.json)."""

    def side(s: Any) -> dict[str, Any]:
        return {
            "input": {"path": s.path, "sha256": s.sha256},
            "vehicle": dict(s.vehicle),
            "verdict": s.verdict.value,
            "lines": s.lines,
            "workbook_as_of": _plain(s.workbook_as_of),
            "non_originating_value": _plain(s.vnm),
        }

    lines: dict[str, Any] = {"attribution": diff.attribution}
    for kind in KINDS:
        lines[kind] = [_json_line(c) for c in diff.of_kind(kind)]
    lines["unchanged"] = diff.unchanged
    lines["unchanged_non_originating_delta"] = _plain(diff.knock_on)
    lines["recounted"] = [_json_line(c) for c in diff.recounted]
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "diff",
        "tool": {"name": "rvc", "version": diff.tool_version},
        "rules": dict(diff.rules),
        "old": side(diff.old),
        "new": side(diff.new),
        "as_of": diff.as_of.isoformat(),
        "as_of_source": diff.as_of_source,
        "core_part_reading": diff.reading,
        "currency": diff.currency,
        "summary": summary(diff),
        "lines": lines,
        "vehicle_changes": [
            {"field": c.field, "old": _plain(c.old), "new": _plain(c.new)}
            for c in diff.vehicle_changes
        ],
        "requirements": [
            {
                "id": m.id,
                "title": m.title,
                "value": _pair(m.old_value, m.new_value),
                "delta_points": _plain(m.delta),
                "threshold": _pair(m.old_threshold, m.new_threshold),
                "status": _pair(m.old_status, m.new_status),
                "regressed": m.worse,
            }
            for m in diff.requirements
        ],
        "readings": {
            r.reading: {
                "vehicle_rvc": _pair(r.old_rvc, r.new_rvc),
                "verdict": _pair(r.old_verdict, r.new_verdict),
            }
            for r in diff.readings
        },
        "verdict": _pair(diff.old.verdict, diff.new.verdict),
        "regressed": diff.regressed,
    }


def render_json(diff: BomDiff, stream: TextIO) -> None:
    """Write the JSON document and a newline; nothing else goes to this stream."""
    stream.write(json_report.dumps_data(document(diff)))
    stream.write("\n")


# --- Markdown -------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<#|~])")


def md(text: str) -> str:
    """Input text made inert in Markdown: specials escaped, one line, pipes safe in tables.

    Examples:
        >>> print(md("A|B <b>*x*</b> [link](u)"))
        A\\|B \\<b>\\*x\\*\\</b> \\[link\\](u)
    """
    return _MD_SPECIAL.sub(r"\\\1", escape(" ".join(text.split())))


def _md_verdict(old: Verdict, new: Verdict) -> str:
    return f"{old.value} -> **{new.value}**" if old != new else f"**{new.value}** (unchanged)"


def render_markdown(diff: BomDiff, stream: TextIO) -> None:
    """A merge-request comment: summary, requirements, readings, changed lines (capped)."""
    w = stream.write
    w(f"### rvc diff: {md(diff.old.path)} -> {md(diff.new.path)}\n\n")
    w(f"**{md(summary(diff))}**\n\n")
    source = AS_OF_SOURCE.get(diff.as_of_source, diff.as_of_source)
    w(
        f"As of {diff.as_of.isoformat()} ({md(source)}), rules {md(diff.rules.get('id', ''))} "
        f"{md(diff.rules.get('version', ''))}, core parts read as {diff.reading}; "
        f"amounts in {md(diff.currency)}.\n\n"
    )
    _md_requirements(diff, stream)
    w(f"#### Lines: {md(_counts_text(diff))}; {diff.unchanged} unchanged\n\n")
    if diff.lines:
        _md_lines(diff, stream)
    if diff.knock_on or diff.recounted:
        _md_knock_on(diff, stream)
    w(f"Verdict: {_md_verdict(diff.old.verdict, diff.new.verdict)}.\n")


def _md_requirements(diff: BomDiff, stream: TextIO) -> None:
    """Each requirement before and after, both readings' vehicle RVC and verdict, and the
    Vehicle sheet's changes."""
    w = stream.write
    w("| requirement | before | after | change | status |\n|---|---:|---:|---:|---|\n")
    for m in diff.requirements:
        status = status_text(m.new_status)
        if m.old_status != m.new_status:
            status = f"{status_text(m.old_status)} -> **{status_text(m.new_status)}**"
        threshold = m.new_threshold if m.new_threshold is not None else m.old_threshold
        w(
            f"| {m.id} | {percent_text(m.old_value, threshold)} | "
            f"{percent_text(m.new_value, threshold)} | {points_text(m.delta)} | {status} |\n"
        )
    w("\n")
    for r in diff.readings:
        mark = " (applied)" if r.reading == diff.reading else ""
        w(
            f"- {r.reading}{mark}: vehicle RVC {percent_text(r.old_rvc)} -> "
            f"{percent_text(r.new_rvc)}, verdict {_md_verdict(r.old_verdict, r.new_verdict)}\n"
        )
    if diff.vehicle_changes:
        w("- Vehicle sheet: " + md(", ".join(change_text(c) for c in diff.vehicle_changes)))
        w("\n")
    w("\n")


def _md_lines(diff: BomDiff, stream: TextIO) -> None:
    """The changed lines by effect, the first `MARKDOWN_ROWS` of them."""
    w = stream.write
    w(f"Sorted by effect; {md(ATTRIBUTION_TEXT.format(reading=diff.reading))}.\n\n")
    w(
        "| line | change | what changed | value in vehicle | non-originating in vehicle |\n"
        "|---|---|---|---:|---:|\n"
    )
    for line in diff.lines[:MARKDOWN_ROWS]:
        name = f"{md(line_label(line))}"
        if line.side.description:
            name += f" {md(line.side.description)}"
        w(
            f"| {name} | {KIND_LABEL[line.kind]} | {md(what_changed(line))} | "
            f"{money_delta(line.value_delta)} | {money_delta(line.non_originating_delta)} |\n"
        )
    hidden = len(diff.lines) - MARKDOWN_ROWS
    if hidden > 0:
        w(f"\n... and {hidden} more changed lines (all of them in `rvc diff -f json`).\n")
    w("\n")


def _md_knock_on(diff: BomDiff, stream: TextIO) -> None:
    """How unchanged lines' non-originating value moved, and the lines that count differently."""
    w = stream.write
    w(
        f"Unchanged lines' non-originating value in the vehicle moved by "
        f"{money_delta(diff.knock_on)} {md(diff.currency)} (a knock-on of the changes)"
    )
    w(":\n" if diff.recounted else ".\n")
    for line in diff.recounted[:RECOUNTED_ROWS]:
        w(f"- {md(line_label(line))} {md(line.side.description)}: {md(recount_text(line))}\n")
    hidden = len(diff.recounted) - RECOUNTED_ROWS
    if hidden > 0:
        w(f"- ... and {hidden} more lines that count differently now\n")
    w("\n")


def _table(diff: BomDiff, stream: TextIO) -> None:
    from rvc.reporters import diff_table

    diff_table.render(diff, stream)


DIFF_RENDERERS: dict[str, Callable[[BomDiff, TextIO], None]] = {
    "table": _table,
    "json": render_json,
    "markdown": render_markdown,
}
