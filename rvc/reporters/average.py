"""The report of `rvc average`: a `PeriodAverage` in, text out, in every format of `rvc check`.

* **table**: the period, category and thresholds; per group its variants (each one's own
  figures as `rvc check` gives them), the averaged requirements under both readings, the
  variants that pull the vehicle RVC down most (in money), the core-part averages, the
  election data (s. 16(3)); the workbooks left out; the verdict line.
* **json**: the document described by `average.schema.json` (beside `report.schema.json`).
* **junit**: one `<testsuite>` per group, one `<testcase>` per averaged requirement.
* **github**: an annotation per averaged requirement that does not pass, a line per group.
* **markdown**: a merge-request comment or job summary.
* **xlsx** (`-o`): the audit workbook of the average (`rvc.reporters.average_workbook`).

Bad input (exit 2) writes each workbook's located message on standard error and the error
documents in the machine formats. Nothing here computes a figure.
"""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TextIO
from xml.etree import ElementTree

from rich.table import Table
from rich.text import Text

from rvc import __version__
from rvc.engine.average import GroupAverage, PeriodAverage, Variant
from rvc.errors import RvcError
from rvc.money import fmt_amount, fmt_number, fmt_percent, fmt_threshold
from rvc.reporters import gate
from rvc.reporters.batch import Outcome
from rvc.reporters.json_report import Raw, dumps_data, inert, plain, requirement_document
from rvc.reporters.outputs import MACHINE_FORMATS, to_stdout
from rvc.reporters.terminal import LABEL, READING, STYLE, literal, safe_console
from rvc.results import (
    AveragedCoreEvidence,
    AveragedRvcEvidence,
    RequirementResult,
    Status,
    Verdict,
)
from rvc.text import escape

SCHEMA_VERSION = 1
SUFFIXES = {".json": "json", ".xml": "junit", ".md": "markdown", ".txt": "table", ".xlsx": "xlsx"}
"""`-o FILE`: the format its suffix names."""
VERDICT_STYLE = {Verdict.PASS: "bold green", Verdict.FAIL: "bold red",
                 Verdict.INCOMPLETE: "bold yellow"}  # fmt: skip
BASIS = {"all": "all vehicles of the category", "exported": "only the vehicles exported"}
SOURCE = {"option": "from --period", "workbooks": "from the workbooks' period_start, period_end"}


def exit_code(result: PeriodAverage, fail_on: str = gate.DEFAULT) -> int:
    """0 when every group's average passes (or, with `--fail-on fail`, none fails), else 1."""
    verdict = result.verdict
    if verdict is Verdict.PASS or (verdict is Verdict.INCOMPLETE and fail_on == "fail"):
        return 0
    return 1


# --- where reports go ---------------------------------------------------------------------


def plan(paths: Sequence[Path], inputs: Sequence[Path]) -> list[tuple[Path, str]]:
    """The format of each `-o` file by its suffix, or a usage error before anything is read."""
    expected = "one of " + ", ".join(SUFFIXES)
    planned: list[tuple[Path, str]] = []
    seen = {p.resolve() for p in inputs}
    for path in paths:
        key = path.resolve()
        if key in seen:
            raise RvcError(str(path), "is an input or named twice", "another file for the report")
        suffix = path.suffix.lower()
        if suffix not in SUFFIXES:
            shown = repr(suffix) if suffix else "(none)"
            raise RvcError(str(path), f"suffix {shown} names no average report format", expected)
        if not key.parent.is_dir():
            raise RvcError(
                str(path),
                f"cannot be written: folder {path.parent} does not exist",
                "a report file in an existing folder",
            )
        seen.add(key)
        planned.append((path, SUFFIXES[suffix]))
    return planned


