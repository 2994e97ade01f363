"""The human report: what passes or fails, by how much, why, and what was assumed.

Colour only on a terminal (rich decides; `NO_COLOR` is honoured). Reads the `Report`; computes
nothing beyond formatting.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal, InvalidOperation
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from rvc.money import fmt_amount, fmt_number, fmt_percent, fmt_threshold
from rvc.results import Report, RequirementResult, Status, Verdict

STYLE = {Status.PASS: "bold green", Status.FAIL: "bold red", Status.NOT_EVALUATED: "bold yellow"}
LABEL = {Status.PASS: "PASS", Status.FAIL: "FAIL", Status.NOT_EVALUATED: "NOT EVALUATED"}
SOURCE = {
    "option": "from --as-of",
    "workbook": "from the workbook",
    "today": "today: no --as-of and no as_of in the workbook",
}
READING = {
    "contract": "the workbook contract's roll-up (as declared, or by their threshold)",
    "us_cbp": "U.S. Customs reading: a core part's own non-originating content counts",
    "panel_2022": "2022 panel reading: a qualifying core part counts 100% originating",
}
READING_NAME = {
    "contract": "contract",
    "us_cbp": "U.S. Customs",
    "panel_2022": "2022 panel",
}


WIDE = 200
"""Width of the report off a terminal (a file, a pipe, a CI log) when $COLUMNS is not set:
wide enough that no table cell wraps."""


def render(
    report: Report,
    stream: TextIO,
    *,
    width: int | None = None,
    color: bool | None = None,
    quiet: bool = False,
) -> None:
    """Print the report to a stream; `quiet` prints the verdict line only.

    `color` None means automatic: colour on a terminal, unless NO_COLOR is set (FORCE_COLOR
    forces it); True and False force it on or off. Off a terminal the layout is a fixed
    `WIDE` columns (or $COLUMNS), so no cell wraps in a file or log.
    """
    console = _console(stream, width, color)
    if quiet:
        _verdict(console, report)
        return
    _header(console, report)
    _summary(console, report)
    for result in report.requirements:
        _detail(console, report, result)
    _assumptions(console, report)
    _reconciliation(console, report)
    _verdict(console, report)


def _console(stream: TextIO, width: int | None, color: bool | None) -> Console:
    environ = os.environ
    if color is None:
        if environ.get("NO_COLOR"):
            color = False
        elif environ.get("FORCE_COLOR"):
            color = True
    console = Console(
        file=stream,
        width=width,
        color_system="auto" if color is not False else None,
        force_terminal=color,
        highlight=False,
        emoji=False,
        soft_wrap=False,
        markup=False,
    )
    if width is None and not _isatty(stream):
        columns = environ.get("COLUMNS", "")
        console.width = int(columns) if columns.isdigit() and int(columns) > 0 else WIDE
    return console


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False


def _header(console: Console, report: Report) -> None:
    v = report.vehicle
    title = v.get("model_line", "")
    cls = v.get("vehicle_class", "")
    extra = f", HS {v['hs_subheading']}" if v.get("hs_subheading") else ""
    console.print(Text(f"{title}", style="bold"), Text(f"({cls}{extra})"))
    rules = report.rules
    console.print(f"Input:  {report.input.get('path', '')}")
    console.print(f"Rules:  {rules['id']} {rules['version']}")
    source = SOURCE.get(report.as_of_source, report.as_of_source)
    console.print(f"As of:  {report.as_of.isoformat()} ({source})")
    console.print(f"Core parts in the vehicle RVC: {READING[report.core_reading]}")
    console.print()


def _value(result: RequirementResult) -> str:
    if result.value is None:
        return "-"
    return fmt_percent(result.value, result.threshold)


MONEY_MARGIN = ("vehicle-rvc", "steel", "aluminum")
"""Requirements whose margin is also shown in money."""


def _margin(result: RequirementResult, currency: str) -> str:
    if result.margin_points is None:
        return "-"
    sign = "+" if result.margin_points >= 0 else "-"
    text = f"{sign}{fmt_amount(abs(result.margin_points))} pts"
    if result.margin_amount is not None and result.id in MONEY_MARGIN:
        money = fmt_amount(abs(result.margin_amount))
        text += f" ({'+' if result.margin_amount >= 0 else '-'}{money} {currency})"
    return text


def _fits(console: Console, widths: list[int]) -> bool:
    """Whether a table with columns of these widths (one space between) fits the console."""
    return sum(widths) + 2 * (len(widths) - 1) <= console.width


def _summary(console: Console, report: Report) -> None:
    rows = []
    for r in report.requirements:
        threshold = fmt_threshold(r.threshold) if r.threshold is not None else "-"
        rows.append((LABEL[r.status], r.id, _value(r), threshold, _margin(r, report.currency)))
    headers = ("Status", "Requirement", "Value", "Required", "Margin")
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]
    if not _fits(console, widths):
        # too narrow for a table without cutting a number: one requirement per line pair
        for (label, requirement, value, threshold, margin), r in zip(
            rows, report.requirements, strict=True
        ):
            console.print(
                Text(label, style=STYLE[r.status])
                + Text(f"  {requirement}  {value} (required {threshold})")
            )
            console.print(Text(f"    margin {margin}"))
        console.print()
        return
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for name, width in zip(headers, widths, strict=True):
        justify = "left" if name in ("Status", "Requirement") else "right"
        table.add_column(name, justify=justify, no_wrap=True, min_width=width)  # type: ignore[arg-type]
    for (label, *cells), r in zip(rows, report.requirements, strict=True):
        table.add_row(Text(label, style=STYLE[r.status]), *cells)
    console.print(table)
    console.print()


def _detail(console: Console, report: Report, result: RequirementResult) -> None:
    console.print(Text(f"{result.id}: ", style="bold") + Text(result.message))
    if result.citation:
        status = f" [status {result.source_status}]" if result.source_status else ""
        console.print(Text(f"  Source: {result.citation}{status}", style="dim"))
    if result.id == "vehicle-rvc" and result.drivers:
        _drivers(console, report, result)
    if result.details and any(
        isinstance(v, dict) and "parts" in v for v in result.details.values()
    ):
        _core_table(console, result)
    if result.id == "lvc" and result.status is not Status.NOT_EVALUATED:
        _lvc_table(console, result.details)
    if result.id in ("steel", "aluminum"):
        _metal_totals(console, report, result)
    others = result.details.get("other_readings")
    if isinstance(others, dict) and others:
        shown = "; ".join(
            f"{READING_NAME[name]} reading {fmt_percent(value, result.threshold)}"
            for name, value in others.items()
        )
        console.print(f"  The RVC under the other readings of core parts: {shown}.")
    console.print()


def _metal_totals(console: Console, report: Report, result: RequirementResult) -> None:
    """The purchase values behind a steel or aluminum share, with their currency."""
    originating = result.details.get("originating_value")
    total = result.details.get("total_value")
    if not isinstance(originating, Decimal) or not isinstance(total, Decimal):
        return
    currency = report.currency
    text = (
        f"  Purchases: {fmt_number(originating)} {currency} originating of "
        f"{fmt_number(total)} {currency}"
    )
    if result.margin_amount is not None and result.status is Status.FAIL:
        text += f"; {fmt_number(-result.margin_amount)} {currency} more would have to originate"
    elif result.margin_amount is not None:
        text += f"; {fmt_number(result.margin_amount)} {currency} of headroom"
    console.print(Text(text))


def _drivers(console: Console, report: Report, result: RequirementResult) -> None:
    vnm = result.details.get("vnm")
    total = f" (of {fmt_number(vnm)} {report.currency})" if isinstance(vnm, Decimal) else ""
    console.print(f"  Lines bringing the most non-originating value{total}:")
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold", padding=(0, 1))
    rows = [
        (
            str(d.row),
            d.part_number,
            d.description,
            fmt_number(d.amount),
            fmt_percent(d.share_percent, None, 1),
            d.reason,
        )
        for d in result.drivers
    ]
    headers = ("Row", "Part", "Description", f"Amount ({report.currency})", "Share", "Why")
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]
    fixed = [w for h, w in zip(headers, widths, strict=True) if h not in ("Description", "Why")]
    if not _fits(console, [*fixed, 12, 12]):
        for row, part, description, amount, share, why in rows:
            console.print(
                Text(f"  - row {row} {part}: {amount} {report.currency} ({share}), ")
                + Text(f"{description}; {why}" if description else why)
            )
        return
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold", padding=(0, 1))
    for name, width in zip(headers, widths, strict=True):
        if name in ("Description", "Why"):  # prose wraps; numbers and part numbers never do
            table.add_column(name, overflow="fold", min_width=min(width, 12))
            continue
        justify = "left" if name == "Part" else "right"
        table.add_column(name, justify=justify, no_wrap=True, min_width=width)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _core_table(console: Console, result: RequirementResult) -> None:
    rows: list[tuple[str, str, str, Status, str]] = []
    for category, entry in result.details.items():
        if not isinstance(entry, dict):
            continue
        value = entry.get("value")
        threshold = entry.get("threshold")
        parts = entry.get("parts")
        if isinstance(parts, list):
            shown = "; ".join(
                f"{p['part_number']} {fmt_percent(p['rvc'])} ({p['rvc_source']})" for p in parts[:4]
            ) + (f"; +{len(parts) - 4} more" if len(parts) > 4 else "")
        else:
            shown = f"all {parts} core parts as one"
        rows.append(
            (
                category,
                fmt_percent(value, threshold) if isinstance(value, Decimal) else "-",
                fmt_threshold(threshold) if isinstance(threshold, Decimal) else "-",
                Status(entry["status"]),
                shown,
            )
        )
    headers = ("Category", "RVC", "Required", "Status")
    widths = [
        max([len(h), *(len(LABEL[r[i]] if i == 3 else r[i]) for r in rows)])  # type: ignore[index]
        for i, h in enumerate(headers)
    ]
    if not _fits(console, [*widths, 16]):
        for category, value, threshold, status, shown in rows:
            console.print(
                Text(f"  - {category}: {value} (required {threshold}) ")
                + Text(LABEL[status], style=STYLE[status])
                + Text(f"; {shown}")
            )
        return
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold", padding=(0, 1))
    for name, width in zip(headers, widths, strict=True):
        justify = "right" if name in ("RVC", "Required") else "left"
        table.add_column(name, justify=justify, no_wrap=True, min_width=width)  # type: ignore[arg-type]
    table.add_column("Parts", overflow="fold")
    for category, value, threshold, status, shown in rows:
        table.add_row(category, value, threshold, Text(LABEL[status], style=STYLE[status]), shown)
    console.print(table)


def _lvc_table(console: Console, details: dict[str, Any]) -> None:
    mm, tech, asm = (
        details["material_and_manufacturing"],
        details["technology"],
        details["assembly"],
    )
    rows = [
        (
            "High-wage material and manufacturing",
            fmt_number(mm["value"]),
            f"minimum {fmt_threshold(mm['minimum'])[:-1]}",
        ),
        ("Technology credit", fmt_number(tech["value"]), f"cap {fmt_threshold(tech['cap'])[:-1]}"),
        ("Assembly credit", fmt_number(asm["value"]), f"cap {fmt_threshold(asm['cap'])[:-1]}"),
    ]
    headers = ("Component", "Points", "Limit")
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    if not _fits(console, widths):
        for component, points, limit in rows:
            console.print(Text(f"  - {component}: {points} points ({limit})"))
        return
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold", padding=(0, 1))
    for name, width in zip(headers, widths, strict=True):
        justify = "right" if name == "Points" else "left"
        table.add_column(name, justify=justify, no_wrap=True, min_width=width)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*row)
    console.print(table)


UNKNOWN_LINE = re.compile(
    r"^BOM row \d+ \(.*\): unknown origin, treated as non-originating: value (?P<value>[-\d,.]+)$"
)
UNKNOWN_CAPPED = re.compile(r"^\.\.\. and (?P<count>\d+) more lines with unknown origin\b")
SHOWN_UNKNOWN = 10
"""Unknown-origin lines listed one by one: at most the 10 largest, and only those of at least
0.5% of the unknown total; the rest are one line (every line stays in the JSON report)."""
SMALL_SHARE = Decimal("0.005")


def _note_text(note: object) -> str:
    """A note's text, whether the report holds strings or records with a `text`."""
    text = getattr(note, "text", note)
    return text if isinstance(text, str) else str(text)


