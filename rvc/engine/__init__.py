"""The calculator: `evaluate(bom, pack, as_of)` -> `Report`. No I/O, no clock, no printing.

The pipeline: the rule pack resolved once at the date (`RulePack.at`), one analysis of the
BOM (`facts.gather`: tree, core parts, every line counted under both readings), then one
evaluator per requirement kind (`EVALUATORS`), each called inside an `Envelope` that supplies
the fields every result shares. A requirement with no threshold in force is never evaluated.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal, localcontext

from rvc import __version__
from rvc.engine import core_parts, lvc, metals, vehicle_rvc
from rvc.engine.common import Envelope, not_in_force
from rvc.engine.facts import Facts, gather
from rvc.engine.notes import bom_notes, reconciliation
from rvc.hs import dotted
from rvc.model import BillOfMaterials
from rvc.results import (
    DEFAULT_READING,
    READINGS,
    CorePartsEvidence,
    LineTable,
    ReadingOutcome,
    Report,
    RequirementResult,
    Status,
    verdict_of,
)
from rvc.rulepack.in_force import ORDER
from rvc.rulepack.schema import RulePack

__all__ = ["ORDER", "EVALUATORS", "evaluate", "rescue_deltas"]

EVALUATORS: dict[str, Callable[[Facts, Envelope], RequirementResult]] = {
    "vehicle_rvc": vehicle_rvc.evaluate,
    "core_parts": core_parts.evaluate,
    "metal_share": metals.evaluate,
    "lvc": lvc.evaluate,
}


def evaluate(
    bom: BillOfMaterials,
    pack: RulePack,
    as_of: date,
    *,
    as_of_source: str = "option",
    reading: str = DEFAULT_READING,
    period_core: frozenset[str] = frozenset(),
) -> Report:
    """Evaluate one vehicle BOM against a rule pack on a date.

    `period_core` (averaging over a period, `rvc average`): the core-part categories whose
    average over the period exceeds the threshold, so that every part of them originates
    (s. 14(12), 16(10)); empty for a vehicle on its own."""
    if reading not in READINGS:
        raise ValueError(f"unknown core-part reading {reading!r}")
    with localcontext() as decimal_context:
        # 40 digits: products of quantities, costs and percentages never round away a cent
        decimal_context.prec = 40
        return _evaluate(bom, pack, as_of, as_of_source, reading, period_core)


def _evaluate(
    bom: BillOfMaterials,
    pack: RulePack,
    as_of: date,
    as_of_source: str,
    reading: str,
    period_core: frozenset[str] = frozenset(),
) -> Report:
    rules = pack.at(as_of, bom.vehicle.vehicle_class)
    facts = gather(bom, rules, reading, period_core)
    results = []
    envelopes: dict[str, Envelope] = {}
    for resolved in rules.requirements:
        req = resolved.requirement
        if resolved.entry is None:
            assert resolved.not_in_force is not None
            results.append(not_in_force(req, resolved.not_in_force))
            continue
        envelope = Envelope(req, resolved.entry)
        envelopes[req.kind] = envelope
        results.append(EVALUATORS[req.kind](facts, envelope))
    chosen = facts.counting(reading)
    facts.notes.extend(bom_notes(facts, chosen))
    vehicle = bom.vehicle
    provenance = bom.provenance
    return Report(
        rules={"id": pack.pack.id, "version": pack.pack.version, "sha256": pack.sha256},
        input={
            "path": provenance.path if provenance else "",
            "sha256": provenance.sha256 if provenance else "",
        },
        vehicle={
            k: v
            for k, v in {
                "model_line": vehicle.model_line,
                "vehicle_class": vehicle.vehicle_class,
                "hs_subheading": dotted(vehicle.hs_subheading) if vehicle.hs_subheading else None,
                "producer": vehicle.producer,
                "plant": vehicle.plant,
            }.items()
            if v
        },
        as_of=as_of,
        as_of_source=as_of_source,
        core_reading=reading,  # type: ignore[arg-type]
        requirements=tuple(results),
        notes=tuple(facts.notes),
        readings=_readings(facts, results, envelopes.get("vehicle_rvc")),
        reconciliation=reconciliation(facts, chosen),
        currency=vehicle.currency,
        tool_version=__version__,
        lines=LineTable(
            lines=facts.tree.lines,
            parent_index=facts.tree.parent_of,
            quantity_in_vehicle=facts.extended,
            core_category={p.index: p.category for p in facts.core.parts} if facts.core else {},
            counts=facts.counts,
        ),
        source=bom,
    )


def rescue_deltas(report: Report) -> dict[str, dict[str, Decimal]] | None:
    """What making each core-part category originate (as an average over a period that exceeds
    the threshold does, s. 14(12), 16(10)) changes in the vehicle's VNM, per category and
    reading, from the report's line counts: a top-level core part that does not originate then
    brings nothing (roll-up) or its own content (U.S. reading) instead of what it brings now,
    and no other line moves, so the changes of several categories add up. None when such a part
    sits inside an assembly (whose origin it may change): evaluate the vehicle again then.
    Parts under their own rule (the EV battery, s. 14(6)) are never averaged."""
    table = report.lines
    if table is None:
        return None
    own_rule = {
        p.row
        for r in report.requirements
        if isinstance(r.evidence, CorePartsEvidence)
        for c in r.evidence.categories
        for p in c.parts
        if p.own_product_specific_rule
    }
    parents = set(table.parent_index)
    out: dict[str, dict[str, Decimal]] = {}
    with localcontext() as decimal_context:
        decimal_context.prec = 40
        for name, counting in table.counts.items():
            for i, category in table.core_category.items():
                line = table.lines[i]
                if counting.origin[i] == "originating" or line.row in own_rule:
                    continue
                if table.parent_index[i] >= 0:
                    return None
                brings = Decimal(0)
                if counting.core_content_counts:
                    if i in parents:
                        share = counting.traced[i]
                    else:
                        share = line.unit_cost * (100 - (counting.own_rvc[i] or 0)) / 100
                    brings = min(max(share, Decimal(0)), line.unit_cost)
                deltas = out.setdefault(category, {})
                deltas[name] = deltas.get(name, Decimal(0)) + line.quantity * (
                    brings - counting.n[i]
                )
    return out


def _readings(
    facts: Facts, results: list[RequirementResult], envelope: Envelope | None
) -> tuple[ReadingOutcome, ...]:
    """The vehicle RVC and verdict under each reading (only the vehicle RVC can differ)."""
    out = []
    for name in READINGS:
        statuses = []
        value = status = None
        for result in results:
            if result.kind == "vehicle_rvc" and envelope is not None:
                figure = vehicle_rvc.outcome(facts, envelope, name)
                value = figure.value
                status = Status.PASS if figure.passed else Status.FAIL
                statuses.append(status)
            else:
                statuses.append(result.status)
        out.append(ReadingOutcome(name, value, status, verdict_of(statuses)))
    return tuple(out)