def write(
    result: PeriodAverage,
    fmt: str,
    files: Sequence[tuple[Path, str]],
    *,
    fail_on: str = gate.DEFAULT,
) -> None:
    """Every `-o` file, then standard output (`verdict`: only the verdict line)."""
    for path, name in files:
        try:
            if name == "xlsx":
                import shlex

                from rvc.reporters.average_workbook import write_average_workbook

                write_average_workbook(
                    result, path, command_line=shlex.join(["rvc", *sys.argv[1:]])
                )
            else:
                with path.open("w", encoding="utf-8", newline="\n") as stream:
                    RENDERERS[name](result, stream, fail_on)
        except OSError as exc:
            raise RvcError(str(path), f"cannot be written ({exc.strerror or exc})") from exc
        sys.stderr.write(f"rvc: wrote {escape(path)} (verdict {result.verdict.value})\n")
    if fmt == "verdict":
        to_stdout(fmt, lambda stream: stream.write(verdict_line(result, fail_on) + "\n"))
    else:
        to_stdout(fmt, lambda stream: RENDERERS[fmt](result, stream, fail_on))
    if fmt == "github":  # the job summary, as for check
        from rvc.reporters.outputs import _job_summary

        summary = io.StringIO()
        render_markdown(result, summary, fail_on)
        _job_summary(summary.getvalue(), None)


def write_errors(bad: Sequence[Outcome], fmt: str, files: Sequence[tuple[Path, str]]) -> int:
    """Bad input: each located message on standard error, the error documents in the machine
    formats (standard output and `-o` files); the exit code (2, or 3 for a bug of rvc)."""
    errors = [o.error for o in bad if o.error is not None]
    for error in errors:
        sys.stderr.write(f"rvc: error: {escape(error['message'])}\n")
    for path, name in files:
        try:
            if name == "xlsx":
                if path.exists():
                    path.unlink()
                    sys.stderr.write(f"rvc: removed {escape(path)}: this run has no xlsx report\n")
                continue
            with path.open("w", encoding="utf-8", newline="\n") as stream:
                ERROR_RENDERERS[name](errors, stream)
        except OSError as exc:
            sys.stderr.write(
                f"rvc: error: {escape(path)}: cannot be written ({exc.strerror or exc})\n"
            )
    if fmt in MACHINE_FORMATS and fmt in ERROR_RENDERERS:
        to_stdout(fmt, lambda stream: ERROR_RENDERERS[fmt](errors, stream))
    return max((o.exit_code for o in bad), default=2)


# --- JSON ---------------------------------------------------------------------------------


def document(result: PeriodAverage) -> dict[str, Any]:
    """The average as a JSON-ready dict (average.schema.json)."""
    period = result.period
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "average",
        "tool": {"name": "rvc", "version": result.tool_version},
        "rules": dict(result.rules),
        "category": result.category,
        "basis": result.basis,
        "period": {
            "start": period.start.isoformat(),
            "end": period.end.isoformat(),
            "source": period.source,
            "fiscal_year_start": plain(period.fiscal_year_start),
            "thresholds_on": period.decides.isoformat(),
        },
        "core_part_reading": result.core_reading,
        "verdict": result.verdict.value,
        "groups": [_group_document(g) for g in result.groups],
        "excluded": [{"path": e.path, "reason": e.reason} for e in result.excluded],
        "notes": [_note(n) for n in result.notes],
    }


def _note(note: Any) -> dict[str, Any]:
    return {"code": note.code, "where": note.where, "text": note.text, "amount": plain(note.amount)}


def _group_document(g: GroupAverage) -> dict[str, Any]:
    e = g.election
    return {
        "key": dict(g.key),
        "label": g.label,
        "vehicle_classes": list(g.vehicle_classes),
        "verdict": g.verdict.value,
        "period_kind": g.period_kind or None,
        "period_citation": g.period_citation or None,
        "variants_count": len(g.variants),
        "volume": g.volume,
        "currency": g.currency,
        "requirements": [requirement_document(r) for r in g.requirements],
        "readings": {
            r.reading: {
                "verdict": r.verdict.value,
                "vehicle_rvc": plain(r.vehicle_rvc),
                "vehicle_rvc_status": r.vehicle_rvc_status.value if r.vehicle_rvc_status else None,
            }
            for r in g.readings
        },
        "verdict_depends_on_reading": g.verdict_depends_on_reading,
        "election": {
            "category": e.category,
            "citation": e.citation,
            "basis": e.basis,
            "period": {"start": e.period_start.isoformat(), "end": e.period_end.isoformat()},
            "producers": list(e.producers),
            "model_lines": list(e.model_lines),
            "vehicle_classes": list(e.vehicle_classes),
            "hs_subheadings": list(e.hs_subheadings),
            "plants": [{"plant": p, "country": c} for p, c in e.plants],
            "estimated_lvc": plain(e.estimated_lvc),
            "missing": list(e.missing),
        },
        "variants": [_variant_document(v) for v in g.variants],
        "notes": [_note(n) for n in g.notes],
    }


