"""The calculator: `evaluate(bom, pack, as_of)` -> `Report`. No I/O, no clock, no printing.

Each requirement kind has one evaluator function in `EVALUATORS`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import localcontext
from typing import Any

from rvc import __version__
from rvc.engine import core_parts, lvc, metals, vehicle_rvc
from rvc.engine.analysis import analyse
from rvc.engine.context import Context
from rvc.engine.notes import bom_notes, reconciliation
from rvc.hs import dotted
from rvc.model import BillOfMaterials
from rvc.results import READINGS, Report, RequirementResult
from rvc.rules.schema import RulePack

ORDER = ("vehicle_rvc", "core_parts", "metal_share", "lvc")
EVALUATORS: dict[str, Callable[[Context, Any], RequirementResult]] = {
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
    reading: str = "contract",
) -> Report:
    """Evaluate one vehicle BOM against a rule pack on a date."""
    with localcontext() as decimal_context:
        # 40 digits: products of quantities, costs and percentages never round away a cent
        decimal_context.prec = 40
        return _evaluate(bom, pack, as_of, as_of_source, reading)


def _evaluate(
    bom: BillOfMaterials, pack: RulePack, as_of: date, as_of_source: str, reading: str
) -> Report:
    if reading not in READINGS:
        raise ValueError(f"unknown core-part reading {reading!r}")
    ctx = Context(bom=bom, pack=pack, as_of=as_of, reading=reading)
    ctx.notes.extend(bom.notes)
    requirements = sorted(
        pack.requirements_for(ctx.vehicle_class), key=lambda r: ORDER.index(r.kind)
    )
    results = [EVALUATORS[req.kind](ctx, req) for req in requirements]
    analysis = analyse(ctx)
    ctx.notes.extend(bom_notes(ctx, analysis))
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
        core_reading=reading,
        requirements=tuple(results),
        assumptions=tuple(ctx.notes),
        reconciliation=reconciliation(ctx, analysis),
        currency=vehicle.currency,
        tool_version=__version__,
    )
