"""What an evaluation returns: plain, frozen, typed data that reporters only read.

No reporter computes anything: every figure a report shows is in these objects. Each
requirement result has a `kind` (the rule kind that produced it) and a typed `evidence`
object for that kind; reporters choose what to draw by the evidence's type, never by id.
Notes are records (`code`, `where`, `text`); the engine never caps them (reporters may group).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from rvc.model import BillOfMaterials, BomLine

CoreReading = Literal["us-cbp", "roll-up"]
READINGS: tuple[CoreReading, ...] = ("us-cbp", "roll-up")
"""How core parts count in the vehicle RVC (format v1.1): `us-cbp`, the U.S. Customs position
(default: a core part's own non-originating content always counts), and `roll-up`, the 2022
USMCA panel's reading (an originating core part counts wholly originating)."""
DEFAULT_READING: CoreReading = "us-cbp"
ReadingName = Literal["us-cbp", "roll-up", "panel"]
"""The spellings of a reading accepted on the command line and in the settings file."""
READING_ALIASES: dict[ReadingName, CoreReading] = {
    "us-cbp": "us-cbp",
    "roll-up": "roll-up",
    "panel": "roll-up",
}
"""What each accepted spelling means; `panel` is an alias of `roll-up`."""


class Status(StrEnum):
    """Outcome of one requirement: `value` in machine formats (JSON, JUnit types), `label`
    where people read it (table, Markdown, audit workbook)."""

    PASS = "pass"
    FAIL = "fail"
    NOT_EVALUATED = "not_evaluated"

    @property
    def label(self) -> str:
        """PASS, FAIL, NOT EVALUATED."""
        return self.value.replace("_", " ").upper()


class Verdict(StrEnum):
    """Outcome of the whole vehicle."""

    PASS = "pass"
    FAIL = "fail"
    INCOMPLETE = "incomplete"

    @property
    def label(self) -> str:
        """PASS, FAIL, INCOMPLETE."""
        return self.value.upper()


def verdict_of(statuses: list[Status] | tuple[Status, ...]) -> Verdict:
    """pass only when every requirement passes; fail when any fails; else incomplete."""
    if Status.FAIL in statuses:
        return Verdict.FAIL
    if Status.NOT_EVALUATED in statuses or not statuses:
        return Verdict.INCOMPLETE
    return Verdict.PASS


@dataclass(frozen=True, slots=True)
class Note:
    """An assumption, inference or warning, with where it comes from.

    `code` is stable (for filtering: `unknown-origin`, `traced`, `accumulated`, ...), `where`
    names the row or sheet ("BOM row 12 (ENG-1)") or is empty for the whole workbook, `amount`
    is the money the note is about, in the workbook currency, when there is one.
    """

    code: str
    where: str
    text: str
    amount: Decimal | None = None

    def __str__(self) -> str:
        return f"{self.where}: {self.text}" if self.where else self.text


@dataclass(frozen=True, slots=True)
class Threshold:
    """The RVC a part must reach to originate, and where that figure comes from."""

    percent: Decimal
    source: str
    guess: bool = False
    binds_declared: bool = False
    """A declared-originating line must meet it too, when its own RVC is known (s. 15(4))."""


@dataclass(slots=True)
class LineCounts:
    """How every BOM line counts under one reading: lists indexed like the BOM's lines.

    Filled by the engine's roll-up pass (`rvc.engine.rollup`), read by reporters. Amounts are
    per unit of the line: multiply by its quantity in its parent.
    """

    reading: CoreReading
    core_content_counts: bool
    n: list[Decimal]
    """Non-originating value the line brings into its parent, per unit of the line."""
    mode: list[str]
    """nothing, whole, content (traced or accumulated), core_content or carried."""
    own_rvc: list[Decimal | None]
    source: list[str]
    """Where the own RVC comes from: components, rvc_percent, declared ..., unknown origin."""
    origin: list[str]
    """originating, non_originating, neither (no threshold applies) or unknown."""
    how: list[str]
    """Why: declared, meets_threshold, below_threshold, no_threshold, unknown_leaf, or for a
    core part own_rvc, category_average, super_core, period_average, not_originating."""
    threshold: list[Threshold | None]
    carried: list[Decimal]
    """Core-part content inside the line that reaches the vehicle whatever the line's origin
    (U.S. reading only), per unit of the line."""
    traced: list[Decimal]
    """The children's non-originating value in the line, per unit (0 for a leaf)."""


@dataclass(frozen=True, slots=True)
class LineTable:
    """Every BOM line with how it counts under each reading (for audits and exports)."""

    lines: Sequence[BomLine]
    parent_index: Sequence[int]
    """Position of each line's parent in `lines`, -1 for a top-level line."""
    quantity_in_vehicle: Sequence[Decimal]
    core_category: dict[int, str]
    """The core parts found: line position -> category."""
    counts: dict[str, LineCounts]


@dataclass(frozen=True, slots=True)
class Driver:
    """A BOM line that adds non-originating value, ranked by how much."""

    part_number: str
    row: int
    description: str
    amount: Decimal
    share_percent: Decimal
    reason: str


# --- evidence, one type per requirement kind ----------------------------------------------


@dataclass(frozen=True, slots=True)
class LvcCreditOption:
    """The heavy-truck option of s. 18(22): LVC points that could be credited; never applied."""

    points: Decimal
    eligible: bool
    would_pass: bool
    citation: str


@dataclass(frozen=True, slots=True)
class VehicleRvcEvidence:
    """The figures of the vehicle RVC under the reading applied, and the other reading's RVC."""

    net_cost: Decimal
    vnm: Decimal
    allowed_vnm: Decimal
    bom_value: Decimal
    core_part_reading: CoreReading
    other_readings: dict[str, Decimal]
    de_minimis: bool = False
    transaction_value: dict[str, Decimal] | None = None
    lvc_credit_option: LvcCreditOption | None = None
    method: str = "net_cost"
    vnm_by_reading: dict[str, Decimal] | None = None
    """The VNM under each reading (what averaging over a period sums; not in `details`)."""

    def details(self) -> dict[str, Any]:
        """The JSON `details` object (report-json.md)."""
        out: dict[str, Any] = {
            "method": self.method,
            "net_cost": self.net_cost,
            "vnm": self.vnm,
            "originating_value": self.net_cost - self.vnm,
            "allowed_vnm": self.allowed_vnm,
            "bom_value": self.bom_value,
            "core_part_reading": self.core_part_reading,
            "other_readings": dict(self.other_readings),
        }
        if self.transaction_value is not None:
            out["transaction_value_method"] = dict(self.transaction_value)
        if self.de_minimis:
            out["de_minimis"] = True
        if self.lvc_credit_option is not None:
            c = self.lvc_credit_option
            out["lvc_credit_option"] = {
                "points": c.points,
                "eligible": c.eligible,
                "would_pass": c.would_pass,
                "citation": c.citation,
            }
        return out


@dataclass(frozen=True, slots=True)
class CorePartFigure:
    """One core part: its own RVC, where it comes from, and how it originates (if it does)."""

    part_number: str
    row: int
    category: str
    value_in_vehicle: Decimal
    rvc: Decimal | None
    rvc_source: str
    own_product_specific_rule: bool
    inferred_from_hs: bool
    passes_alone: bool
    originating: bool
    how: str
    """declared, own_rvc, category_average, super_core, period_average (averaged over a
    period, `rvc average`), own_rule, or not_originating."""
    originating_value: Decimal | None = None
    """`value_in_vehicle` x `rvc` / 100, exact (`rvc` is a rounded quotient): what averages
    weigh, so that one exactly on the threshold is exactly on it; None exactly when `rvc` is."""


@dataclass(frozen=True, slots=True)
class CategoryFigure:
    """A core-part category: the value-weighted RVC of its parts and whether all originate."""

    category: str
    value: Decimal | None
    threshold: Decimal
    status: Status
    average_rescues: bool
    parts: tuple[CorePartFigure, ...]


@dataclass(frozen=True, slots=True)
class SuperCoreFigure:
    """All core parts under the RVC rule as one part (s. 14(10))."""

    value: Decimal | None
    threshold: Decimal
    status: Status
    parts: int


@dataclass(frozen=True, slots=True)
class CorePartsEvidence:
    """Core parts by category, and the super-core."""

    categories: tuple[CategoryFigure, ...]
    super_core: SuperCoreFigure

    def details(self) -> dict[str, Any]:
        """The JSON `details` object: one entry per category and `super_core`."""
        out: dict[str, Any] = {}
        for c in self.categories:
            out[c.category] = {
                "value": c.value,
                "threshold": c.threshold,
                "status": c.status.value,
                "average_exceeds_threshold": c.average_rescues,
                "parts": [
                    {
                        "part_number": p.part_number,
                        "row": p.row,
                        "value_in_vehicle": p.value_in_vehicle,
                        "rvc": p.rvc,
                        "rvc_source": p.rvc_source,
                        "own_product_specific_rule": p.own_product_specific_rule,
                        "inferred_from_hs": p.inferred_from_hs,
                        "status": (Status.PASS if p.passes_alone else Status.FAIL).value,
                        "qualifies": p.originating,
                        "originating_by": p.how,
                    }
                    for p in c.parts
                ],
            }
        s = self.super_core
        out["super_core"] = {
            "value": s.value,
            "threshold": s.threshold,
            "status": s.status.value,
            "parts": s.parts,
        }
        return out


@dataclass(frozen=True, slots=True)
class MetalEvidence:
    """One metal's purchases: originating, counted, and the rows left out or not shown."""

    material: str
    originating_value: Decimal
    total_value: Decimal
    rows: int
    melted_and_poured_required: bool
    rows_not_shown_melted_and_poured: tuple[int, ...]
    rows_outside_table_s: tuple[int, ...]
    value_outside_table_s: Decimal
    currency: str

    def details(self) -> dict[str, Any]:
        """The JSON `details` object."""
        return {
            "originating_value": self.originating_value,
            "total_value": self.total_value,
            "rows": self.rows,
            "melted_and_poured_required": self.melted_and_poured_required,
            "rows_not_shown_melted_and_poured": list(self.rows_not_shown_melted_and_poured),
            "rows_outside_table_s": list(self.rows_outside_table_s),
            "value_outside_table_s": self.value_outside_table_s,
            "currency": self.currency,
        }


@dataclass(frozen=True, slots=True)
class LvcEvidence:
    """The pieces of the LVC sum, before and after the caps."""

    formula: str
    high_wage_material: Decimal
    high_wage_labor: Decimal
    denominator: Decimal
    material_and_manufacturing: Decimal
    minimum: Decimal
    technology_uncapped: Decimal
    technology: Decimal
    technology_cap: Decimal
    assembly: Decimal
    assembly_cap: Decimal
    assembly_plant_row: int | None
    low_wage_rows: tuple[int, ...]
    high_wage_per_hour: dict[str, Decimal]

    @property
    def total(self) -> Decimal:
        """LVC = material-and-manufacturing points + technology + assembly credits."""
        return self.material_and_manufacturing + self.technology + self.assembly

    def details(self) -> dict[str, Any]:
        """The JSON `details` object (report-json.md: each piece with its minimum or cap)."""
        mm_ok = self.material_and_manufacturing >= self.minimum
        return {
            "formula": self.formula,
            "material_and_manufacturing": {
                "value": self.material_and_manufacturing,
                "minimum": self.minimum,
                "status": (Status.PASS if mm_ok else Status.FAIL).value,
                "high_wage_material": self.high_wage_material,
                "high_wage_labor": self.high_wage_labor,
                "denominator": self.denominator,
            },
            "technology": {
                "value": self.technology,
                "cap": self.technology_cap,
                "uncapped": self.technology_uncapped,
            },
            "assembly": {
                "value": self.assembly,
                "cap": self.assembly_cap,
                "plant_row": self.assembly_plant_row,
            },
            "high_wage_per_hour": dict(self.high_wage_per_hour),
            "rows_below_high_wage": list(self.low_wage_rows),
        }


# --- evidence of averages over a period (`rvc average`, s. 16) --------------------------


@dataclass(frozen=True, slots=True)
class Contribution:
    """One variant's part in a period's vehicle RVC, per vehicle and over its volume.

    `above_allowance` is volume x (VNM - the VNM the threshold allows one vehicle): positive
    when the variant pulls the average down, negative when it brings headroom. The amounts
    of a group's variants add up to the group's VNM minus its allowed VNM."""

    path: str
    model_line: str
    volume: int
    net_cost: Decimal
    vnm: dict[str, Decimal]
    """VNM of one vehicle under each reading, as counted in the period (after the period's
    core-part averaging)."""
    rvc: dict[str, Decimal]
    own_rvc: dict[str, Decimal]
    """The variant's RVC on its own (as `rvc check` gives it) under each reading."""
    net_cost_total: Decimal
    vnm_total: dict[str, Decimal]
    above_allowance: dict[str, Decimal]

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of a contribution."""
        return {
            "path": self.path,
            "model_line": self.model_line,
            "volume": self.volume,
            "net_cost": self.net_cost,
            "vnm": dict(self.vnm),
            "rvc": dict(self.rvc),
            "own_rvc": dict(self.own_rvc),
            "net_cost_total": self.net_cost_total,
            "vnm_total": dict(self.vnm_total),
            "above_allowance": dict(self.above_allowance),
        }


@dataclass(frozen=True, slots=True)
class AveragedRvcEvidence:
    """The vehicle RVC averaged over a period: totals over the variants' volumes (s. 16(1),
    (8)): RVC = (sum of volume x net cost - sum of volume x VNM) / sum of volume x net cost."""

    volume: int
    net_cost_total: Decimal
    vnm_total: Decimal
    allowed_vnm_total: Decimal
    core_part_reading: CoreReading
    vnm_totals: dict[str, Decimal]
    rvcs: dict[str, Decimal]
    contributions: tuple[Contribution, ...]
    """Largest `above_allowance` (reading applied) first: who pulls the average down most."""
    vehicle_classes: tuple[str, ...] = ()
    """The classes averaged, when only some of the group's (a requirement its classes define
    apart, e.g. the LVC of a model line's passenger vehicles and light trucks)."""

    def details(self) -> dict[str, Any]:
        """The JSON `details` object."""
        return {
            "method": "net_cost",
            "volume": self.volume,
            "net_cost_total": self.net_cost_total,
            "vnm_total": self.vnm_total,
            "originating_value_total": self.net_cost_total - self.vnm_total,
            "allowed_vnm_total": self.allowed_vnm_total,
            "core_part_reading": self.core_part_reading,
            "readings": {
                name: {"vnm_total": self.vnm_totals[name], "rvc": self.rvcs[name]}
                for name in self.rvcs
            },
            "contributions": [c.as_dict() for c in self.contributions],
        }


