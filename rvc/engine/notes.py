"""Assumptions the analysis made about the BOM, and the reconciliation totals.

Each kind of note lists at most `LISTED` lines, largest or first first, then says how many
more there are: a 100,000-line BOM must not bury its report under notes.
"""

from __future__ import annotations

from typing import Any

from rvc.engine.analysis import Analysis
from rvc.engine.context import Context
from rvc.money import ZERO, fmt_number, fmt_percent, fmt_threshold

LISTED = 50


def relevant(ctx: Context, analysis: Analysis) -> list[bool]:
    """Lines whose own origin matters: not hidden under a declared (Y/N) assembly."""
    if "relevant" in ctx.memo:
        return ctx.memo["relevant"]  # type: ignore[return-value]
    tree = analysis.tree
    core = analysis.core_lines
    lines, parent_of = tree.lines, tree.parent_of
    flags = [False] * len(lines)
    for i in tree.top_down:
        parent = parent_of[i]
        if parent < 0:
            flags[i] = True
        elif flags[parent]:
            flags[i] = lines[parent].originating is None or parent in core
    ctx.memo["relevant"] = flags
    return flags


def _capped(notes: list[str], items: list[str], more: str) -> None:
    notes.extend(items[:LISTED])
    if len(items) > LISTED:
        notes.append(f"... and {len(items) - LISTED} more {more} (all in --format json)")


def bom_notes(ctx: Context, analysis: Analysis) -> list[str]:
    """Unknown origins, assemblies whose origin was worked out, and suspicious values."""
    tree = analysis.tree
    lines = tree.lines
    roll = analysis.chosen(ctx.reading)
    flags = relevant(ctx, analysis)
    notes: list[str] = []
    unknown = sorted(
        (i for i in set(roll.unknown) if flags[i]),
        key=lambda i: (-analysis.extended[i] * lines[i].unit_cost, lines[i].row),
    )
    if unknown:
        total = sum((analysis.extended[i] * lines[i].unit_cost for i in unknown), ZERO)
        notes.append(
            f"{len(unknown)} BOM line{'s' if len(unknown) != 1 else ''} with unknown origin "
            f"(originating left blank) treated as non-originating: {fmt_number(total)} in the "
            "vehicle"
        )
        _capped(
            notes,
            [
                f"BOM row {lines[i].row} ({lines[i].part_number}): unknown origin, treated as "
                f"non-originating: value {fmt_number(lines[i].value)}"
                for i in unknown
            ],
            "lines with unknown origin",
        )
    decided = []
    for i, (passes, threshold) in sorted(roll.decided.items(), key=lambda kv: lines[kv[0]].row):
        if not flags[i] or threshold is None:
            continue
        line = lines[i]
        own = roll.own_rvc.get(i)
        basis = (
            f"its components give RVC {fmt_percent(own)}"
            if own is not None
            else f"its rvc_percent is {fmt_percent(line.rvc_percent or ZERO)}"
        )
        decided.append(
            f"BOM row {line.row} ({line.part_number}): origin left blank; {basis} "
            f"{'>=' if passes else '<'} {fmt_threshold(threshold.percent)} ({threshold.source}), "
            f"so it counts as {'originating' if passes else 'non-originating'}"
        )
    _capped(notes, decided, "assemblies whose origin was worked out")
    core = analysis.core_lines
    certified = [
        f"BOM row {line.row} ({line.part_number}): origin left blank; its rvc_percent "
        f"{fmt_percent(line.rvc_percent)} does not make it originating (a blank part counts as "
        "unknown): declare Y if its supplier certifies origin"
        for i, line in enumerate(lines)
        if flags[i]
        and line.originating is None
        and line.rvc_percent is not None
        and not tree.children[i]
        and i not in core
    ]
    _capped(notes, certified, "blank lines with an rvc_percent")
    forced = [
        f"BOM row {lines[i].row} ({lines[i].part_number}): counts as originating, but under the "
        "U.S. Customs reading the core parts inside it still bring their own non-originating "
        f"content ({fmt_number(roll.contribution[i])})"
        for i in range(len(lines))
        if flags[i] and roll.mode[i] == "forced"
    ]
    _capped(notes, forced, "assemblies carrying core-part content")
    traced, both, heavy = [], [], []
    children = tree.children
    for i, line in enumerate(lines):
        kids = children[i]
        if not kids:
            continue
        where = f"BOM row {line.row} ({line.part_number})"
        if (
            flags[i]
            and line.originating is None
            and roll.mode[i] == "traced"
            and i not in roll.decided
            and i not in core
        ):
            traced.append(
                f"{where}: origin left blank and no part table gives it a threshold; its "
                "components' non-originating value is counted directly"
            )
        if line.rvc_percent is not None:
            both.append(
                f"{where}: has both components and rvc_percent; its RVC is computed from its "
                "components (the contract: children win)"
            )
        inside = sum((lines[k].value for k in kids), ZERO)
        if inside > line.unit_cost:
            heavy.append(
                f"{where}: its components are worth {fmt_number(inside)}, more than its unit "
                f"cost {fmt_number(line.unit_cost)}; likely a data error (it counts at most its "
                "own unit cost in its parent)"
            )
    _capped(notes, traced, "assemblies counted by their components")
    _capped(notes, both, "lines with both components and rvc_percent")
    _capped(notes, heavy, "assemblies worth less than their components")
    bom_value = tree.top_level_value()
    net_cost = ctx.bom.vehicle.net_cost
    if bom_value > net_cost:
        notes.append(
            f"the top-level BOM lines are worth {fmt_number(bom_value)}, more than the net cost "
            f"{fmt_number(net_cost)}; check net_cost and the BOM"
        )
    elif bom_value * 2 < net_cost:
        notes.append(
            f"the top-level BOM lines are worth {fmt_number(bom_value)}, "
            f"{fmt_percent(bom_value * 100 / net_cost)} of the net cost "
            f"{fmt_number(net_cost)}; everything not listed counts as originating value "
            "(labor, overhead, unlisted materials): check that the BOM is complete"
        )
    return notes


def reconciliation(ctx: Context, analysis: Analysis) -> dict[str, Any]:
    """Line counts and totals so that a user can tie the report back to the source."""
    tree = analysis.tree
    lines = tree.lines
    flags = relevant(ctx, analysis)
    roll = analysis.chosen(ctx.reading)
    provenance = ctx.bom.provenance
    unknown = [i for i in set(roll.unknown) if flags[i]]
    result: dict[str, Any] = {
        "lines": len(lines),
        "top_level_lines": len(tree.roots),
        "component_lines": len(lines) - len(tree.roots),
        "lines_under_declared_assemblies": flags.count(False),
        "lines_unknown_origin": len(unknown),
        "unknown_origin_value": sum(
            (analysis.extended[i] * lines[i].unit_cost for i in unknown), ZERO
        ),
        "sum_of_line_values": sum((line.value for line in lines), ZERO),
        "top_level_value": tree.top_level_value(),
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