def _variant_document(v: Variant) -> dict[str, Any]:
    p = v.production
    return {
        "input": {"path": v.path, "sha256": v.sha256},
        "vehicle": dict(v.vehicle),
        "country": p.country,
        "volume": p.volume,
        "volume_exported": p.volume_exported,
        "period": {"start": plain(p.period_start), "end": plain(p.period_end)},
        "as_of": v.as_of.isoformat(),
        "currency": v.currency,
        "net_cost": plain(v.net_cost),
        "vnm": plain(v.own_vnm()),
        "vnm_in_period": plain(v.vnm_in_period()),
        "evaluated_for_the_period": v.figures is not None or v.period_vnm is not None,
        "verdict": v.verdict.value,
        "readings": {
            r.reading: {
                "verdict": r.verdict.value,
                "vehicle_rvc": plain(r.vehicle_rvc),
                "vehicle_rvc_status": r.vehicle_rvc_status.value if r.vehicle_rvc_status else None,
            }
            for r in v.readings
        },
        "requirements": (
            Raw(v.requirements_json)
            if v.requirements_json
            else [requirement_document(r) for r in v.requirements]
        ),
        "notes_count": v.notes,
    }


def render_json(result: PeriodAverage, stream: TextIO, fail_on: str = gate.DEFAULT) -> None:
    """The JSON document and a newline."""
    stream.write(dumps_data(document(result)) + "\n")


def render_json_errors(errors: Sequence[dict[str, Any]], stream: TextIO) -> None:
    """The error document (check's shape, the first error) with every error in `errors`."""
    doc = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "rvc", "version": __version__},
        "error": errors[0] if errors else None,
        "errors": list(errors),
    }
    stream.write(inert(json.dumps(doc, indent=2, ensure_ascii=False)) + "\n")


# --- table --------------------------------------------------------------------------------


def render_table(
    result: PeriodAverage,
    stream: TextIO,
    fail_on: str = gate.DEFAULT,
    *,
    width: int | None = None,
    color: bool | None = None,
) -> None:
    """The human report."""
    console = safe_console(stream, width=width or (None if stream.isatty() else 120), color=color)
    period = result.period
    console.print(
        literal("rvc average: ", style="bold")
        + literal(f"category {result.category}, {BASIS[result.basis]}")
    )
    console.print(f"Period: {period} ({SOURCE.get(period.source, period.source)})")
    console.print(
        f"Rules:  {result.rules['id']} {result.rules['version']}; thresholds in force on "
        f"{period.decides.isoformat()}, the period's last day"
    )
    console.print(f"Core parts in the vehicle RVC: {READING[result.core_reading]}; both computed")
    console.print()
    for n, g in enumerate(result.groups, start=1):
        _table_group(console, g, n, len(result.groups), result.core_reading)
    if result.excluded:
        console.print(literal(f"Left out ({len(result.excluded)})", style="bold"))
        for e in result.excluded:
            console.print(literal(f"  - {e.path}: {e.reason}"), overflow="fold")
        console.print()
    if not result.groups:
        console.print(literal("No workbook is in the period and category asked for."))
        console.print()
    console.print(_verdict_text(result, fail_on))


