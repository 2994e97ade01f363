"""The human report: what passes or fails, by how much, why, and what was assumed.

Colour only on a terminal unless asked (`--color`; `NO_COLOR` and `FORCE_COLOR` honoured). Off a
terminal the layout is a fixed width, so no table cell wraps in a file or a CI log; on a narrow
terminal numbers are never cut (a table that cannot fit becomes lines). Reads the `Report`;
computes nothing beyond formatting.
"""

from __future__ import annotations

import io
import os
from decimal import Decimal
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from rvc.money import fmt_amount, fmt_number, fmt_percent, fmt_threshold
from rvc.reporters import gate
from rvc.results import (
    CorePartsEvidence,
    LvcEvidence,
    MetalEvidence,
    Note,
    Report,
    RequirementResult,
    Status,
    VehicleRvcEvidence,
    Verdict,
)
from rvc.text import escape

STYLE = {Status.PASS: "bold green", Status.FAIL: "bold red", Status.NOT_EVALUATED: "bold yellow"}
LABEL = {status: status.label for status in Status}
SOURCE = {
    "option": "from --as-of",
    "workbook": "from the workbook",
    "today": "today: no --as-of and no as_of in the workbook",
}
READING = {
    "us-cbp": "us-cbp (U.S. Customs: an originating core part still brings its own "
    "non-originating content)",
    "roll-up": "roll-up (2022 USMCA panel: an originating core part counts wholly originating)",
}
NOTES_LISTED = 30
"""Notes of one kind shown before the rest are counted (JSON lists every one)."""


WIDE = 200
"""Width of the report off a terminal (a file, a pipe, a CI log) when $COLUMNS is not set:
wide enough that no table cell wraps."""
SHOWN_UNKNOWN = 10
SMALL_SHARE = Decimal("0.005")
"""Unknown-origin lines listed one by one: at most the 10 largest, and only those of at least
0.5% of the unknown total; the others are summed on one line (JSON lists every one)."""


class SafeConsole(Console):
    """A console that prints input text literally: never parsed as markup (``BRKT[/]-1``,
    ``BOM [final].xlsx``), never highlighted, control characters shown as escapes."""

    def render_str(self, text: str, **kwargs: Any) -> Text:
        kwargs["markup"] = False
        kwargs["highlight"] = False
        kwargs["emoji"] = False
        return super().render_str(escape(text), **kwargs)

    def on_broken_pipe(self) -> None:
        """rich exits 1 on a closed pipe; the caller keeps the verdict's exit code instead
        (reporters.outputs)."""
        self.quiet = True
        raise BrokenPipeError