def _grouped_notes(report: Report) -> list[str]:
    """The assumptions as printed: small unknown-origin lines grouped into one."""
    texts = [_note_text(n) for n in report.assumptions]
    unknown: list[tuple[int, Decimal]] = []
    capped = 0
    for index, text in enumerate(texts):
        if (match := UNKNOWN_LINE.match(text)) is not None:
            try:
                unknown.append((index, Decimal(match["value"].replace(",", ""))))
            except InvalidOperation:
                continue
        elif (match := UNKNOWN_CAPPED.match(text)) is not None:
            capped = int(match["count"])
            unknown.append((index, Decimal(-1)))
    lines = [(i, v) for i, v in unknown if v >= 0]
    total = sum((v for _, v in lines), Decimal(0))
    ranked = sorted(lines, key=lambda item: -item[1])
    shown = {i for i, v in ranked[:SHOWN_UNKNOWN] if total == 0 or v >= total * SMALL_SHARE}
    grouped = [(i, v) for i, v in lines if i not in shown]
    if not grouped and not capped:
        return texts
    drop = {i for i, _ in unknown if i not in shown}
    count = len(grouped) + capped
    value = sum((v for _, v in grouped), Decimal(0))
    summary = f"{count} more line{'s' if count != 1 else ''} with unknown origin"
    summary += (
        f", {fmt_number(value)} {report.currency} in total"
        if not capped
        else f" (at least {fmt_number(value)} {report.currency})"
    )
    summary += " (each one is listed in the JSON report: --format json)"
    out: list[str] = []
    placed = False
    for index, text in enumerate(texts):
        if index in drop:
            if not placed:
                out.append(summary)
                placed = True
            continue
        out.append(text)
    return out