@dataclass(frozen=True, slots=True)
class CategoryAverage:
    """A core-part category (or the super-core) averaged over a period: its parts' RVCs
    weighted by value x volume (s. 14(12), 16(10)); `exceeds` decides."""

    category: str
    value: Decimal | None
    value_total: Decimal
    parts: int
    exceeds: bool

    def as_dict(self) -> dict[str, Any]:
        """The JSON object of a category average."""
        return {
            "value": self.value,
            "value_total": self.value_total,
            "parts": self.parts,
            "exceeds_threshold": self.exceeds,
        }


@dataclass(frozen=True, slots=True)
class CoreGap:
    """A core part of one variant that does not originate, even over the period."""

    path: str
    part_number: str
    row: int
    category: str
    rvc: Decimal | None
    reason: str


@dataclass(frozen=True, slots=True)
class AveragedCoreEvidence:
    """Core parts over a period: each category's average, the super-core's, and the parts
    that still do not originate."""

    threshold: Decimal
    categories: tuple[CategoryAverage, ...]
    super_core: CategoryAverage
    rescued: tuple[str, ...]
    """Categories whose every averaged part originates through the period's average."""
    not_originating: tuple[CoreGap, ...]
    no_core_parts: tuple[str, ...]
    """Variants in which no core part was found (their core parts are not evaluated)."""
    vehicle_classes: tuple[str, ...] = ()
    """The classes averaged, when only some of the group's (a requirement its classes define
    apart, e.g. the LVC of a model line's passenger vehicles and light trucks)."""

    def details(self) -> dict[str, Any]:
        """The JSON `details` object."""
        return {
            "threshold": self.threshold,
            "categories": {c.category: c.as_dict() for c in self.categories},
            "super_core": self.super_core.as_dict(),
            "originating_through_the_period": list(self.rescued),
            "not_originating": [
                {
                    "path": g.path,
                    "part_number": g.part_number,
                    "row": g.row,
                    "category": g.category,
                    "rvc": g.rvc,
                    "reason": g.reason,
                }
                for g in self.not_originating
            ],
            "no_core_parts": list(self.no_core_parts),
        }