def safe_console(stream: TextIO, *, width: int | None, color: bool | None) -> SafeConsole:
    """The console every human report prints to: input text literal, a closed pipe left to
    the caller.

    `color` None means automatic: colour on a terminal, unless NO_COLOR is set (FORCE_COLOR
    forces it); True and False force it on or off. Without `width`, off a terminal the layout
    is `WIDE` columns (or $COLUMNS when set), so no table cell wraps in a file or a CI log.
    """
    environ = os.environ
    if color is None:
        if environ.get("NO_COLOR"):
            color = False
        elif environ.get("FORCE_COLOR"):
            color = True
    console = SafeConsole(
        file=stream,
        width=width,
        color_system="auto" if color is not False else None,
        force_terminal=color,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
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


def _fits(console: Console, widths: list[int]) -> bool:
    """Whether a table with columns of these widths (two spaces between) fits the console."""
    return sum(widths) + 2 * (len(widths) - 1) <= console.width


def literal(text: object = "", style: str = "", **kwargs: Any) -> Text:
    """Input text as a rich `Text`: literal, control characters shown as escapes."""
    return Text(escape(text), style=style, **kwargs)  # the one place a Text is built


def render(
    report: Report,
    stream: TextIO,
    *,
    width: int | None = None,
    color: bool | None = None,
    fail_on: str = gate.DEFAULT,
    quiet: bool = False,
) -> None:
    """Print the report to a stream; `quiet` prints the verdict line only."""
    console = safe_console(stream, width=width, color=color)
    if quiet:
        _verdict(console, report, fail_on)
        return
    _header(console, report)
    _summary(console, report)
    for result in report.requirements:
        _detail(console, report, result)
    _assumptions(console, report)
    _reconciliation(console, report)
    _verdict(console, report, fail_on)


def _header(console: Console, report: Report) -> None:
    v = report.vehicle
    title = v.get("model_line", "")
    cls = v.get("vehicle_class", "")
    extra = f", HS {v['hs_subheading']}" if v.get("hs_subheading") else ""
    console.print(literal(f"{title}", style="bold"), literal(f"({cls}{extra})"))
    rules = report.rules
    console.print(f"Input:  {report.input.get('path', '')}")
    console.print(f"Rules:  {rules['id']} {rules['version']}")
    source = SOURCE.get(report.as_of_source, report.as_of_source)
    console.print(f"As of:  {report.as_of.isoformat()} ({source})")
    console.print(
        f"Core parts in the vehicle RVC: {READING[report.core_reading]}; both readings are computed"
    )
    console.print()


def _value(result: RequirementResult) -> str:
    if result.value is None:
        return "-"
    return fmt_percent(result.value, result.threshold)


def _margin(result: RequirementResult, currency: str) -> str:
    if result.margin_points is None:
        return "-"
    sign = "+" if result.margin_points >= 0 else "-"
    text = f"{sign}{fmt_amount(abs(result.margin_points))} pts"
    in_money = isinstance(result.evidence, VehicleRvcEvidence | MetalEvidence)
    if result.margin_amount is not None and in_money:
        money = fmt_amount(abs(result.margin_amount))
        text += f" ({'+' if result.margin_amount >= 0 else '-'}{money} {currency})"
    return text


def summary_margin(result: RequirementResult, currency: str) -> str:
    """The summary's margin cell: points and money, and why a requirement with a positive
    margin still fails (a core part that does not originate)."""
    margin = _margin(result, currency)
    wit = result.what_it_would_take
    if result.status is Status.FAIL and (result.margin_points or 0) >= 0 and wit and wit.headline:
        margin += f" but {wit.headline}"  # a failing status beside a positive margin
    return margin


def _summary(console: Console, report: Report) -> None:
    rows = []
    for r in report.requirements:
        threshold = fmt_threshold(r.threshold) if r.threshold is not None else "-"
        margin = summary_margin(r, report.currency)
        rows.append((LABEL[r.status], r.id, _value(r), threshold, margin))
    headers = ("Status", "Requirement", "Value", "Required", "Margin")
    widths = [max([len(h), *(len(row[i]) for row in rows)]) for i, h in enumerate(headers)]
    if not _fits(console, widths):
        # too narrow for the table without cutting a number: two lines per requirement
        for (label, requirement, value, threshold, margin), r in zip(
            rows, report.requirements, strict=True
        ):
            console.print(
                literal(label, style=STYLE[r.status])
                + literal(f"  {requirement}  {value} (required {threshold})")
            )
            console.print(literal(f"    margin {margin}"))
        console.print()
        return
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    for name, width in zip(headers, widths, strict=True):
        justify = "left" if name in ("Status", "Requirement") else "right"
        table.add_column(name, justify=justify, no_wrap=True, min_width=width)  # type: ignore[arg-type]
    for (label, *cells), r in zip(rows, report.requirements, strict=True):
        table.add_row(literal(label, style=STYLE[r.status]), *cells)
    console.print(table)
    console.print()


def _detail(console: Console, report: Report, result: RequirementResult) -> None:
    console.print(literal(f"{result.id}: ", style="bold") + literal(result.message))
    if result.citation:
        status = f" [status {result.source_status}]" if result.source_status else ""
        console.print(literal(f"  Source: {result.citation}{status}", style="dim"))
    wit = result.what_it_would_take
    if wit is not None:
        label = "Headroom" if wit.passes else "What it would take"
        console.print(literal(f"  {label}: {wit.summary}"))
        for step in wit.steps:
            console.print(
                literal(
                    f"    - {step.part_number} (row {step.row}): -{fmt_number(step.amount)} "
                    f"{report.currency} -> RVC {fmt_percent(step.value_after, result.threshold)}"
                )
            )
        for gap in wit.parts:
            inside = "; ".join(f"{p} {fmt_number(a)}" for p, _, a in gap.top_lines)
            console.print(
                literal(f"    - {gap.part_number} ({gap.category}): {gap.note}")
                + literal(f"; largest non-originating inputs: {inside}" if inside else "")
            )
    evidence = result.evidence
    if isinstance(evidence, VehicleRvcEvidence):
        if result.drivers:
            _drivers(console, report, result)
        _other_readings(console, report, result, evidence)
    elif isinstance(evidence, CorePartsEvidence):
        _core_table(console, evidence)
    elif isinstance(evidence, LvcEvidence):
        _lvc_table(console, evidence)
    elif isinstance(evidence, MetalEvidence):
        _metal_totals(console, result, evidence)
    console.print()


def _metal_totals(console: Console, result: RequirementResult, evidence: MetalEvidence) -> None:
    """The purchase values behind a steel or aluminum share, with their currency."""
    currency = evidence.currency
    text = (
        f"  Purchases: {fmt_number(evidence.originating_value)} {currency} originating of "
        f"{fmt_number(evidence.total_value)} {currency}"
    )
    if result.margin_amount is not None and result.status is Status.FAIL:
        text += f"; {fmt_number(-result.margin_amount)} {currency} more would have to originate"
    elif result.margin_amount is not None and result.status is Status.PASS:
        text += f"; {fmt_number(result.margin_amount)} {currency} of headroom"
    console.print(literal(text))


def _other_readings(
    console: Console, report: Report, result: RequirementResult, evidence: VehicleRvcEvidence
) -> None:
    for outcome in report.readings:
        if outcome.reading == report.core_reading or outcome.vehicle_rvc is None:
            continue
        same = "the same verdict" if outcome.verdict is report.verdict else "a different verdict"
        console.print(
            f"  Under the {outcome.reading} reading of core parts the RVC is "
            f"{fmt_percent(outcome.vehicle_rvc, result.threshold)} "
            f"({outcome.vehicle_rvc_status.value if outcome.vehicle_rvc_status else '-'}), "
            f"{same}: {outcome.verdict.value}."
        )


def _drivers(console: Console, report: Report, result: RequirementResult) -> None:
    vnm = result.details.get("vnm")
    total = f" (of {fmt_number(vnm)} {report.currency})" if isinstance(vnm, Decimal) else ""
    console.print(f"  Lines bringing the most non-originating value{total}:")
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
        for number, part, description, amount, share, why in rows:
            console.print(
                literal(f"  - row {number} {part}: {amount} {report.currency} ({share}), ")
                + literal(f"{description}; {why}" if description else why)
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


def _core_table(console: Console, evidence: CorePartsEvidence) -> None:
    rows = _core_rows(evidence)
    headers = ("Category", "RVC", "Required", "Status")
    widths = [
        max([len(headers[0]), *(len(r[0]) for r in rows)]),
        max([len(headers[1]), *(len(r[1]) for r in rows)]),
        max([len(headers[2]), *(len(r[2]) for r in rows)]),
        max([len(headers[3]), *(len(LABEL[r[3]]) for r in rows)]),
    ]
    if not _fits(console, [*widths, 16]):
        for category, value, threshold, status, shown in rows:
            console.print(
                literal(f"  - {category}: {value} (required {threshold}) ")
                + literal(LABEL[status], style=STYLE[status])
                + literal(f"; {shown}")
            )
        return
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold", padding=(0, 1))
    for name, width in zip(headers, widths, strict=True):
        justify = "right" if name in ("RVC", "Required") else "left"
        table.add_column(name, justify=justify, no_wrap=True, min_width=width)  # type: ignore[arg-type]
    table.add_column("Parts", overflow="fold")
    for category, value, threshold, status, shown in rows:
        table.add_row(
            category, value, threshold, literal(LABEL[status], style=STYLE[status]), shown
        )
    console.print(table)


def _core_rows(evidence: CorePartsEvidence) -> list[tuple[str, str, str, Status, str]]:
    """One row per core-part category (its first four parts named), then the super-core."""
    rows: list[tuple[str, str, str, Status, str]] = []
    for c in evidence.categories:
        shown = "; ".join(
            f"{p.part_number} {fmt_percent(p.rvc) if p.rvc is not None else '-'} "
            f"({p.rvc_source}; {HOW.get(p.how, p.how)})"
            for p in c.parts[:4]
        ) + (f"; +{len(c.parts) - 4} more" if len(c.parts) > 4 else "")
        rows.append(
            (
                c.category,
                fmt_percent(c.value, c.threshold) if c.value is not None else "-",
                fmt_threshold(c.threshold),
                c.status,
                shown,
            )
        )
    s = evidence.super_core
    rows.append(
        (
            "super-core",
            fmt_percent(s.value, s.threshold) if s.value is not None else "-",
            fmt_threshold(s.threshold),
            s.status,
            f"all {s.parts} core parts under the RVC rule as one (s. 14(10))",
        )
    )
    return rows


HOW = {
    "declared": "declared originating",
    "own_rvc": "meets the threshold",
    "category_average": "by its category's average",
    "super_core": "through the super-core",
    "period_average": "by the average over the period",
    "not_originating": "not originating",
}


def _lvc_table(console: Console, f: LvcEvidence) -> None:
    rows = [
        (
            "High-wage material and manufacturing",
            fmt_number(f.material_and_manufacturing),
            f"minimum {fmt_threshold(f.minimum)[:-1]}",
        ),
        (
            "Technology credit",
            fmt_number(f.technology),
            f"cap {fmt_threshold(f.technology_cap)[:-1]}",
        ),
        ("Assembly credit", fmt_number(f.assembly), f"cap {fmt_threshold(f.assembly_cap)[:-1]}"),
    ]
    headers = ("Component", "Points", "Limit")
    widths = [max([len(h), *(len(r[i]) for r in rows)]) for i, h in enumerate(headers)]
    if not _fits(console, widths):
        for component, points, limit in rows:
            console.print(literal(f"  - {component}: {points} points ({limit})"))
        return
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold", padding=(0, 1))
    for name, width in zip(headers, widths, strict=True):
        justify = "right" if name == "Points" else "left"
        table.add_column(name, justify=justify, no_wrap=True, min_width=width)  # type: ignore[arg-type]
    for row in rows:
        table.add_row(*row)
    console.print(table)


def _grouped_notes(report: Report) -> list[Note | str]:
    """The notes as printed: unknown-origin lines beyond the 10 largest, or under 0.5% of the
    unknown total, summed on one line; other kinds beyond `NOTES_LISTED` counted."""
    unknown = [n for n in report.notes if n.code == "unknown-origin"]
    keep = _largest_unknown(unknown)
    grouped = [n for n in unknown if id(n) not in keep]
    out: list[Note | str] = []
    shown: dict[str, int] = {}
    hidden: dict[str, int] = {}
    for note in report.notes:
        if note.code == "unknown-origin" and id(note) not in keep:
            if note is grouped[0]:
                out.append(_unknown_summary(grouped, report.currency))
            continue
        seen = shown.get(note.code, 0)
        if seen >= NOTES_LISTED:
            hidden[note.code] = hidden.get(note.code, 0) + 1
            continue
        shown[note.code] = seen + 1
        out.append(note)
    out.extend(
        f"... and {count} more '{code}' notes (all in --format json)"
        for code, count in hidden.items()
    )
    return out


def _largest_unknown(unknown: list[Note]) -> set[int]:
    """The unknown-origin notes listed one by one (by `id`): the `SHOWN_UNKNOWN` largest, each
    at least `SMALL_SHARE` of their total."""
    amounts = [n.amount if n.amount is not None else Decimal(0) for n in unknown]
    total = sum(amounts, Decimal(0))
    ranked = sorted(range(len(unknown)), key=lambda i: -amounts[i])
    return {
        id(unknown[i])
        for i in ranked[:SHOWN_UNKNOWN]
        if total == 0 or amounts[i] >= total * SMALL_SHARE
    }


def _unknown_summary(grouped: list[Note], currency: str) -> str:
    """One line for the unknown-origin notes not listed: how many, how much in total."""
    value = sum((n.amount or Decimal(0) for n in grouped), Decimal(0))
    count = len(grouped)
    return (
        f"{count} more line{'s' if count != 1 else ''} with unknown origin, "
        f"{fmt_number(value)} {currency} in total (each one is listed in the "
        "JSON report: --format json)"
    )


def _assumptions(console: Console, report: Report) -> None:
    if not report.notes:
        return
    console.print(literal("Assumptions and notes", style="bold"))
    for note in _grouped_notes(report):
        console.print(literal(f"  - {note}"), overflow="fold")
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
    console.print(literal("Reconciliation: ", style="bold") + literal("; ".join(parts)))
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


def render_verdict(
    report: Report, stream: TextIO, *, fail_on: str = gate.DEFAULT, color: bool | None = None
) -> None:
    """Only the verdict line (`--quiet`, or standard output when the reports go to files),
    never wrapped, coloured as `render` colours it."""
    _verdict(safe_console(stream, width=10_000, color=color), report, fail_on)


def verdict_line(report: Report, *, fail_on: str = gate.DEFAULT) -> str:
    """The verdict as one line of plain text (standard output when the reports go to files)."""
    stream = io.StringIO()
    console = Console(
        file=stream,
        width=10_000,
        color_system=None,
        highlight=False,
        emoji=False,
        soft_wrap=True,
    )
    _verdict(console, report, fail_on)
    return stream.getvalue()


def _verdict(console: Console, report: Report, fail_on: str = gate.DEFAULT) -> None:
    verdict = report.verdict
    failing = [r.id for r in report.requirements if r.status is Status.FAIL]
    missing = [r.id for r in report.requirements if r.status is Status.NOT_EVALUATED]
    style = {
        Verdict.PASS: "bold green",
        Verdict.FAIL: "bold red",
        Verdict.INCOMPLETE: "bold yellow",
    }[verdict]
    text = literal("Verdict: ", style="bold") + literal(verdict.label, style=style)
    if verdict is Verdict.PASS:
        text += literal(" - the vehicle originates on every requirement evaluated")
    else:
        reasons = []
        if failing:
            reasons.append(f"fails {', '.join(failing)}")
        if missing:
            reasons.append(f"not evaluated: {', '.join(missing)}")
        text += literal(" - " + "; ".join(reasons))
    text += literal(f" (exit {gate.exit_code(report, fail_on)})")
    if report.verdict_depends_on_reading:
        other = [r for r in report.readings if r.reading != report.core_reading]
        text += literal(
            f"; the verdict depends on the reading of core parts: under {other[0].reading} "
            f"it is {other[0].verdict.value}",
            style="bold",
        )
    console.print(text)
