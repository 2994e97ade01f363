"""Core parts (s. 14(4)-(13)) and the heavy-truck engine, gear box and chassis rule (s. 15(4))."""

from __future__ import annotations

from decimal import Decimal

from rvc import schedule
from rvc.engine.analysis import CorePart, analyse
from rvc.engine.common import not_in_force, since, status_of
from rvc.engine.context import Context
from rvc.errors import NotInForce
from rvc.money import fmt_percent, fmt_threshold
from rvc.results import RequirementResult, Status
from rvc.rules.schema import CoreParts


def evaluate(ctx: Context, req: CoreParts) -> RequirementResult:
    """Every category passes, or the super-core does; the report shows both ways."""
    try:
        entry = schedule.at(req.thresholds, ctx.as_of)
    except NotInForce as error:
        return not_in_force(req, error)
    analysis = analyse(ctx)
    core = analysis.core
    assert core is not None
    threshold = entry.min_percent
    common = {
        "id": req.id,
        "title": req.title,
        "threshold": threshold,
        "citation": entry.citation,
        "source_status": entry.status.value,
        "in_force_from": entry.from_,
    }
    if not core.parts:
        kinds = ", ".join(
            c.replace("body_chassis", "body and chassis").replace("_", " ") for c in req.categories
        )
        how = (
            "the core_part column marks none that applies to this class"
            if ctx.bom.has_core_part_column
            else "no BOM line has a core-part HS code"
        )
        return RequirementResult(
            status=Status.NOT_EVALUATED,
            message=(
                f"not evaluated: no core parts found ({how}); mark the {kinds} lines in a "
                "core_part column"
            ),
            **common,
        )
    tree = analysis.tree
    details: dict[str, object] = {}
    for category, (average, ok) in core.categories.items():
        members = [p for p in core.parts if p.category == category]
        details[category] = {
            "value": average,
            "threshold": threshold,
            "status": status_of(ok).value,
            "parts": [_part(p, tree, threshold) for p in members],
        }
    failing = [c for c, (_, ok) in core.categories.items() if not ok]
    if req.super_core:
        details["super_core"] = {
            "value": core.super_core,
            "threshold": threshold,
            "status": status_of(core.super_core_passes).value,
            "parts": sum(1 for p in core.parts if not p.own_rule),
        }
        value = core.super_core
        if value is None:  # every core part has zero value: show the weakest part instead
            value = min(p.rvc for p in core.parts)
    else:
        details["super_core"] = {
            "value": None,
            "threshold": threshold,
            "status": "not_evaluated",
            "parts": 0,
            "note": "no super-core for this class: each part must pass on its own (s. 15(4))",
        }
        value = min(p.rvc for p in core.parts)
    passed = core.passes
    message = _message(core, failing, threshold, req, tree) + f" (threshold {since(entry)})"
    return RequirementResult(
        status=status_of(passed),
        message=message,
        value=value,
        margin_points=(value - threshold) if value is not None else None,
        details=details,
        **common,
    )


def _part(part: CorePart, tree, threshold: Decimal) -> dict[str, object]:
    line = tree.lines[part.index]
    return {
        "part_number": line.part_number,
        "row": line.row,
        "value_in_vehicle": part.value,
        "rvc": part.rvc,
        "rvc_source": part.rvc_source,
        "own_product_specific_rule": part.own_rule,
        "inferred_from_hs": part.inferred,
        "status": status_of(part.passes_alone).value,
        "qualifies": part.qualifies,
    }


def _message(core, failing: list[str], threshold: Decimal, req: CoreParts, tree) -> str:
    shown = fmt_threshold(threshold)
    if not failing:
        return f"all {len(core.categories)} core part categories meet {shown}"
    weak = sorted(
        (p for p in core.parts if p.category in failing and not p.passes_alone and not p.own_rule),
        key=lambda p: p.rvc,
    )
    own = [p for p in core.parts if p.own_rule and not p.passes_alone]
    sentences = []
    if weak:
        cats = sorted({p.category for p in weak}, key=failing.index)
        names = "; ".join(
            f"{tree.lines[p.index].part_number} ({p.category}) {fmt_percent(p.rvc, threshold)}"
            for p in weak[:3]
        ) + (f" (+{len(weak) - 3} more)" if len(weak) > 3 else "")
        sentences.append(f"{', '.join(cats)} below {shown}: {names}")
    for p in own:
        state = {True: "originating", False: "non-originating", None: "of unknown origin"}[
            tree.lines[p.index].originating
        ]
        sentences.append(
            f"{tree.lines[p.index].part_number} ({p.category}) is {state} under its own "
            "product-specific rule (s. 14(6))"
        )
    text = "; ".join(sentences)
    if req.super_core:
        sc = fmt_percent(core.super_core, threshold) if core.super_core is not None else "n/a"
        if core.super_core_passes:
            text += f"; super-core {sc} >= {shown}"
            text += (
                ", so every core part counts as originating (s. 14(12))"
                if all(p.qualifies for p in core.parts)
                else ", which covers the parts under the RVC rule only"
            )
        else:
            text += f"; super-core {sc} < {shown}"
    return text
