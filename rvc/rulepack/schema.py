"""The rule files' schema: pydantic models, strict (unknown keys are errors), frozen.

A rule directory holds YAML files of the form `RuleFile`; together they make a `RulePack`.
Every dated value carries its legal citation and its status (C confirmed in the regulation's
text, S secondary sources, R recalled and unchecked). The JSON Schema in `rules/schema.json` is
generated from `RuleFile` (`rvc rules schema`), and a test fails when it is stale.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    field_validator,
    model_validator,
)

from rvc import schedule
from rvc.hs import HsPattern

if TYPE_CHECKING:
    from rvc.rulepack.in_force import RulesInForce

VehicleClass = Literal["passenger_vehicle", "light_truck", "heavy_truck"]
CoreCategory = Literal[
    "engine", "transmission", "body_chassis", "axle", "suspension", "steering", "advanced_battery"
]
AssemblyType = Literal["engine", "transmission", "advanced_battery"]
WageCurrency = Literal["USD", "CAD", "MXN"]
"""The currencies of the three high-wage figures (s. 12): a wage is compared in its own."""


def _number(value: object) -> object:
    """Accept YAML numbers only: '75' in quotes or true/false is a mistake, not a percentage."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{value!r} is not a number; write it bare, e.g. 75 or 62.5")
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def _hs_list(value: object) -> object:
    if not isinstance(value, list):
        raise ValueError("expected a list of HS patterns, e.g. ['8708.40', 'ex 8708.29']")
    for item in value:
        if not isinstance(item, str):
            raise ValueError(f"{item!r} is not an HS pattern in quotes, e.g. '8708.40'")
        HsPattern.parse(item)
    return value


Percent = Annotated[Decimal, BeforeValidator(_number), Field(ge=0, le=100)]
Points = Annotated[Decimal, BeforeValidator(_number), Field(ge=0, le=100)]
Money = Annotated[Decimal, BeforeValidator(_number), Field(ge=0)]
HsList = Annotated[list[str], BeforeValidator(_hs_list)]
Text = Annotated[str, Field(min_length=1)]


class Status(StrEnum):
    """How sure we are of a figure."""

    C = "C"
    S = "S"
    R = "R"


class Strict(BaseModel):
    """Base: unknown keys are errors, values are frozen."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Entry(Strict):
    """One dated value: in force from ``from`` until the next entry's date."""

    from_: date = Field(alias="from", description="first day in force (YYYY-MM-DD)")
    citation: Text = Field(description="legal source of this value")
    status: Status = Field(description="C confirmed in the text, S secondary, R recalled")
    note: str | None = None


class RvcEntry(Entry):
    """An RVC threshold; the TV figure applies only where the rule allows the TV method."""

    min_percent: Percent = Field(description="net cost method minimum, e.g. 75 for 75%")
    min_percent_tv: Percent | None = Field(
        None, description="transaction value method minimum, where the rule allows it"
    )


class LvcCreditEntry(Entry):
    """Whether heavy-truck LVC points above a floor may be credited toward the RVC (s. 18(22))."""

    available: bool
    min_rvc_percent: Percent | None = Field(
        None, description="the vehicle RVC must be at least this (60)"
    )
    points_above: Points | None = Field(
        None, description="material-and-manufacturing points above this may be credited (30)"
    )
    lvc_above_percent: Percent | None = Field(
        None, description="only when the certified LVC is higher than this (45)"
    )


class MetalEntry(Entry):
    """The steel or aluminum purchase threshold."""

    min_percent: Percent
    melted_and_poured_required: bool = Field(
        False, description="steel counts as originating only when melted and poured in NA"
    )


class LvcEntry(Entry):
    """LVC stage: total, material-and-manufacturing minimum, credit caps and plant criteria."""

    min_total_percent: Percent
    min_material_and_manufacturing_points: Points
    technology_cap_points: Points
    assembly_cap_points: Points
    high_wage_per_hour: dict[WageCurrency, Money] = Field(
        description="the high-wage figure in each country's currency (s. 12), e.g. "
        "{USD: 16.00, CAD: 20.88, MXN: 294.22}; a wage is compared in its own currency"
    )
    assembly_min_capacity: dict[AssemblyType, Annotated[int, Field(ge=1)]]


E = TypeVar("E", bound=Entry)


def _ordered(entries: list[E]) -> list[E]:
    schedule.check_order(entries)
    return entries


