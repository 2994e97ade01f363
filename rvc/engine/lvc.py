"""Labor value content (s. 18): high-wage material and manufacturing points plus credits.

A row is high-wage when its average base hourly production wage reaches the figure of its own
currency (US$16.00, CA$20.88, MXN$294.22; s. 12, figures in the rule pack), compared in that
currency and never converted.
"""

from __future__ import annotations

from decimal import Decimal

from rvc.engine import what_it_would_take
from rvc.engine.common import Envelope, since, status_of
from rvc.engine.facts import Facts
from rvc.model import LvcRow
from rvc.money import ZERO, fmt_number, fmt_percent, fmt_threshold, percent
from rvc.results import LvcEvidence, Note, RequirementResult
from rvc.rulepack.schema import LvcEntry

CANADA_MEXICO = {"ca": "CAD", "can": "CAD", "canada": "CAD", "mx": "MXN", "mex": "MXN",
                 "mexico": "MXN", "méxico": "MXN"}  # fmt: skip
"""Country names or codes in the LVC sheet whose wages are set in CAD or MXN (s. 12)."""


def high_wage(row: LvcRow, entry: LvcEntry) -> bool:
    """Whether a row's wage reaches the high-wage figure of its own currency."""
    figure = entry.high_wage_per_hour.get(row.wage_currency)  # type: ignore[call-overload]
    return row.hourly_wage is not None and figure is not None and row.hourly_wage >= figure


def _sums(rows: list[LvcRow], entry: LvcEntry) -> tuple[Decimal, Decimal, Decimal, list[int]]:
    """High-wage material and labor, technology amounts, and the rows below the high wage."""
    material = labor = technology = ZERO
    low: list[int] = []
    for row in rows:
        if row.category == "technology":
            technology += row.amount or ZERO
        elif row.category in ("material", "labor"):
            if not high_wage(row, entry):
                low.append(row.row)
            elif row.category == "material":
                material += row.amount or ZERO
            else:
                labor += row.amount or ZERO
    return material, labor, technology, low


def _assembly_plant(rows: list[LvcRow], entry: LvcEntry) -> int | None:
    """The first high-wage engine, transmission or battery plant of the capacity required."""
    for row in rows:
        if row.category != "assembly_plant":
            continue
        minimum = entry.assembly_min_capacity.get(row.assembly_type or "")  # type: ignore[call-overload]
        capacity = row.annual_capacity
        big_enough = minimum is not None and capacity is not None and capacity >= minimum
        if big_enough and high_wage(row, entry):
            return row.row
    return None


def figures(facts: Facts, entry: LvcEntry) -> LvcEvidence:
    """Compute every LVC figure from the LVC sheet (which must be present)."""
    vehicle = facts.bom.vehicle
    rows = facts.bom.lvc or []
    material, labor, technology, low = _sums(rows, entry)
    plant_row = _assembly_plant(rows, entry)
    if vehicle.lvc_formula == "annual_purchase_value":
        assert vehicle.total_annual_purchase_value is not None
        denominator = vehicle.total_annual_purchase_value + labor
    else:
        denominator = vehicle.net_cost
    points = percent(material + labor, denominator) if denominator else ZERO
    tech_uncapped = ZERO
    if technology and vehicle.production_wages_total:
        tech_uncapped = percent(technology, vehicle.production_wages_total)
    return LvcEvidence(
        formula=vehicle.lvc_formula,
        high_wage_material=material,
        high_wage_labor=labor,
        denominator=denominator,
        material_and_manufacturing=points,
        minimum=entry.min_material_and_manufacturing_points,
        technology_uncapped=tech_uncapped,
        technology=min(tech_uncapped, entry.technology_cap_points),
        technology_cap=entry.technology_cap_points,
        assembly=entry.assembly_cap_points if plant_row is not None else ZERO,
        assembly_cap=entry.assembly_cap_points,
        assembly_plant_row=plant_row,
        low_wage_rows=tuple(low),
        high_wage_per_hour={str(k): v for k, v in entry.high_wage_per_hour.items()},
    )


def credit_basis(facts: Facts) -> LvcEvidence | None:
    """The vehicle's LVC figures, if they can be computed (for the s. 18(22) option)."""
    resolved = facts.rules.lvc
    if resolved is None or resolved.entry is None or not facts.bom.lvc:
        return None
    return figures(facts, resolved.entry)


def wage_notes(facts: Facts) -> list[Note]:
    """Rows of a Canadian or Mexican plant whose wage is given in USD: compared with US$16."""
    notes = []
    for row in facts.bom.lvc or []:
        if row.hourly_wage is None or row.wage_currency != "USD":
            continue
        local = CANADA_MEXICO.get(row.country.strip().lower())
        if local is not None:
            notes.append(
                Note(
                    "usd-wage-outside-us",
                    f"LVC row {row.row}",
                    f"country {row.country} with a wage in USD ({fmt_number(row.hourly_wage)}"
                    f"/h): compared with the US$16.00 figure; give the wage in {local} "
                    "(wage_currency) to compare it with that country's own figure (s. 12)",
                )
            )
    return notes


def evaluate(facts: Facts, envelope: Envelope) -> RequirementResult:
    """Pass when M&M points reach their minimum and the total reaches the required LVC."""
    entry = envelope.entry
    assert isinstance(entry, LvcEntry)
    if not facts.bom.lvc:
        return envelope.missing_sheet(
            "LVC", "high-wage material, labor and credits", empty=facts.bom.lvc == []
        )
    facts.notes.extend(wage_notes(facts))
    f = figures(facts, entry)
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
    return envelope.result(
        status=status_of(mm_ok and total_ok),
        message=message,
        value=f.total,
        margin_points=f.total - required,
        evidence=f,
        what_it_would_take=what_it_would_take.lvc(
            f, required, facts.bom.vehicle.production_wages_total, facts.bom.vehicle.currency
        ),
    )
