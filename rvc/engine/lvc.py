"""Labor value content (s. 18): high-wage material and manufacturing points plus credits."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rvc import schedule
from rvc.engine.common import missing_sheet, not_in_force, since, status_of
from rvc.engine.context import Context
from rvc.errors import NotInForce
from rvc.money import ZERO, fmt_number, fmt_percent, fmt_threshold, percent
from rvc.results import RequirementResult
from rvc.rules.schema import Lvc, LvcEntry


@dataclass(frozen=True, slots=True)
class LvcFigures:
    """The pieces of the LVC sum, before and after the caps."""

    formula: str
    high_wage_material: Decimal
    high_wage_labor: Decimal
    denominator: Decimal
    material_and_manufacturing: Decimal
    technology_uncapped: Decimal
    technology: Decimal
    assembly: Decimal
    assembly_plant_row: int | None
    low_wage_rows: tuple[int, ...]

    @property
    def total(self) -> Decimal:
        """LVC = material-and-manufacturing points + technology + assembly credits."""
        return self.material_and_manufacturing + self.technology + self.assembly


def _requirement(ctx: Context) -> Lvc | None:
    return next(
        (r for r in ctx.pack.requirements_for(ctx.vehicle_class) if isinstance(r, Lvc)), None
    )


def figures(ctx: Context, entry: LvcEntry) -> LvcFigures:
    """Compute every LVC figure from the LVC sheet (which must be present)."""
    vehicle = ctx.bom.vehicle
    rows = ctx.bom.lvc or []
    wage = entry.high_wage_usd_per_hour
    material = labor = technology = ZERO
    low: list[int] = []
    plant_row = None
    for row in rows:
        if row.category in ("material", "labor"):
            assert row.amount is not None and row.hourly_wage is not None
            if row.hourly_wage >= wage:
                if row.category == "material":
                    material += row.amount
                else:
                    labor += row.amount
            else:
                low.append(row.row)
        elif row.category == "technology":
            technology += row.amount or ZERO
        elif row.category == "assembly_plant" and plant_row is None:
            assert row.hourly_wage is not None and row.annual_capacity is not None
            minimum = entry.assembly_min_capacity.get(row.assembly_type or "")  # type: ignore[call-overload]
            if row.hourly_wage >= wage and minimum is not None and row.annual_capacity >= minimum:
                plant_row = row.row
    if vehicle.lvc_formula == "annual_purchase_value":
        assert vehicle.total_annual_purchase_value is not None
        denominator = vehicle.total_annual_purchase_value + labor
    else:
        denominator = vehicle.net_cost
    points = percent(material + labor, denominator) if denominator else ZERO
    tech_uncapped = ZERO
    if technology and vehicle.production_wages_total:
        tech_uncapped = percent(technology, vehicle.production_wages_total)
    return LvcFigures(
        formula=vehicle.lvc_formula,
        high_wage_material=material,
        high_wage_labor=labor,
        denominator=denominator,
        material_and_manufacturing=points,
        technology_uncapped=tech_uncapped,
        technology=min(tech_uncapped, entry.technology_cap_points),
        assembly=entry.assembly_cap_points if plant_row is not None else ZERO,
        assembly_plant_row=plant_row,
        low_wage_rows=tuple(low),
    )


def material_and_manufacturing_points(ctx: Context) -> Decimal | None:
    """The high-wage material-and-manufacturing points, if they can be computed."""
    req = _requirement(ctx)
    if req is None or ctx.bom.lvc is None:
        return None
    try:
        entry = schedule.at(req.thresholds, ctx.as_of)
    except NotInForce:
        return None
    return figures(ctx, entry).material_and_manufacturing


def evaluate(ctx: Context, req: Lvc) -> RequirementResult:
    """Pass when M&M points reach their minimum and the total reaches the required LVC."""
    try:
        entry = schedule.at(req.thresholds, ctx.as_of)
    except NotInForce as error:
        return not_in_force(req, error)
    if not ctx.bom.lvc:
        return missing_sheet(
            req, entry, "LVC", "high-wage material, labor and credits", empty=ctx.bom.lvc == []
        )
    f = figures(ctx, entry)
    minimum = entry.min_material_and_manufacturing_points
    required = entry.min_total_percent
    mm_ok = f.material_and_manufacturing >= minimum
    total_ok = f.total >= required
    formula = "net cost" if f.formula == "net_cost" else "annual purchase value"
    parts = (
        f"material and manufacturing {fmt_number(f.material_and_manufacturing)} "
        f"{'>=' if mm_ok else '<'} {fmt_threshold(minimum)[:-1]} points, technology "
        f"{fmt_number(f.technology)}"
    )
    if f.technology_uncapped > f.technology:
        parts += f" (capped from {fmt_number(f.technology_uncapped)})"
    parts += f", assembly {fmt_number(f.assembly)}"
    relation = ">=" if total_ok else "<"
    message = (
        f"LVC {fmt_percent(f.total, required)} {relation} {fmt_threshold(required)} required "
        f"{since(entry)} ({formula} formula: {parts})"
    )
    if not mm_ok:
        message += (
            f"; the material-and-manufacturing minimum of {minimum.normalize():f} points is not met"
        )
    details: dict[str, object] = {
        "formula": f.formula,
        "material_and_manufacturing": {
            "value": f.material_and_manufacturing,
            "minimum": minimum,
            "status": status_of(mm_ok).value,
            "high_wage_material": f.high_wage_material,
            "high_wage_labor": f.high_wage_labor,
            "denominator": f.denominator,
        },
        "technology": {
            "value": f.technology,
            "cap": entry.technology_cap_points,
            "uncapped": f.technology_uncapped,
        },
        "assembly": {
            "value": f.assembly,
            "cap": entry.assembly_cap_points,
            "plant_row": f.assembly_plant_row,
        },
        "high_wage_usd_per_hour": entry.high_wage_usd_per_hour,
        "rows_below_high_wage": list(f.low_wage_rows),
    }
    return RequirementResult(
        id=req.id,
        title=req.title,
        status=status_of(mm_ok and total_ok),
        message=message,
        value=f.total,
        threshold=required,
        citation=entry.citation,
        source_status=entry.status.value,
        in_force_from=entry.from_,
        margin_points=f.total - required,
        details=details,
    )
