"""What every evaluator receives: the BOM, the rules in force and the shared BOM analysis."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from rvc import schedule
from rvc.engine.rollup import Threshold
from rvc.engine.tree import Tree
from rvc.errors import NotInForce
from rvc.hs import HsPattern, dotted
from rvc.model import BillOfMaterials
from rvc.money import fmt_threshold
from rvc.rules.schema import CoreParts, RulePack


@dataclass(slots=True)
class Context:
    """Inputs of one evaluation; `notes` collects assumptions in the order they arise."""

    bom: BillOfMaterials
    pack: RulePack
    as_of: date
    reading: str
    notes: list[str] = field(default_factory=list)
    memo: dict[str, object] = field(default_factory=dict)
    """Results computed once per evaluation (the tree, the analysis), by name."""

    @property
    def vehicle_class(self) -> str:
        """The class whose requirements apply."""
        return self.bom.vehicle.vehicle_class

    @property
    def tree(self) -> Tree:
        """The BOM tree, built once."""
        if "tree" not in self.memo:
            self.memo["tree"] = Tree.build(self.bom.lines)
        return self.memo["tree"]  # type: ignore[return-value]

    def core_requirement(self) -> CoreParts | None:
        """The core-parts requirement for this class, if the pack has one."""
        for req in self.pack.requirements_for(self.vehicle_class):
            if isinstance(req, CoreParts):
                return req
        return None


class PartTables:
    """Thresholds of the part tables in force for a class on a date, looked up by HS code."""

    def __init__(self, pack: RulePack, vehicle_class: str, as_of: date) -> None:
        self._tables = []
        self.not_in_force: list[str] = []
        for table in pack.tables_for(vehicle_class):
            try:
                entry = schedule.at(table.thresholds, as_of)
            except NotInForce:
                self.not_in_force.append(table.id)
                continue
            patterns = [HsPattern.parse(text) for text in table.hs]
            self._tables.append((table, entry, patterns))
        self._cache: dict[str, Threshold | None] = {}

    def lookup(self, hs_code: str) -> Threshold | None:
        """The highest threshold among the tables listing this code (a guess for 'ex' codes)."""
        if hs_code not in self._cache:
            found = []
            for table, entry, patterns in self._tables:
                for pattern in patterns:
                    if pattern.matches(hs_code):
                        found.append((entry.min_percent, table.title, pattern))
                        break
            if not found:
                self._cache[hs_code] = None
            else:
                percent, title, pattern = max(found, key=lambda f: f[0])
                source = f"{title}, HS {dotted(hs_code)}"
                if len(found) > 1:
                    others = "; ".join(f"{t} {fmt_threshold(p)}" for p, t, _ in found if t != title)
                    source += f" (the highest of: also {others})"
                guess = any(p.ex for _, _, p in found)
                if guess:
                    source += " ('ex' entry: the table lists only some goods of this code)"
                self._cache[hs_code] = Threshold(percent, source, guess)
        return self._cache[hs_code]