class Requirement(Strict):
    """Fields every requirement has."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9.-]*$")] = Field(
        description="stable id used in every report, e.g. vehicle-rvc"
    )
    title: Text
    description: str | None = None
    applies_to: list[VehicleClass] = Field(min_length=1)

    @field_validator("applies_to")
    @classmethod
    def _unique_classes(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError("a vehicle class is listed twice")
        return value

    @field_validator("thresholds", check_fields=False)
    @classmethod
    def _ordered_thresholds(cls, value: list[Entry]) -> list[Entry]:
        return _ordered(value)


class VehicleRvc(Requirement):
    """Vehicle regional value content (s. 13)."""

    kind: Literal["vehicle_rvc"]
    methods: list[Literal["net_cost", "transaction_value"]] = Field(
        ["net_cost"], min_length=1, description="methods the law allows for this vehicle"
    )
    de_minimis_percent: Percent | None = Field(
        None, description="VNM at most this share of the value exempts the good (s. 5(4))"
    )
    lvc_credit: list[LvcCreditEntry] | None = Field(
        None, description="the heavy-truck option of crediting LVC points toward RVC"
    )
    thresholds: list[RvcEntry]

    @field_validator("lvc_credit")
    @classmethod
    def _ordered_credit(cls, value: list[LvcCreditEntry] | None) -> list[LvcCreditEntry] | None:
        if value is not None:
            _ordered(value)
        return value


class CoreParts(Requirement):
    """Core parts originate, part by part or as a super-core (s. 14) / heavy truck s. 15(4)."""

    kind: Literal["core_parts"]
    super_core: bool = Field(description="whether the super-core alternative applies")
    disputed_roll_up: bool = Field(
        False,
        description="whether the 2022 USMCA panel dispute applies: does a qualifying core part "
        "count 100% originating in the vehicle RVC (panel) or only its own originating share "
        "(U.S. Customs)?",
    )
    category_averaging: bool = Field(
        description="whether every part of a category whose value-weighted average RVC "
        "exceeds the threshold counts as originating (s. 14(12))"
    )
    categories: dict[CoreCategory, HsList] = Field(
        description="HS codes of each core part category, used to infer core parts when a "
        "BOM has no core_part column"
    )
    own_rule_for: dict[CoreCategory, HsList] = Field(
        default_factory=dict,
        description="HS codes whose origin follows their own product-specific rule instead "
        "of the core-part RVC (the EV propulsion battery, s. 14(2)-(6))",
    )
    thresholds: list[RvcEntry]


class MetalShare(Requirement):
    """Share of the producer's steel or aluminum purchases that originate (s. 17)."""

    kind: Literal["metal_share"]
    material: Literal["steel", "aluminum"]
    table_s: HsList = Field(description="HS codes of Table S for this metal")
    thresholds: list[MetalEntry]


class Lvc(Requirement):
    """Labor value content (s. 18)."""

    kind: Literal["lvc"]
    thresholds: list[LvcEntry]


AnyRequirement = Annotated[VehicleRvc | CoreParts | MetalShare | Lvc, Field(discriminator="kind")]


class ExcludedHs(Strict):
    """HS codes inside a class's range that the definition leaves out."""

    hs: HsList
    reason: Text


class HsGroup(Strict):
    """HS codes with the source that puts them in a class."""

    hs: HsList
    citation: Text
    status: Status
    note: str | None = None


class VehicleClassDef(Strict):
    """A vehicle class and the HS subheadings it covers (s. 12)."""

    id: VehicleClass
    title: Text
    hs: list[HsGroup] = Field(min_length=1)
    excluded: list[ExcludedHs] = []


class PartTable(Strict):
    """A table of parts with its dated RVC thresholds (Tables A.1, B, C, D, E)."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9.-]*$")]
    title: Text
    applies_to: list[VehicleClass] = Field(min_length=1)
    hs: HsList
    binds_declared: bool = Field(
        False,
        description="a line declared originating must still meet this threshold when its own "
        "RVC is known (s. 15(4): 'is originating only if it satisfies' the RVC)",
    )
    thresholds: list[RvcEntry]

    @field_validator("thresholds")
    @classmethod
    def _ordered_thresholds(cls, value: list[RvcEntry]) -> list[RvcEntry]:
        _ordered(value)
        return value


class PackInfo(Strict):
    """Identity of a rule pack, reported in every result."""

    id: Annotated[str, Field(pattern=r"^[a-z][a-z0-9.-]*$")]
    version: Text
    title: Text
    reference: Text


class RuleFile(Strict):
    """One YAML file of a rule directory; any section may be absent."""

    pack: PackInfo | None = None
    vehicle_classes: list[VehicleClassDef] = []
    part_tables: list[PartTable] = []
    requirements: list[AnyRequirement] = []

    @model_validator(mode="after")
    def _not_empty(self) -> RuleFile:
        if not (self.pack or self.vehicle_classes or self.part_tables or self.requirements):
            raise ValueError(
                "the file defines nothing; expected at least one of pack, vehicle_classes, "
                "part_tables, requirements"
            )
        return self


class RulePack(Strict):
    """All files of a rule directory, merged and cross-checked."""

    pack: PackInfo
    vehicle_classes: list[VehicleClassDef]
    part_tables: list[PartTable]
    requirements: list[AnyRequirement]
    sha256: str
    files: list[str]
    _resolved: dict[tuple[date, str], RulesInForce] = PrivateAttr(default_factory=dict)

    def vehicle_class(self, name: str) -> VehicleClassDef | None:
        """Return the definition of a class, if the pack has one."""
        return next((c for c in self.vehicle_classes if c.id == name), None)

    def requirements_for(self, vehicle_class: str) -> list[AnyRequirement]:
        """Requirements that apply to a class, in file order."""
        return [r for r in self.requirements if vehicle_class in r.applies_to]

    def tables_for(self, vehicle_class: str) -> list[PartTable]:
        """Part tables that apply to a class."""
        return [t for t in self.part_tables if vehicle_class in t.applies_to]

    def at(self, as_of: date, vehicle_class: str) -> RulesInForce:
        """Everything in force for a class on a date, resolved once per pack (see
        rules.in_force): a batch of workbooks of one date shares it."""
        from rvc.rulepack.in_force import resolve

        key = (as_of, vehicle_class)
        if key not in self._resolved:
            self._resolved[key] = resolve(self, as_of, vehicle_class)
        return self._resolved[key]
