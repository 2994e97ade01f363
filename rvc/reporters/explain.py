"""`rvc explain REQUIREMENT`: what a requirement asks, its formula, its thresholds by date
for each vehicle class with citation and source status, and a worked example.

Thresholds, citations, statuses, the de minimis share, caps and the high-wage rate come from
the rule pack loaded; the worked example's figures come from the engine's `Report` for the
built-in example vehicle (rvc.examples), evaluated by the caller on the date asked for. This
module only formats them: plain text, never markup.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any, TextIO

from rvc import schedule
from rvc.errors import NotInForce
from rvc.money import fmt_amount, fmt_number, fmt_percent, fmt_threshold
from rvc.reporters.rules_report import figure, plain
from rvc.results import (
    CorePartsEvidence,
    LvcEvidence,
    MetalEvidence,
    Report,
    RequirementResult,
    VehicleRvcEvidence,
)
from rvc.rulepack.schema import RulePack

STATUS = "status C: confirmed in the regulation's text; S: secondary sources only; R: recalled"


def _in_force(req: Any, on: Any) -> Any | None:
    try:
        return schedule.at(req.thresholds, on)
    except NotInForce:
        return None


def _formula(req: Any, on: Any) -> list[str]:
    if req.kind == "vehicle_rvc":
        lines = [
            "RVC = (NC - VNM) / NC x 100",
            "  NC: the vehicle's net cost; VNM: the value of its non-originating materials",
            "  (a material declared originating counts wholly originating, one declared",
            "  non-originating or of unknown origin wholly non-originating; an assembly left",
            "  blank counts by its own RVC against the threshold of its part table).",
            "  Core parts, two readings, both computed: us-cbp (default) counts an originating",
            "  core part's own non-originating content; roll-up counts it wholly originating.",
            "  Compared unrounded with >= the threshold.",
        ]
        if req.de_minimis_percent is not None:
            lines.append(
                f"  De minimis: a VNM of at most {fmt_threshold(req.de_minimis_percent)} of NC "
                "passes whatever the RVC (s. 5(4))."
            )
        return lines
    if req.kind == "core_parts":
        lines = [
            "Core part RVC = (V - VNM) / V x 100 over its components",
            "  (else its supplier-certified rvc_percent, else 100 or 0 from its declared origin)",
        ]
        if req.category_averaging:
            lines.append("  Category RVC = the value-weighted average of its parts' RVC")
        if req.super_core:
            lines.append("  Super-core RVC = the value-weighted average of every core part's RVC")
            lines.append(
                "  Passes when every core part originates: declared so, on its own RVC, by its"
            )
            lines.append("  category's average, or through the super-core.")
        else:
            lines.append("  Passes when each part meets the threshold on its own (no super-core).")
        if req.own_rule_for:
            names = ", ".join(req.own_rule_for)
            lines.append(f"  Own product-specific rule (declared origin decides): {names}.")
        return lines
    if req.kind == "metal_share":
        lines = [
            f"Share = originating {req.material} purchases / all {req.material} purchases x 100"
        ]
        melted = [e for e in req.thresholds if getattr(e, "melted_and_poured_required", False)]
        if melted:
            lines.append(
                f"  From {melted[0].from_.isoformat()} an originating purchase counts only "
                "when melted and poured in North America."
            )
        return lines
    entry = _in_force(req, on) or req.thresholds[-1]
    wages = ", ".join(f"{cur} {fmt_number(v)}/h" for cur, v in entry.high_wage_per_hour.items())
    return [
        "LVC = (HWM + HWLC) / NC x 100 + technology credit + assembly credit",
        "  HWM, HWLC: high-wage material and labor spend (an average base hourly wage of at",
        f"  least {wages}, each compared in its own currency)",
        f"  technology credit: R&D and IT wages / production wages x 100, capped at "
        f"{plain(entry.technology_cap_points)} points",
        f"  assembly credit: {plain(entry.assembly_cap_points)} points for a qualifying "
        "high-wage engine, transmission or battery plant",
        "  Annual purchase value formula: (APV + HWLC) / (TAPV + HWLC) x 100 + credits.",
    ]


def _thresholds(req: Any, on: Any) -> list[str]:
    current = _in_force(req, on)
    lines = []
    for entry in req.thresholds:
        values = {
            k: v
            for k, v in entry.model_dump(exclude={"from_", "citation", "status", "note"}).items()
            if v is not None
        }
        head = figure(values)
        rest = ", ".join(
            f"{k}={plain(v)}"
            for k, v in values.items()
            if k not in ("min_percent", "min_total_percent")
        )
        shown = head + (f" ({rest})" if rest else "")
        mark = f"   <- in force on {on.isoformat()}" if entry is current else ""
        lines.append(f"    from {entry.from_.isoformat()}: {shown}{mark}")
        lines.append(f"        {entry.citation} [status {entry.status.value}]")
        if entry.note:
            lines.append(f"        note: {entry.note}")
    if current is None:
        lines.append(f"    (none in force on {on.isoformat()}: the requirement is not evaluated)")
    return lines


def _verdict(result: RequirementResult) -> str:
    if result.value is None or result.threshold is None:
        return result.status.value
    sign = ">=" if result.value >= result.threshold else "<"
    return (
        f"{fmt_percent(result.value, result.threshold)} {sign} "
        f"{fmt_threshold(result.threshold)}: {result.status.value}"
    )


def _example(result: RequirementResult, report: Report) -> list[str]:
    """The worked example's lines, drawn by the type of the result's evidence."""
    ev = result.evidence
    currency = report.currency
    if result.value is None or ev is None:
        return ["  not evaluated on this date"]
    if isinstance(ev, VehicleRvcEvidence):
        nc, vnm = ev.net_cost, ev.vnm
        lines = [
            f"  NC = {fmt_amount(nc)} {currency}; VNM = {fmt_amount(vnm)} {currency} under the "
            f"{ev.core_part_reading} reading of core parts, from:"
        ]
        lines += [
            f"    {dr.part_number} ({dr.description}): {fmt_amount(dr.amount)}, {dr.reason}"
            for dr in result.drivers
        ]
        lines.append(
            f"  RVC = ({fmt_amount(nc)} - {fmt_amount(vnm)}) / {fmt_amount(nc)} x 100 = "
            f"{_verdict(result)}"
        )
        for name, value in ev.other_readings.items():
            lines.append(f"  under the {name} reading: RVC {_pct(value, result.threshold)}")
        return lines
    if isinstance(ev, CorePartsEvidence):
        lines = []
        for category in ev.categories:
            parts = "; ".join(
                f"{p.part_number} {_pct(p.rvc, None)} from {p.rvc_source}, "
                f"originating: {p.how.replace('_', ' ')}"
                for p in category.parts
            )
            lines.append(
                f"  {category.category}: {_pct(category.value, category.threshold)} "
                f"({parts}): {category.status.value}"
            )
        sc = ev.super_core
        if sc.value is not None:
            lines.append(
                f"  super-core of {sc.parts} core parts: {_pct(sc.value, sc.threshold)}: "
                f"{sc.status.value}"
            )
        return lines
    if isinstance(ev, MetalEvidence):
        lines = [
            f"  {fmt_amount(ev.originating_value)} originating of {fmt_amount(ev.total_value)} "
            f"{ev.currency} purchased = {_verdict(result)}"
        ]
        if ev.rows_not_shown_melted_and_poured:
            rows = list(ev.rows_not_shown_melted_and_poured)
            lines.append(
                f"  ({_rows('purchase row', rows)} originating but not shown melted and poured, "
                "so not counted as originating)"
            )
        return lines
    if isinstance(ev, LvcEvidence):
        lines = [
            f"  HWM {fmt_amount(ev.high_wage_material)} + HWLC {fmt_amount(ev.high_wage_labor)} "
            f"over {fmt_amount(ev.denominator)} = {fmt_number(ev.material_and_manufacturing)} "
            f"points (minimum {plain(ev.minimum)})",
            f"  technology credit {fmt_number(ev.technology)} (cap {plain(ev.technology_cap)}); "
            f"assembly credit {fmt_number(ev.assembly)} (cap {plain(ev.assembly_cap)})",
        ]
        if ev.low_wage_rows:
            lines.append(
                f"  ({_rows('LVC row', list(ev.low_wage_rows))} below the high wage: not counted)"
            )
        lines.append(f"  LVC = {_verdict(result)}")
        return lines
    return []


def _rows(noun: str, rows: list[Any]) -> str:
    """`purchase row 3 is`, `LVC rows 4, 6 are`."""
    if len(rows) == 1:
        return f"{noun} {rows[0]} is"
    return f"{noun}s {', '.join(str(r) for r in rows)} are"


def _pct(value: Any, threshold: Any) -> str:
    if not isinstance(value, Decimal):
        return "-"
    against = threshold if isinstance(threshold, Decimal) else None
    text = fmt_percent(value, against)
    return f"{text} against {fmt_threshold(against)}" if against is not None else text


def render(
    requirement: str,
    pack: RulePack,
    directory: Path,
    on: Any,
    examples: list[tuple[Any, Report]],
    stream: TextIO,
) -> None:
    """Write the explanation; `examples` pairs each definition with the example's report."""
    definitions = [r for r in pack.requirements if r.id == requirement]
    out = [
        f"{requirement}: {definitions[0].title}",
        f"Rule pack {pack.pack.id} {pack.pack.version}, loaded from {directory.resolve()} "
        f"(sha256 {pack.sha256})",
        "",
    ]
    for definition, report in examples:
        classes = ", ".join(definition.applies_to)
        out.append(f"== {classes}")
        out.append("What it requires:")
        out.append(f"  {definition.title}.")
        if definition.description:
            out.append(f"  {definition.description}")
        out += ["", "Formula:"]
        out += [f"  {line}" for line in _formula(definition, on)]
        out += ["", f"Thresholds by date ({STATUS}):"]
        out += _thresholds(definition, on)
        result = next(r for r in report.requirements if r.id == requirement)
        example_class = report.vehicle.get("vehicle_class", "")
        out += [
            "",
            f"Worked example: the built-in example {example_class} (rvc.examples) on "
            f"{on.isoformat()}, computed by rvc:",
        ]
        out += _example(result, report)
        out.append(f"  rvc says: {result.message}")
        out.append("")
    stream.write("\n".join(out))
