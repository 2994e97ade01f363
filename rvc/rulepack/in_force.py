"""The rule pack resolved at one date for one vehicle class, once per evaluation.

As OpenFisca resolves a parameter node at an instant, `RulePack.at(as_of, vehicle_class)`
answers with everything in force: each requirement's entry (or why it is not in force), the
part tables with their HS patterns parsed once, and a threshold lookup by HS code or core-part
category. Evaluators read only this object, never the dated schedules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Generic, TypeVar, cast

from rvc import schedule
from rvc.errors import NotInForce
from rvc.hs import HsPattern, dotted
from rvc.results import Threshold
from rvc.rulepack.schema import CoreParts, MetalShare, VehicleRvc

if TYPE_CHECKING:
    from rvc.rulepack.schema import (
        AnyRequirement,
        Entry,
        LvcCreditEntry,
        LvcEntry,
        PartTable,
        RulePack,
        RvcEntry,
    )

ORDER = ("vehicle_rvc", "core_parts", "metal_share", "lvc")
"""The order requirements are evaluated and reported in."""

E = TypeVar("E", bound="Entry")


@dataclass(frozen=True, slots=True)
class Resolved(Generic[E]):
    """A requirement with the entry in force, or the reason none is."""

    requirement: AnyRequirement
    entry: E | None
    not_in_force: NotInForce | None = None


@dataclass(slots=True)
class PartTables:
    """Thresholds of the part tables in force, looked up by HS code or core-part category."""

    tables: list[tuple[PartTable, RvcEntry, list[HsPattern]]]
    not_in_force: list[str]
    _cache: dict[str, Threshold | None] = field(default_factory=dict)

    @classmethod
    def resolve(cls, tables: list[PartTable], as_of: date) -> PartTables:
        """The tables whose thresholds are in force on a date, patterns parsed."""
        found, missing = [], []
        for table in tables:
            try:
                entry = schedule.at(table.thresholds, as_of)
            except NotInForce:
                missing.append(table.id)
                continue
            found.append((table, entry, [HsPattern.parse(text) for text in table.hs]))
        return cls(found, missing)

    def for_hs(self, hs_code: str) -> Threshold | None:
        """The highest threshold among the tables listing this code (a guess for 'ex' codes)."""
        if hs_code in self._cache:
            return self._cache[hs_code]
        found = []
        for table, entry, patterns in self.tables:
            for pattern in patterns:
                if pattern.matches(hs_code):
                    found.append((entry.min_percent, table.title, pattern, table.binds_declared))
                    break
        threshold = None
        if found:
            percent, title, _, _ = max(found, key=lambda f: (f[0], f[3]))
            source = f"{title}, HS {dotted(hs_code)}"
            others = [(p, t) for p, t, _, _ in found if t != title]
            if others:
                listed = "; ".join(f"{t} {format(p.normalize(), 'f')}%" for p, t in others)
                lower = any(p < percent for p, _ in others)
                source += f" (the highest of: also {listed})" if lower else f" (also {listed})"
            guess = any(p.ex for _, _, p, _ in found)
            if guess:
                source += " ('ex' entry: the table lists only some goods of this code)"
            threshold = Threshold(percent, source, guess, any(b for *_, b in found))
        self._cache[hs_code] = threshold
        return threshold


@dataclass(slots=True)
class RulesInForce:
    """Everything a rule pack says for one vehicle class on one date."""

    as_of: date
    vehicle_class: str
    requirements: list[Resolved[Entry]]
    part_tables: PartTables
    core: Resolved[RvcEntry] | None
    lvc: Resolved[LvcEntry] | None
    lvc_credit: LvcCreditEntry | None
    table_s: dict[str, list[HsPattern]]
    """Table S codes of each metal, parsed once."""
    core_patterns: list[tuple[str, HsPattern]]
    """Core-part categories by HS code (Table A.2 column 1), for inference, parsed once."""
    own_rule_patterns: dict[str, list[HsPattern]]
    """HS codes of core parts under their own product-specific rule (the EV battery)."""

    @property
    def core_entry(self) -> RvcEntry | None:
        """The core-part threshold in force, if the class has a core-parts requirement."""
        return self.core.entry if self.core is not None else None

    @property
    def core_requirement(self) -> CoreParts | None:
        """The core-parts requirement of the class, if any."""
        if self.core is None:
            return None
        req = self.core.requirement
        assert isinstance(req, CoreParts)
        return req


def resolve(pack: RulePack, as_of: date, vehicle_class: str) -> RulesInForce:
    """Resolve a pack at a date for a class (see `RulePack.at`)."""
    requirements = sorted(pack.requirements_for(vehicle_class), key=lambda r: ORDER.index(r.kind))
    resolved = [_at(req, as_of) for req in requirements]
    cores = [r for r in requirements if isinstance(r, CoreParts)]
    return RulesInForce(
        as_of=as_of,
        vehicle_class=vehicle_class,
        requirements=resolved,
        part_tables=PartTables.resolve(pack.tables_for(vehicle_class), as_of),
        core=cast("Resolved[RvcEntry] | None", _of_kind(resolved, "core_parts")),
        lvc=cast("Resolved[LvcEntry] | None", _of_kind(resolved, "lvc")),
        lvc_credit=_lvc_credit(requirements, as_of),
        table_s={
            r.material: [HsPattern.parse(h) for h in r.table_s]
            for r in requirements
            if isinstance(r, MetalShare)
        },
        core_patterns=_core_patterns(cores),
        own_rule_patterns={
            cat: [HsPattern.parse(h) for h in codes]
            for r in cores
            for cat, codes in r.own_rule_for.items()
        },
    )


def _at(requirement: AnyRequirement, as_of: date) -> Resolved[Entry]:
    """A requirement with its entry in force on a date, or why none is."""
    try:
        return Resolved(requirement, schedule.at(requirement.thresholds, as_of))
    except NotInForce as error:
        return Resolved(requirement, None, error)


def _of_kind(resolved: list[Resolved[Entry]], kind: str) -> Resolved[Entry] | None:
    """The class's requirement of a kind, if it has one."""
    return next((r for r in resolved if r.requirement.kind == kind), None)


def _core_patterns(cores: list[CoreParts]) -> list[tuple[str, HsPattern]]:
    """Table A.2 column 1: each core-part category's HS codes, parsed, in file order."""
    return [
        (cat, HsPattern.parse(h))
        for r in cores
        for cat, codes in r.categories.items()
        for h in codes
    ]


def _lvc_credit(requirements: list[AnyRequirement], as_of: date) -> LvcCreditEntry | None:
    """The s. 18(22) option's entry in force, if the vehicle-RVC requirement has one."""
    for req in requirements:
        if isinstance(req, VehicleRvc) and req.lvc_credit:
            try:
                return schedule.at(req.lvc_credit, as_of)
            except NotInForce:
                return None
    return None
