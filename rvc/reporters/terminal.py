"""The human report: what passes or fails, by how much, why, and what was assumed.

Colour only on a terminal (rich decides; `NO_COLOR` is honoured). Reads the `Report`; computes
nothing beyond formatting.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from rvc.money import fmt_amount, fmt_number, fmt_percent, fmt_threshold
from rvc.results import Report, RequirementResult, Status, Verdict
from rvc.text import escape

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


class SafeConsole(Console):
    """A console that prints input text literally: never parsed as markup (``BRKT[/]-1``,
    ``BOM [final].xlsx``), never highlighted, control characters shown as escapes."""

    def render_str(self, text: str, **kwargs: Any) -> Text:  # type: ignore[override]
        kwargs["markup"] = False
        kwargs["highlight"] = False
        kwargs["emoji"] = False
        return super().render_str(escape(text), **kwargs)

    def on_broken_pipe(self) -> None:
        """rich exits 1 on a closed pipe; the caller keeps the verdict's exit code instead."""
        self.quiet = True
        raise BrokenPipeError


def _t(text: object, style: str = "") -> Text:
    """Input text as a rich `Text`: literal and escaped."""
    return Text(escape(text), style=style)


def render(
    report: Report, stream: TextIO, *, width: int | None = None, color: bool | None = None
) -> None:
    """Print the report to a stream."""
    console = SafeConsole(
        file=stream,
        markup=False,
        width=width,
        color_system="auto" if color is not False else None,
        force_terminal=color,
        highlight=False,
        emoji=False,
        soft_wrap=False,
    )
    _header(console, report)
    _summary(console, report)
    for result in report.requirements:
        _detail(console, report, result)
    _assumptions(console, report)
    _reconciliation(console, report)
    _verdict(console, report)


def _header(console: Console, report: Report) -> None:
    v = report.vehicle
    title = v.get("model_line", "")
    cls = v.get("vehicle_class", "")
    extra = f", HS {v['hs_subheading']}" if v.get("hs_subheading") else ""
    console.print(_t(title, "bold"), _t(f"({cls}{extra})"))
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


def _margin(result: RequirementResult, currency: str) -> str:
    if result.margin_points is None:
        return "-"
    sign = "+" if result.margin_points >= 0 else "-"
    text = f"{sign}{fmt_amount(abs(result.margin_points))} pts"
    if result.margin_amount is not None and result.id == "vehicle-rvc":
        money = fmt_amount(abs(result.margin_amount))
        text += f" ({'+' if result.margin_amount >= 0 else '-'}{money} {currency})"
    return text


def _summary(console: Console, report: Report) -> None:
    table = Table(show_edge=False, pad_edge=False, box=None, header_style="bold")
    table.add_column("Status", no_wrap=True)
    table.add_column("Requirement", no_wrap=True)
    table.add_column("Value", justify="right", no_wrap=True)
    table.add_column("Required", justify="right", no_wrap=True)
    table.add_column("Margin", justify="right", no_wrap=True)
    for r in report.requirements:
        threshold = fmt_threshold(r.threshold) if r.threshold is not None else "-"
        table.add_row(
            Text(LABEL[r.status], style=STYLE[r.status]),
            r.id,
            _value(r),
            threshold,
            _margin(r, report.currency),
        )
    console.print(table)
    console.print()


def _detail(console: Console, report: Report, result: RequirementResult) -> None:
    console.print(_t(f"{result.id}: ", "bold") + _t(result.message))
    if result.citation:
        status = f" [status {result.source_status}]" if result.source_status else ""
        console.print(_t(f"  Source: {result.citation}{status}", "dim"))
    if result.id == "vehicle-rvc" and result.drivers:
        _drivers(console, report, result)
    if result.details and any(
        isinstance(v, dict) and "parts" in v for v in result.details.values()
    ):
        _core_table(console, result)
    if result.id == "lvc" and result.status is not Status.NOT_EVALUATED:
        _lvc_table(console, result.details)
    others = result.details.get("other_readings")
    if isinstance(others, dict) and others:
        shown = "; ".join(
            f"{READING_NAME[name]} reading {fmt_percent(value, result.threshold)}"
            for name, value in others.items()
        )
        console.print(f"  The RVC under the other readings of core parts: {shown}.")
    console.print()


def _drivers(console: Console, report: Report, result: RequirementResult) -> None:
    vnm = result.details.get("vnm")
    total = f" (of {fmt_number(vnm)} {report.currency})" if isinstance(vnm, Decimal) else ""
    console.print(f"  Lines bringing the most non-originating value{total}:")
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold", padding=(0, 1))
    for name, justify in (
        ("Row", "right"),
        ("Part", "left"),
        ("Description", "left"),
        ("Amount", "right"),
        ("Share", "right"),
        ("Why", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold", max_width=34)  # type: ignore[arg-type]
    for d in result.drivers:
        table.add_row(
            str(d.row),
            d.part_number,
            d.description,
            fmt_number(d.amount),
            fmt_percent(d.share_percent, None, 1),
            d.reason,
        )
    console.print(table)


def _core_table(console: Console, result: RequirementResult) -> None:
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold", padding=(0, 1))
    for name, justify in (
        ("Category", "left"),
        ("RVC", "right"),
        ("Required", "right"),
        ("Status", "left"),
        ("Parts", "left"),
    ):
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
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
        status = Status(entry["status"])
        table.add_row(
            category,
            fmt_percent(value, threshold) if isinstance(value, Decimal) else "-",
            fmt_threshold(threshold) if isinstance(threshold, Decimal) else "-",
            Text(LABEL[status], style=STYLE[status]),
            shown,
        )
    console.print(table)


def _lvc_table(console: Console, details: dict[str, Any]) -> None:
    mm, tech, asm = (
        details["material_and_manufacturing"],
        details["technology"],
        details["assembly"],
    )
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold", padding=(0, 1))
    for name, justify in (("Component", "left"), ("Points", "right"), ("Limit", "left")):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    table.add_row(
        "High-wage material and manufacturing",
        fmt_number(mm["value"]),
        f"minimum {fmt_threshold(mm['minimum'])[:-1]}",
    )
    table.add_row(
        "Technology credit", fmt_number(tech["value"]), f"cap {fmt_threshold(tech['cap'])[:-1]}"
    )
    table.add_row(
        "Assembly credit", fmt_number(asm["value"]), f"cap {fmt_threshold(asm['cap'])[:-1]}"
    )
    console.print(table)


def _assumptions(console: Console, report: Report) -> None:
    if not report.assumptions:
        return
    console.print(Text("Assumptions and notes", style="bold"))
    for note in report.assumptions:
        console.print(f"  - {note}", overflow="fold")
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
    console.print(_t("Reconciliation: ", "bold") + _t("; ".join(parts)))
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
        text += _t(" - " + "; ".join(reasons))
    text += Text(f" (exit {report.exit_code})")
    console.print(text)
