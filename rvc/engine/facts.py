"""The facts every evaluator reads: the tree, the rules in force, how every line counts.

`gather(bom, rules)` runs the one analysis of an evaluation:

1. the BOM tree and each line's quantity in one vehicle;
2. the core parts (passenger vehicles and light trucks), from the `core_part` column or
   inferred from Table A.2 column 1;
3. the lines below the core parts, counted once (they count the same under both readings),
   which gives each core part's own RVC;
4. which core parts originate (alone, by category average, through the super-core);
5. the core parts and every line above them, counted under each reading.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from rvc.engine.readings import POLICIES
from rvc.engine.rollup import (
    CoreDecision,
    copy_counting,
    count_lines,
    new_counting,
    own_rvc,
    subtree_order,
    traced_in,
)
from rvc.engine.tree import Tree
from rvc.model import BillOfMaterials
from rvc.results import LineCounts as Counting
from rvc.results import Note, Threshold
from rvc.rulepack.in_force import RulesInForce

if TYPE_CHECKING:
    from rvc.engine.core_parts import CoreOutcome


@dataclass(slots=True)
class Facts:
    """One evaluation's shared analysis; `notes` collects assumptions in the order they arise."""

    bom: BillOfMaterials
    rules: RulesInForce
    tree: Tree
    extended: list[Decimal]
    core: CoreOutcome | None
    counts: dict[str, Counting]
    notes: list[Note]
    reading: str
    """The reading applied (the report's figures); both are always counted."""

    @property
    def vehicle_class(self) -> str:
        """The class whose requirements apply."""
        return self.bom.vehicle.vehicle_class

    def counting(self, reading: str) -> Counting:
        """How the lines count under a reading."""
        return self.counts[reading]

    @property
    def core_lines(self) -> set[int]:
        """Indexes of the BOM lines found to be core parts."""
        return {p.index for p in self.core.parts} if self.core else set()


def gather(
    bom: BillOfMaterials,
    rules: RulesInForce,
    reading: str,
    period_core: frozenset[str] = frozenset(),
) -> Facts:
    """Build the tree, find and decide the core parts, count every line under both readings.

    Every line is counted under the first reading; a line counts the same under the other
    one unless it is a core part or holds one, so only those lines are counted again.
    `period_core`: core-part categories that originate through an average over a period
    (s. 14(12), 16(10); `rvc average`), on top of what this BOM alone decides."""
    from rvc.engine.core_parts import decide, identify

    tree = Tree.build(bom.lines, bom.index)
    extended = tree.extended_quantities()
    notes = [Note("input", "", text) for text in bom.notes]
    first = new_counting(POLICIES[0], len(tree.lines))
    threshold_of = _thresholds(tree, rules)
    core: CoreOutcome | None = None
    decisions: dict[int, CoreDecision] = {}
    req = rules.core_requirement
    if req is not None:
        parts = identify(tree, rules, bom.has_core_part_column, extended, notes)
        below = subtree_order(tree, [p.index for p in parts])
        count_lines(tree, below, [first], threshold_of, {})
        traced = {p.index: traced_in(tree, p.index, first) for p in parts}
        rvcs = {p.index: own_rvc(tree, p.index, traced[p.index]) for p in parts}
        core = decide(tree, req, rules.core_entry, parts, rvcs, period_core, traced)
        done = set(below)
        rest = [i for i in tree.bottom_up if i not in done]
        decisions = core.decisions() if core.entry is not None else {}
        count_lines(tree, rest, [first], threshold_of, decisions)
    else:
        if bom.has_core_part_column:
            _heavy_truck_core_notes(tree, notes)
        count_lines(tree, tree.bottom_up, [first], threshold_of, {})
    lifted = _core_and_above(tree, decisions)
    counts: dict[str, Counting] = {first.reading: first}
    for other in POLICIES[1:]:
        recount = copy_counting(first, other)
        count_lines(tree, lifted, [recount], threshold_of, decisions)
        counts[recount.reading] = recount
    return Facts(bom, rules, tree, extended, core, counts, notes, reading)


def _core_and_above(tree: Tree, decisions: dict[int, CoreDecision]) -> list[int]:
    """The core parts (with a decision) and every line above one, children first: the only
    lines that can count differently under the two readings."""
    flags = [False] * len(tree.lines)
    parent_of = tree.parent_of
    for k in decisions:
        flags[k] = True
        parent = parent_of[k]
        while parent >= 0 and not flags[parent]:
            flags[parent] = True
            parent = parent_of[parent]
    return [i for i in tree.bottom_up if flags[i]] if decisions else []


def _thresholds(tree: Tree, rules: RulesInForce) -> Callable[[int], Threshold | None]:
    """The threshold a blank line is decided against: its part table by HS code (for heavy
    trucks, Tables D and E and the s. 15(4) parts)."""
    tables = rules.part_tables
    lines = tree.lines

    def threshold_of(i: int) -> Threshold | None:
        hs = lines[i].hs_code
        return tables.for_hs(hs) if hs else None

    return threshold_of


def _heavy_truck_core_notes(tree: Tree, notes: list[Note]) -> None:
    """A heavy truck has no core-parts requirement: one note, at the first marked line, says
    the column is ignored and how its s. 15(4) parts are found instead."""
    marked = [line for line in tree.lines if line.core_part]
    if marked:
        line = marked[0]
        notes.append(
            Note(
                "core-part-not-for-class",
                f"BOM row {line.row} ({line.part_number})",
                f"core_part '{line.core_part}' ignored ({len(marked)} marked line"
                f"{'s' if len(marked) != 1 else ''}): heavy trucks have no core-parts "
                "requirement (s. 15); their engines, gear boxes and chassis are found by HS code "
                "(84.07, 84.08, 8708.40, 8708.99) and decided at the Table D threshold (s. 15(4))",
            )
        )
