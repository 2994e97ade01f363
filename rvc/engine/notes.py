"""Assumptions the analysis made about the BOM, and the reconciliation totals."""

from __future__ import annotations

from typing import Any

from rvc.engine.analysis import Analysis
from rvc.engine.context import Context
from rvc.money import ZERO, fmt_number, fmt_percent, fmt_threshold

LISTED = 100


def _relevant(analysis: Analysis) -> list[bool]:
    """Lines whose own origin matters: not hidden under a declared (Y/N) assembly."""
    tree = analysis.tree
    core = {p.index for p in analysis.core.parts} if analysis.core else set()
    relevant = [False] * len(tree.lines)
    for i in tree.top_down:
        parent = tree.parent_of[i]
        if parent < 0:
            relevant[i] = True
        else:
            declared = tree.lines[parent].originating is not None and parent not in core
            relevant[i] = relevant[parent] and not declared
    return relevant


def bom_notes(ctx: Context, analysis: Analysis) -> list[str]:
    """Unknown origins, assemblies whose origin was worked out, and suspicious values."""
    tree = analysis.tree
    lines = tree.lines
    roll = analysis.chosen(ctx.panel_reading)
    relevant = _relevant(analysis)
    notes: list[str] = []
    unknown = sorted(
        (i for i in set(roll.unknown) if relevant[i]),
        key=lambda i: (-analysis.extended[i] * lines[i].unit_cost, lines[i].row),
    )
    if unknown:
        total = sum((analysis.extended[i] * lines[i].unit_cost for i in unknown), ZERO)
        notes.append(
            f"{len(unknown)} BOM line{'s' if len(unknown) != 1 else ''} with unknown origin "
            f"(originating left blank) treated as non-originating: {fmt_number(total)} in the "
            "vehicle"
        )
        for i in unknown[:LISTED]:
            line = lines[i]
            notes.append(
                f"BOM row {line.row} ({line.part_number}): unknown origin, treated as "
                f"non-originating: value {fmt_number(line.value)}"
            )
        if len(unknown) > LISTED:
            notes.append(f"... and {len(unknown) - LISTED} more lines with unknown origin")
    decided = sorted(roll.decided.items(), key=lambda item: lines[item[0]].row)
    for count, (i, (passes, threshold)) in enumerate(decided):
        if not relevant[i] or threshold is None:
            continue
        if count >= LISTED:
            notes.append(f"... and {len(decided) - LISTED} more assemblies decided the same way")
            break
        line = lines[i]
        own = roll.own_rvc.get(i)
        basis = (
            f"its components give RVC {fmt_percent(own)}"
            if own is not None
            else (f"its rvc_percent is {fmt_percent(line.rvc_percent or ZERO)}")
        )
        verdict = "originating" if passes else "non-originating"
        relation = ">=" if passes else "<"
        notes.append(
            f"BOM row {line.row} ({line.part_number}): origin left blank; {basis} {relation} "
            f"{fmt_threshold(threshold.percent)} ({threshold.source}), so it counts as {verdict}"
        )
    for i, line in enumerate(lines):
        if not relevant[i] or line.originating is not None or not tree.children[i]:
            continue
        if roll.mode[i] == "traced" and i not in roll.decided and not _is_core(analysis, i):
            notes.append(
                f"BOM row {line.row} ({line.part_number}): origin left blank and no part table "
                "gives it a threshold; its components' non-originating value is counted directly"
            )
    for i, line in enumerate(lines):
        kids = tree.children[i]
        if kids and line.rvc_percent is not None:
            notes.append(
                f"BOM row {line.row} ({line.part_number}): has both components and rvc_percent; "
                "its RVC is computed from its components (the contract: children win)"
            )
        if kids:
            inside = sum((lines[k].value for k in kids), ZERO)
            if inside > line.unit_cost:
                notes.append(
                    f"BOM row {line.row} ({line.part_number}): its components are worth "
                    f"{fmt_number(inside)}, more than its unit cost {fmt_number(line.unit_cost)}; "
                    "likely a data error"
                )
    bom_value = sum((lines[i].value for i in tree.roots), ZERO)
    net_cost = ctx.bom.vehicle.net_cost
    if bom_value > net_cost:
        notes.append(
            f"the top-level BOM lines are worth {fmt_number(bom_value)}, more than the net cost "
            f"{fmt_number(net_cost)}; check net_cost and the BOM"
        )
    return notes


def _is_core(analysis: Analysis, i: int) -> bool:
    return bool(analysis.core) and any(p.index == i for p in analysis.core.parts)


def reconciliation(ctx: Context, analysis: Analysis) -> dict[str, Any]:
    """Line counts and totals so that a user can tie the report back to the source."""
    tree = analysis.tree
    lines = tree.lines
    relevant = _relevant(analysis)
    roll = analysis.chosen(ctx.panel_reading)
    provenance = ctx.bom.provenance
    unknown = [i for i in set(roll.unknown) if relevant[i]]
    result: dict[str, Any] = {
        "lines": len(lines),
        "top_level_lines": len(tree.roots),
        "component_lines": len(lines) - len(tree.roots),
        "lines_under_declared_assemblies": sum(1 for r in relevant if not r),
        "lines_unknown_origin": len(unknown),
        "unknown_origin_value": sum(
            (analysis.extended[i] * lines[i].unit_cost for i in unknown), ZERO
        ),
        "sum_of_line_values": sum((line.value for line in lines), ZERO),
        "top_level_value": sum((lines[i].value for i in tree.roots), ZERO),
        "currency": ctx.bom.vehicle.currency,
    }
    if provenance is not None:
        result["rows_read"] = provenance.rows_read
        result["blank_rows_skipped"] = provenance.blank_rows
        if provenance.mapping:
            result["mapping"] = list(provenance.mapping)
        result["rows_excluded"] = [{"row": e.row, "reason": e.reason} for e in provenance.excluded]
        if provenance.fx_rates:
            result["fx_rates"] = [
                {
                    "currency": r.currency,
                    "rate": r.rate,
                    "date": r.on.isoformat() if r.on else None,
                    "source": r.source,
                }
                for r in provenance.fx_rates
            ]
    return result