def _table_group(console: Any, g: GroupAverage, n: int, total: int, reading: str) -> None:
    verdict = g.verdict
    console.print(
        literal(f"Group {n} of {total}: ", style="bold")
        + literal(g.label, style="bold")
        + literal(" - ")
        + literal(verdict.value.upper(), style=VERDICT_STYLE[verdict])
    )
    if g.period_kind:
        console.print(literal(f"Period: {g.period_kind} ({g.period_citation})"))
    _table_variants(console, g, reading)
    _table_averages(console, g)
    for r in g.requirements:
        console.print(literal(f"{r.id}: ", style="bold") + literal(r.message), overflow="fold")
        console.print(literal(f"  Source: {r.citation}", style="dim"), overflow="fold")
        if isinstance(r.evidence, AveragedRvcEvidence):
            _table_pull_down(console, r.evidence, g.currency, reading)
        elif isinstance(r.evidence, AveragedCoreEvidence):
            _table_core(console, r.evidence)
    _table_election(console, g)
    for note in g.notes:
        console.print(literal(f"  - note: {note}"), overflow="fold")
    console.print()


def _table_variants(console: Any, g: GroupAverage, reading: str) -> None:
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
    for name, justify in (
        ("Workbook", "left"), ("Model line", "left"), ("Volume", "right"), ("Net cost", "right"),
        (f"VNM ({reading})", "right"), ("Own RVC", "right"), ("RVC in period", "right"),
        ("Own verdict", "left"),
    ):  # fmt: skip
        table.add_column(name, justify=justify, overflow="fold")  # type: ignore[arg-type]
    rvc = g.result("vehicle-rvc")
    figures = {c.path: c for c in rvc.evidence.contributions} if rvc is not None and isinstance(
        rvc.evidence, AveragedRvcEvidence) else {}  # fmt: skip
    for v in g.variants:
        c = figures.get(v.path)
        own = v.result("vehicle-rvc")
        table.add_row(
            literal(v.path),
            literal(v.model_line),
            f"{c.volume if c else v.production.volume or 0:,}",
            fmt_number(v.net_cost),
            fmt_number(c.vnm[reading]) if c else "-",
            fmt_percent(own.value, own.threshold) if own and own.value is not None else "-",
            fmt_percent(c.rvc[reading], rvc.threshold if rvc else None) if c else "-",
            literal(v.verdict.value.upper(), style=VERDICT_STYLE[v.verdict]),
        )
    console.print(literal(f"Variants ({len(g.variants)}, {g.volume:,} vehicles)", style="bold"))
    console.print(table)


def _table_averages(console: Any, g: GroupAverage) -> None:
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
    for name, justify in (("Status", "left"), ("Requirement", "left"), ("Average", "right"),
                          ("Required", "right"), ("Margin", "right")):  # fmt: skip
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for r in g.requirements:
        table.add_row(
            literal(LABEL[r.status], style=STYLE[r.status]),
            r.id,
            fmt_percent(r.value, r.threshold) if r.value is not None else "-",
            fmt_threshold(r.threshold) if r.threshold is not None else "-",
            _margin(r, g.currency),
        )
    console.print(literal("Averages over the period", style="bold"))
    console.print(table)
    for outcome in g.readings:
        if outcome.vehicle_rvc is None:
            continue
        status = outcome.vehicle_rvc_status or Status.NOT_EVALUATED
        console.print(
            literal(f"  vehicle RVC under {outcome.reading}: ")
            + literal(fmt_percent(outcome.vehicle_rvc))
            + literal(" ")
            + literal(LABEL[status], style=STYLE[status])
            + literal(f"; verdict {outcome.verdict.value}")
        )
    console.print()


def _margin(r: RequirementResult, currency: str) -> str:
    if r.margin_points is None:
        return "-"
    sign = "+" if r.margin_points >= 0 else "-"
    text = f"{sign}{fmt_amount(abs(r.margin_points))} pts"
    if r.margin_amount is not None and isinstance(r.evidence, AveragedRvcEvidence):
        text += f" ({'+' if r.margin_amount >= 0 else '-'}{fmt_amount(abs(r.margin_amount))} "
        text += f"{currency})"
    return text