@dataclass(frozen=True, slots=True)
class AveragedMetalEvidence:
    """A metal's purchases over a period: the producer's Table S purchases listed by the
    variants, each distinct list counted once (s. 17(1), (7), (9))."""

    material: str
    originating_value: Decimal
    total_value: Decimal
    lists: int
    repeated: tuple[str, ...]
    """Variants whose purchase list repeats another variant's: counted once."""
    without: tuple[str, ...]
    """Variants that list no purchases of this metal."""
    melted_and_poured_required: bool
    currency: str
    vehicle_classes: tuple[str, ...] = ()
    """The classes averaged, when only some of the group's (a requirement its classes define
    apart, e.g. the LVC of a model line's passenger vehicles and light trucks)."""

    def details(self) -> dict[str, Any]:
        """The JSON `details` object."""
        return {
            "originating_value": self.originating_value,
            "total_value": self.total_value,
            "purchase_lists": self.lists,
            "repeated_lists": list(self.repeated),
            "variants_without_purchases": list(self.without),
            "melted_and_poured_required": self.melted_and_poured_required,
            "currency": self.currency,
        }


@dataclass(frozen=True, slots=True)
class AveragedLvcEvidence:
    """The LVC over a period (s. 18(15), (18)). With the net cost formula the
    material-and-manufacturing points are sum of volume x (high-wage material + labor) over
    sum of volume x net cost; with the annual purchase value formula (annual figures already)
    each variant's points weigh by its volume. The credits weigh by volume."""

    formula: str
    weighting: str
    high_wage_total: Decimal | None
    denominator_total: Decimal | None
    material_and_manufacturing: Decimal
    minimum: Decimal
    technology: Decimal
    technology_cap: Decimal
    assembly: Decimal
    assembly_cap: Decimal
    vehicle_classes: tuple[str, ...] = ()
    """The classes averaged, when only some of the group's (a requirement its classes define
    apart, e.g. the LVC of a model line's passenger vehicles and light trucks)."""

    @property
    def total(self) -> Decimal:
        """Material-and-manufacturing points plus the averaged credits."""
        return self.material_and_manufacturing + self.technology + self.assembly

    def details(self) -> dict[str, Any]:
        """The JSON `details` object."""
        mm_ok = self.material_and_manufacturing >= self.minimum
        return {
            "formula": self.formula,
            "weighting": self.weighting,
            "material_and_manufacturing": {
                "value": self.material_and_manufacturing,
                "minimum": self.minimum,
                "status": (Status.PASS if mm_ok else Status.FAIL).value,
                "high_wage_total": self.high_wage_total,
                "denominator_total": self.denominator_total,
            },
            "technology": {"value": self.technology, "cap": self.technology_cap},
            "assembly": {"value": self.assembly, "cap": self.assembly_cap},
        }