def _assumptions(console: Console, report: Report) -> None:
    if not report.assumptions:
        return
    console.print(Text("Assumptions and notes", style="bold"))
    for note in _grouped_notes(report):
        console.print(Text(f"  - {note}"), overflow="fold")
    console.print()


def _reconciliation(console: Console, report: Report) -> None:
    rec = report.reconciliation
    currency = report.currency
    parts = [
        f"{rec['lines']} BOM lines ({rec['top_level_lines']} top-level, "
        f"{rec['component_lines']} components)"
    ]
    if "rows_read" in rec:
        parts.insert(0, f"{rec['rows_read']} rows read, {rec['blank_rows_skipped']} blank")
        if rec["rows_excluded"]:
            parts.append(f"{len(rec['rows_excluded'])} rows excluded")
    parts.append(f"sum of line values {fmt_number(rec['sum_of_line_values'])} {currency}")
    parts.append(f"top-level value {fmt_number(rec['top_level_value'])} {currency}")
    console.print(Text("Reconciliation: ", style="bold") + Text("; ".join(parts)))
    for excluded in rec.get("rows_excluded", [])[:20]:
        console.print(f"  - row {excluded['row']} excluded: {excluded['reason']}")
    for rate in rec.get("fx_rates", []):
        on = f" of {rate['date']}" if rate["date"] else ""
        source = f" ({rate['source']})" if rate["source"] else ""
        shown = f"1 {rate['currency']} = {rate['rate']} {currency}"
        console.print(f"  - rate used: {shown}{on}{source}")
    for line in rec.get("mapping", []):
        console.print(f"  - mapping: {line}")
    console.print()


def _verdict(console: Console, report: Report) -> None:
    verdict = report.verdict
    failing = [r.id for r in report.requirements if r.status is Status.FAIL]
    missing = [r.id for r in report.requirements if r.status is Status.NOT_EVALUATED]
    style = {
        Verdict.PASS: "bold green",
        Verdict.FAIL: "bold red",
        Verdict.INCOMPLETE: "bold yellow",
    }[verdict]
    text = Text("Verdict: ", style="bold") + Text(verdict.value.upper(), style=style)
    if verdict is Verdict.PASS:
        text += Text(" - the vehicle originates on every requirement evaluated")
    else:
        reasons = []
        if failing:
            reasons.append(f"fails {', '.join(failing)}")
        if missing:
            reasons.append(f"not evaluated: {', '.join(missing)}")
        text += Text(" - " + "; ".join(reasons))
    text += Text(f" (exit {report.exit_code})")
    console.print(text)