def _table_pull_down(console: Any, e: AveragedRvcEvidence, currency: str, reading: str) -> None:
    down = [c for c in e.contributions if c.above_allowance[reading] > 0][:10]
    if not down:
        console.print(literal("  No variant is above what the threshold allows it."))
        return
    console.print(
        literal(
            f"  Pulling the average down ({reading}: non-originating value above what the "
            "threshold allows each variant's vehicles):"
        )  # fmt: skip
    )
    for c in down:
        console.print(
            literal(
                f"    - {c.path} ({c.model_line}): {fmt_amount(c.above_allowance[reading])} "
                f"{currency} over {c.volume:,} vehicles (RVC {fmt_percent(c.rvc[reading])})"
            ),
            overflow="fold",
        )


def _table_core(console: Any, e: AveragedCoreEvidence) -> None:
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold", padding=(0, 1))
    for name, justify in (("  Category", "left"), ("RVC over the period", "right"),
                          ("Parts", "right"), ("Exceeds", "left")):  # fmt: skip
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for c in (*e.categories, e.super_core):
        table.add_row(
            f"  {c.category}",
            fmt_percent(c.value, e.threshold) if c.value is not None else "n/a",
            str(c.parts),
            f"yes: every part averaged originates (> {fmt_threshold(e.threshold)})"
            if c.exceeds
            else "no",
        )
    console.print(table)
    for gap in e.not_originating[:10]:
        console.print(
            literal(
                f"    - not originating: {gap.path} {gap.part_number} (row {gap.row}, "
                f"{gap.category}): {gap.reason}"
            ),  # fmt: skip
            overflow="fold",
        )


def _table_election(console: Any, g: GroupAverage) -> None:
    e = g.election
    console.print(literal(f"Election to file ({e.citation})", style="bold"))
    plants = "; ".join(f"{p}, {c}" for p, c in e.plants) or "-"
    rows = [
        ("category", f"{e.category}, {e.basis}"),
        ("period", f"{e.period_start.isoformat()} to {e.period_end.isoformat()}"),
        ("producer", ", ".join(e.producers) or "-"),
        ("model lines and names", ", ".join(e.model_lines) or "-"),
        ("classes", ", ".join(e.vehicle_classes)),
        ("tariff classification", ", ".join(e.hs_subheadings) or "-"),
        ("plants", plants),
    ]
    if e.estimated_lvc is not None:
        rows.append(("LVC of the category (s. 18(16)(e))", fmt_percent(e.estimated_lvc)))
    for key, value in rows:
        console.print(literal(f"  {key}: {value}"), overflow="fold")
    for missing in e.missing:
        console.print(literal(f"  - missing: {missing}", style="yellow"), overflow="fold")


def verdict_line(result: PeriodAverage, fail_on: str = gate.DEFAULT) -> str:
    """The verdict as one line of plain text."""
    return str(_verdict_text(result, fail_on).plain)


def _verdict_text(result: PeriodAverage, fail_on: str) -> Text:
    verdict = result.verdict
    counts = {v: sum(1 for g in result.groups if g.verdict is v) for v in Verdict}
    groups = len(result.groups)
    text = literal("Verdict: ", style="bold") + literal(
        verdict.value.upper(), style=VERDICT_STYLE[verdict]
    )
    text += literal(
        f" - {groups} average{'s' if groups != 1 else ''} of {result.variants} workbook"
        f"{'s' if result.variants != 1 else ''}: {counts[Verdict.PASS]} pass, "
        f"{counts[Verdict.FAIL]} fail, {counts[Verdict.INCOMPLETE]} incomplete; "
        f"{len(result.excluded)} left out (exit {exit_code(result, fail_on)})"
    )
    depends = [g.label for g in result.groups if g.verdict_depends_on_reading]
    if depends:
        text += literal(f"; the verdict depends on the reading of core parts for {len(depends)}")
    return text


# --- JUnit, GitHub, Markdown -------------------------------------------------------------