Evidence = (
    VehicleRvcEvidence
    | CorePartsEvidence
    | MetalEvidence
    | LvcEvidence
    | AveragedRvcEvidence
    | AveragedCoreEvidence
    | AveragedMetalEvidence
    | AveragedLvcEvidence
)


@dataclass(frozen=True, slots=True)
class Step:
    """One line switched to an originating source, and the vehicle RVC after it."""

    part_number: str
    row: int
    amount: Decimal
    """Non-originating value this switch removes from the vehicle."""
    value_after: Decimal
    passes: bool
    resourcing_cost: Decimal | None = None


@dataclass(frozen=True, slots=True)
class PartGap:
    """A core part that does not originate: what it lacks, and the lines that matter most."""

    part_number: str
    row: int
    category: str
    rvc: Decimal | None
    content_to_remove: Decimal | None
    note: str
    top_lines: tuple[tuple[str, int, Decimal], ...]


@dataclass(frozen=True, slots=True)
class WhatItWouldTake:
    """The smallest change that passes a failing requirement, or a passing one's headroom."""

    passes: bool
    summary: str
    amount: Decimal | None = None
    """Money: to remove or switch when failing, the headroom when passing."""
    points: Decimal | None = None
    steps: tuple[Step, ...] = ()
    parts: tuple[PartGap, ...] = ()
    exact: bool = True
    ordered_by: str = ""
    headline: str = ""
    """A few words for a summary line, when the status needs explaining beside its margin."""

    def as_dict(self) -> dict[str, Any]:
        """The JSON `what_it_would_take` object."""
        out: dict[str, Any] = {
            "passes": self.passes,
            "summary": self.summary,
            "amount": self.amount,
            "points": self.points,
        }
        if self.headline:
            out["headline"] = self.headline
        if self.steps:
            out["steps"] = [
                {
                    "part_number": s.part_number,
                    "row": s.row,
                    "amount": s.amount,
                    "value_after": s.value_after,
                    "passes": s.passes,
                    "resourcing_cost": s.resourcing_cost,
                }
                for s in self.steps
            ]
            out["steps_exact"] = self.exact
            out["ordered_by"] = self.ordered_by
        if self.parts:
            out["parts"] = [
                {
                    "part_number": g.part_number,
                    "row": g.row,
                    "category": g.category,
                    "rvc": g.rvc,
                    "content_to_remove": g.content_to_remove,
                    "note": g.note,
                    "lines": [{"part_number": p, "row": r, "amount": a} for p, r, a in g.top_lines],
                }
                for g in self.parts
            ]
        return out


