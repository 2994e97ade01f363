"""The input as the engine sees it: a vehicle, its BOM lines and the optional purchase sheets.

Readers build these from a workbook or CSV folder, after every cell has been checked; the
engine trusts them (a valid tree, amounts >= 0 in the workbook currency). Plain slotted
dataclasses, not pydantic: a 100,000-line BOM is built in a fraction of the time.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Production:
    """The Vehicle sheet's fields for averaging over a period (`rvc average`, s. 16).

    Read only when a command asks for them: `rvc check` recognises the fields and ignores
    them. `volume` is the units of this variant produced in the period, `volume_exported` the
    units of them exported to another CUSMA country; `country` is the plant's (US, CA, MX).
    """

    volume: int | None = None
    volume_exported: int | None = None
    period_start: date | None = None
    period_end: date | None = None
    fiscal_year_start: date | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class Vehicle:
    """The `Vehicle` sheet."""

    model_line: str
    vehicle_class: str
    net_cost: Decimal
    currency: str = "USD"
    hs_subheading: str | None = None
    producer: str | None = None
    plant: str | None = None
    as_of: date | None = None
    transaction_value: Decimal | None = None
    lvc_formula: str = "net_cost"
    total_annual_purchase_value: Decimal | None = None
    production_wages_total: Decimal | None = None
    production: Production | None = None
    """The period fields (volume, period, country), when the reader was asked for them."""


@dataclass(slots=True)
class BomLine:
    """One row of the `BOM` sheet; `unit_cost` is already in the workbook currency.

    Not frozen, only because a frozen dataclass takes three times as long to build and a BOM
    has up to 100,000 lines; only the reader sets its fields (parent and key of a level-coded
    line), nothing after it.
    """

    row: int
    part_number: str
    unit_cost: Decimal
    quantity: Decimal = Decimal(1)
    parent: str | None = None
    key: str = ""
    description: str = ""
    hs_code: str | None = None
    originating: bool | None = None
    core_part: str | None = None
    rvc_percent: Decimal | None = None
    supplier: str = ""
    country: str = ""
    resourcing_cost: Decimal | None = None
    """What switching this line to an originating source would cost (optional extension
    column): "what it would take" then lists the cheapest switches first."""

    @property
    def value(self) -> Decimal:
        """Quantity x unit cost: this line's value in its parent (or in the vehicle)."""
        return self.quantity * self.unit_cost

    @property
    def id(self) -> str:
        """What `parent` refers to: the part number, or a row key in a level-coded BOM."""
        return self.key or self.part_number


@dataclass(frozen=True, slots=True)
class MetalPurchase:
    """One row of the `SteelAluminum` sheet."""

    row: int
    material: str
    value: Decimal
    originating: bool
    melted_and_poured: bool | None = None
    hs_code: str | None = None
    description: str = ""
    supplier: str = ""


@dataclass(frozen=True, slots=True)
class LvcRow:
    """One row of the `LVC` sheet; `hourly_wage` is in `wage_currency` (USD, CAD or MXN)."""

    row: int
    category: str
    amount: Decimal | None = None
    hourly_wage: Decimal | None = None
    wage_currency: str = "USD"
    assembly_type: str | None = None
    annual_capacity: Decimal | None = None
    description: str = ""
    plant: str = ""
    country: str = ""


@dataclass(frozen=True, slots=True)
class FxRate:
    """A conversion rate used: one unit of `currency` is `rate` units of the workbook currency."""

    currency: str
    rate: Decimal
    on: date | None = None
    source: str = ""
    row: int | None = None


@dataclass(frozen=True, slots=True)
class Excluded:
    """A source row that holds no BOM line, and why."""

    row: int
    reason: str


@dataclass(slots=True)
class Provenance:
    """What the reader saw, so a user can tie the report back to the source."""

    path: str
    sha256: str
    sheets: dict[str, str] = field(default_factory=dict)
    rows_read: int = 0
    blank_rows: int = 0
    excluded: list[Excluded] = field(default_factory=list)
    mapping: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    ignored_sheets: list[str] = field(default_factory=list)
    fx_rates: list[FxRate] = field(default_factory=list)
    locations: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class BomIndex:
    """The BOM's structure as the reader checked it (every parent names a line, no cycle),
    handed over so the engine does not index the tree a second time."""

    lines: list[BomLine]
    """The list indexed: the index holds for this list only (a `BillOfMaterials` given other
    lines, by `dataclasses.replace` or assignment, is indexed afresh by the engine)."""
    parent: list[int]
    """For each line, the position of its parent in `lines`; -1 for a top-level line."""

    def parents_of(self, lines: list[BomLine]) -> list[int] | None:
        """The parent positions when `lines` is the list indexed, else None."""
        if lines is self.lines and len(lines) == len(self.parent):
            return self.parent
        return None


@dataclass(slots=True)
class BillOfMaterials:
    """Everything one workbook says about one vehicle configuration."""

    vehicle: Vehicle
    lines: list[BomLine]
    has_core_part_column: bool
    metals: list[MetalPurchase] | None = None
    lvc: list[LvcRow] | None = None
    notes: list[str] = field(default_factory=list)
    provenance: Provenance | None = None
    as_of: date | None = None
    as_of_source: str = "workbook"
    index: BomIndex | None = None
    """The reader's index of `lines`; None for a BOM built in code (the engine builds it)."""