def render_junit(result: PeriodAverage, stream: TextIO, fail_on: str = gate.DEFAULT) -> None:
    """One <testsuite> per group, one <testcase> per averaged requirement."""
    from rvc.reporters.junit import _case, _write

    cases = sum(len(g.requirements) for g in result.groups)
    failures = sum(
        1 for g in result.groups for r in g.requirements if gate.blocking(r.status, fail_on)
    )
    suites = ElementTree.Element(
        "testsuites", name="rvc average", tests=str(cases), failures=str(failures)
    )
    for g in result.groups:
        suite = ElementTree.SubElement(
            suites,
            "testsuite",
            name=f"rvc average {g.label}",
            tests=str(len(g.requirements)),
            failures=str(sum(1 for r in g.requirements if gate.blocking(r.status, fail_on))),
            errors="0",
            skipped=str(
                sum(
                    1
                    for r in g.requirements
                    if r.status is Status.NOT_EVALUATED and not gate.blocking(r.status, fail_on)
                )
            ),
        )
        properties = ElementTree.SubElement(suite, "properties")
        for key, value in (
            ("category", result.category),
            ("basis", result.basis),
            ("period", str(result.period)),
            ("rules", f"{result.rules['id']} {result.rules['version']}"),
            ("core_part_reading", result.core_reading),
            ("variants", ", ".join(v.path for v in g.variants)),
            ("verdict", g.verdict.value),
        ):
            ElementTree.SubElement(properties, "property", name=key, value=value)
        for r in g.requirements:
            _case(suite, r, f"average.{'.'.join(g.vehicle_classes)}", fail_on)
    _write(suites, stream)


def render_junit_errors(errors: Sequence[dict[str, Any]], stream: TextIO) -> None:
    """Bad input: one test suite with an <error> case per workbook that could not be read."""
    from rvc.reporters.junit import _write

    suites = ElementTree.Element(
        "testsuites", name="rvc average", tests=str(len(errors)), failures="0",
        errors=str(len(errors)),
    )  # fmt: skip
    suite = ElementTree.SubElement(
        suites, "testsuite", name="rvc average input", tests=str(len(errors)), failures="0",
        errors=str(len(errors)), skipped="0",
    )  # fmt: skip
    for error in errors:
        case = ElementTree.SubElement(suite, "testcase", classname="rvc.input", name=error["file"])
        ElementTree.SubElement(
            case, "error", message=error["message"], type="input"
        ).text = "\n".join(
            f"{k}: {error[k]}" for k in ("file", "where", "found", "expected") if error[k]
        )
    _write(suites, stream)


def render_github(result: PeriodAverage, stream: TextIO, fail_on: str = gate.DEFAULT) -> None:
    """An annotation per averaged requirement that does not pass, then one per group."""
    from rvc.reporters.github import _data, _property

    for g in result.groups:
        for r in g.requirements:
            if r.status is Status.PASS:
                continue
            level = "error" if gate.blocking(r.status, fail_on) else "warning"
            title = _property(f"rvc average {r.id}: {r.status.value}")
            stream.write(f"::{level} title={title}::{_data(f'{g.label}: {r.message}')}\n")
        level = "notice" if g.verdict is Verdict.PASS else "error"
        title = _property(f"rvc average: {g.verdict.value}")
        stream.write(
            f"::{level} title={title}::"
            + _data(
                f"{g.label}: {g.verdict.value} over {result.period} ({len(g.variants)} "
                f"workbook{'s' if len(g.variants) != 1 else ''}, {g.volume:,} vehicles; "
                f"{result.category})"
            )
            + "\n"
        )
    for e in result.excluded:
        stream.write(
            f"::warning file={_property(e.path)},title={_property('rvc average: left out')}::"
            f"{_data(e.reason)}\n"
        )
    level = "notice" if exit_code(result, fail_on) == 0 else "error"
    stream.write(
        f"::{level} title={_property('rvc average')}::{_data(verdict_line(result, fail_on))}\n"
    )


def render_github_errors(errors: Sequence[dict[str, Any]], stream: TextIO) -> None:
    """Bad input: one ::error annotation per workbook at fault."""
    from rvc.reporters.github import _data, _property

    for error in errors:
        stream.write(
            f"::error file={_property(error['file'])},title={_property('rvc: bad input')}::"
            f"{_data(error['message'])}\n"
        )