@dataclass(frozen=True, slots=True)
class RequirementResult:
    """One requirement's outcome with the figures behind it."""

    id: str
    kind: str
    title: str
    status: Status
    message: str
    value: Decimal | None = None
    threshold: Decimal | None = None
    citation: str = ""
    source_status: str = ""
    in_force_from: date | None = None
    margin_points: Decimal | None = None
    margin_amount: Decimal | None = None
    evidence: Evidence | None = None
    drivers: tuple[Driver, ...] = ()
    what_it_would_take: WhatItWouldTake | None = None

    @property
    def details(self) -> dict[str, Any]:
        """The evidence as the JSON report's `details` object (empty when not evaluated)."""
        return self.evidence.details() if self.evidence is not None else {}


@dataclass(frozen=True, slots=True)
class ReadingOutcome:
    """The vehicle RVC and verdict under one reading of core parts."""

    reading: CoreReading
    vehicle_rvc: Decimal | None
    vehicle_rvc_status: Status | None
    verdict: Verdict


@dataclass(frozen=True, slots=True)
class Report:
    """A vehicle's evaluation against a rule pack on one date."""

    rules: dict[str, str]
    input: dict[str, str]
    vehicle: dict[str, str]
    as_of: date
    as_of_source: str
    core_reading: CoreReading
    requirements: tuple[RequirementResult, ...]
    notes: tuple[Note, ...]
    readings: tuple[ReadingOutcome, ...]
    reconciliation: dict[str, Any]
    currency: str
    tool_version: str
    lines: LineTable | None = None
    source: BillOfMaterials | None = None
    """The BOM as read (for exports that list the purchase and LVC rows and the mapping)."""

    @property
    def verdict(self) -> Verdict:
        """pass only when every requirement passes; fail when any fails; else incomplete."""
        return verdict_of([r.status for r in self.requirements])

    @property
    def assumptions(self) -> tuple[str, ...]:
        """The notes as sentences (the JSON contract's `assumptions`)."""
        return tuple(str(n) for n in self.notes)

    @property
    def verdict_depends_on_reading(self) -> bool:
        """Whether the two readings of core parts give different verdicts."""
        return len({r.verdict for r in self.readings}) > 1

    def reading(self, name: str) -> ReadingOutcome | None:
        """The outcome under a reading."""
        return next((r for r in self.readings if r.reading == name), None)

    def counts(self) -> dict[Status, int]:
        """How many requirements have each status (for CI summaries)."""
        out = dict.fromkeys(Status, 0)
        for r in self.requirements:
            out[r.status] += 1
        return out

    @property
    def exit_code(self) -> int:
        """0 pass, 1 fail or incomplete (the JSON contract's exit codes)."""
        return 0 if self.verdict is Verdict.PASS else 1