def render_markdown(result: PeriodAverage, stream: TextIO, fail_on: str = gate.DEFAULT) -> None:
    """A merge-request comment: the verdict, then per group its averages and variants."""
    from rvc.reporters.markdown import VERDICT_ICON, _code, escape

    verdict = result.verdict
    out = [
        f"## {VERDICT_ICON[verdict]} rvc average: {verdict.value.upper()} - "
        f"{escape(result.category)}, {result.period}",
        "",
        f"{escape(BASIS[result.basis])}; thresholds in force on "
        f"{result.period.decides.isoformat()}; core parts read as {escape(result.core_reading)}; "
        f"exit {exit_code(result, fail_on)}.",
        "",
    ]
    for g in result.groups:
        out += _markdown_group(g, result.exported_only)
    if result.excluded:
        out.append(f"Left out ({len(result.excluded)}):")
        out += [f"- {_code(e.path)}: {escape(e.reason)}" for e in result.excluded]
        out.append("")
    stream.write("\n".join(out).rstrip() + "\n")


def _markdown_group(g: GroupAverage, exported_only: bool) -> list[str]:
    from rvc.reporters.markdown import ICON, VERDICT_ICON, _code, escape

    out = [
        f"### {VERDICT_ICON[g.verdict]} {escape(g.label)}: {g.verdict.value.upper()}",
        "",
        "| | requirement | average | required | margin |",
        "|---|---|---:|---:|---:|",
    ]
    for r in g.requirements:
        value = fmt_percent(r.value, r.threshold) if r.value is not None else "-"
        threshold = fmt_threshold(r.threshold) if r.threshold is not None else "-"
        out.append(
            f"| {ICON[r.status]} | {r.id} | {value} | {threshold} | "
            f"{escape(_margin(r, g.currency))} |"
        )
    out.append("")
    out += [
        f"- vehicle RVC under {o.reading}: {fmt_percent(o.vehicle_rvc)} (verdict {o.verdict.value})"
        for o in g.readings
        if o.vehicle_rvc is not None
    ]
    out += ["", "| workbook | model line | volume | own verdict |", "|---|---|---:|---|"]
    out += [
        f"| {_code(v.path)} | {escape(v.model_line)} | {v.volume(exported_only):,}"
        f" | {VERDICT_ICON[v.verdict]} {v.verdict.value} |"
        for v in g.variants
    ]
    out.append("")
    out += [
        f"- **{r.id}**: {escape(r.message)} ({escape(r.citation)})"
        for r in g.requirements
        if r.status is not Status.PASS
    ]
    e = g.election
    plants = "; ".join(f"{p}, {c}" for p, c in e.plants) or "-"
    out += [
        "",
        f"Election ({escape(e.citation)}): {escape(e.category)}, {escape(e.basis)}; "
        f"{e.period_start.isoformat()} to {e.period_end.isoformat()}; model lines "
        f"{escape(', '.join(e.model_lines) or '-')}; classes "
        f"{escape(', '.join(e.vehicle_classes))}; tariff classification "
        f"{escape(', '.join(e.hs_subheadings) or '-')}; plants {escape(plants)}"
        + (f"; missing: {escape('; '.join(e.missing))}" if e.missing else ""),
        "",
    ]
    return out


def render_markdown_errors(errors: Sequence[dict[str, Any]], stream: TextIO) -> None:
    """Bad input: the message of each workbook at fault."""
    from rvc.reporters.markdown import _code, escape

    out = ["## ❌ rvc average: bad input", ""]
    for error in errors:
        out.append(f"- {_code(error['file'])}: {escape(error['message'])}")
    stream.write("\n".join(out) + "\n")


def render_table_errors(errors: Sequence[dict[str, Any]], stream: TextIO) -> None:
    """Bad input in a `.txt` report: the messages, as on standard error."""
    for error in errors:
        stream.write(f"rvc: error: {escape(error['message'])}\n")


RENDERERS: dict[str, Callable[[PeriodAverage, TextIO, str], None]] = {
    "table": render_table,
    "json": render_json,
    "junit": render_junit,
    "github": render_github,
    "markdown": render_markdown,
}
ERROR_RENDERERS: dict[str, Callable[[Sequence[dict[str, Any]], TextIO], None]] = {
    "table": render_table_errors,
    "json": render_json_errors,
    "junit": render_junit_errors,
    "github": render_github_errors,
    "markdown": render_markdown_errors,
}
