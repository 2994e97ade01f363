"""The BOM analysis shared by the vehicle-RVC and core-parts requirements.

1. Find the core parts (from the `core_part` column, or inferred from HS codes).
2. Roll up the tree once to measure every core part's own RVC.
3. Decide which core parts qualify: alone, by their category's average, or by the super-core.
4. Roll up under each reading of core parts in the vehicle RVC: the contract's roll-up (a core
   part counts like any line: as declared, or by its threshold when blank), U.S. Customs (a
   qualifying core part counts its own non-originating content) and the 2022 panel (a
   qualifying core part counts wholly originating).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rvc import schedule
from rvc.engine.context import Context, PartTables
from rvc.engine.rollup import RollUp, Threshold, core_rvc, roll_up
from rvc.engine.tree import Tree
from rvc.errors import NotInForce
from rvc.hs import HsPattern, dotted
from rvc.money import ZERO
from rvc.results import READINGS
from rvc.rules.schema import CoreParts, RvcEntry


@dataclass(slots=True)
class CorePart:
    """One core part line and how it fares."""

    index: int
    category: str
    inferred: bool
    own_rule: bool
    value: Decimal
    rvc: Decimal = ZERO
    rvc_source: str = ""
    passes_alone: bool = False
    qualifies: bool = False


@dataclass(slots=True)
class CoreOutcome:
    """Core parts grouped by category, with category and super-core figures."""

    entry: RvcEntry | None
    parts: list[CorePart]
    categories: dict[str, tuple[Decimal | None, bool]] = field(default_factory=dict)
    super_core: Decimal | None = None
    super_core_passes: bool = False

    @property
    def passes(self) -> bool:
        """Every core part is originating (alone, by category average or by the super-core)."""
        return bool(self.parts) and all(p.qualifies for p in self.parts)


@dataclass(slots=True)
class Analysis:
    """Everything the roll-up found, under each reading of core parts in the vehicle RVC."""

    tree: Tree
    requirement: CoreParts | None
    core: CoreOutcome | None
    rollups: dict[str, RollUp]
    extended: list[Decimal]

    @property
    def disputed(self) -> bool:
        """Whether the readings can differ (core parts subject to the dispute were found)."""
        return len({id(r) for r in self.rollups.values()}) > 1

    @property
    def core_lines(self) -> set[int]:
        """Indexes of the BOM lines found to be core parts."""
        return {p.index for p in self.core.parts} if self.core else set()

    def chosen(self, reading: str) -> RollUp:
        """The roll-up of a reading."""
        return self.rollups[reading]


def analyse(ctx: Context) -> Analysis:
    """Run the shared analysis once per evaluation."""
    if "analysis" in ctx.memo:
        return ctx.memo["analysis"]  # type: ignore[return-value]
    tree = ctx.tree
    extended = tree.extended_quantities()
    requirement = ctx.core_requirement()
    entry = None
    if requirement is not None:
        try:
            entry = schedule.at(requirement.thresholds, ctx.as_of)
        except NotInForce:
            entry = None
    parts = _identify(ctx, tree, requirement, extended) if requirement else []
    core_index = {p.index: p for p in parts}
    disputed = bool(requirement and requirement.disputed_roll_up)
    tables = PartTables(ctx.pack, ctx.vehicle_class, ctx.as_of)

    def threshold_of(i: int) -> Threshold | None:
        part = core_index.get(i)
        if part is not None:
            if entry is None or part.own_rule:  # the EV battery: its own rule, no RVC figure
                return None
            cite = entry.citation.split(";")[0]
            return Threshold(entry.min_percent, f"core-part RVC ({cite})")
        hs = tree.lines[i].hs_code
        return tables.lookup(hs) if hs else None

    disputed_set = frozenset(core_index) if disputed else frozenset()
    if disputed_set:
        # the core parts' own RVCs need only their own subtrees
        inside = _subtrees(tree, core_index)
        measure = roll_up(tree, threshold_of, disputed_set, order=inside)
    else:
        measure = roll_up(tree, threshold_of)
    core = None
    if requirement is not None:
        core = _evaluate_core(tree, requirement, entry, parts, measure)
    if disputed_set:
        qualifying = frozenset(p.index for p in parts if p.qualifies)
        rollups = {
            "contract": roll_up(tree, threshold_of),
            "us_cbp": roll_up(tree, threshold_of, disputed_set, qualifying),
            "panel_2022": roll_up(tree, threshold_of, disputed_set, qualifying, panel=True),
        }
    else:
        rollups = dict.fromkeys(READINGS, measure)
    result = Analysis(tree, requirement, core, rollups, extended)
    ctx.memo["analysis"] = result
    return result


def _subtrees(tree: Tree, roots: dict[int, CorePart]) -> list[int]:
    """The lines of the given subtrees, children before parents."""
    order: list[int] = []
    stack = list(roots)
    while stack:
        i = stack.pop()
        order.append(i)
        stack.extend(tree.children[i])
    return order[::-1]


def _identify(ctx: Context, tree: Tree, req: CoreParts, extended: list[Decimal]) -> list[CorePart]:
    lines = tree.lines
    own_rule = {cat: [HsPattern.parse(h) for h in hs] for cat, hs in req.own_rule_for.items()}
    patterns = [(cat, HsPattern.parse(h)) for cat, hs in req.categories.items() for h in hs]
    inside = [False] * len(lines)
    parts: list[CorePart] = []
    for i in tree.top_down:
        parent = tree.parent_of[i]
        if parent >= 0:
            inside[i] = inside[parent]
        line = lines[i]
        category, inferred, guess = None, False, False
        if ctx.bom.has_core_part_column:
            category = line.core_part
        elif line.hs_code:
            for cat, pattern in patterns:
                if pattern.matches(line.hs_code):
                    category, inferred, guess = cat, True, pattern.ex
                    break
        if category is None:
            continue
        where = f"BOM row {line.row} ({line.part_number})"
        if inside[i]:
            if not inferred:
                ctx.notes.append(
                    f"{where}: marked core part '{category}' inside another core part; "
                    "counted as a material of that part, not as a core part of its own"
                )
            continue
        if category not in req.categories:
            ctx.notes.append(
                f"{where}: core_part '{category}' has no requirement for this vehicle class "
                f"({req.title}); treated as an ordinary part"
            )
            continue
        if inferred:
            how = " (an 'ex' code: only some goods of it are core parts)" if guess else ""
            ctx.notes.append(
                f"{where}: inferred core part '{category}' from HS {dotted(line.hs_code or '')}"
                f"{how}; add a core_part column to state core parts explicitly"
            )
        rule = (
            any(p.matches(line.hs_code) for p in own_rule.get(category, []))
            if (line.hs_code)
            else False
        )
        inside[i] = True
        parts.append(CorePart(i, category, inferred, rule, extended[i] * line.unit_cost))
    return parts


def _evaluate_core(
    tree: Tree, req: CoreParts, entry: RvcEntry | None, parts: list[CorePart], cbp: RollUp
) -> CoreOutcome:
    """Which core parts are originating: alone, by their category's average, by the super-core.

    A part under its own product-specific rule (the EV battery) originates only as declared;
    it is left out of the RVC averages, which s. 14(12) makes for parts under the RVC rule.
    """
    outcome = CoreOutcome(entry, parts)
    if entry is None:
        return outcome
    threshold = entry.min_percent
    for part in parts:
        part.rvc, part.rvc_source = core_rvc(tree, part.index, cbp.own_rvc)
        if part.own_rule:
            part.passes_alone = tree.lines[part.index].originating is True
        else:
            part.passes_alone = part.rvc >= threshold
        part.qualifies = part.passes_alone
    by_category: dict[str, list[CorePart]] = {}
    for part in parts:
        by_category.setdefault(part.category, []).append(part)
    averaged = [p for p in parts if not p.own_rule]
    for members in by_category.values():
        subject = [p for p in members if not p.own_rule]
        average = _weighted(subject)
        if req.category_averaging and average is not None and average >= threshold:
            for p in subject:
                p.qualifies = True
    for category, members in by_category.items():
        subject = [p for p in members if not p.own_rule]
        average = _weighted(subject) if subject else _weighted(members)
        outcome.categories[category] = (average, all(p.qualifies for p in members))
    if req.super_core:
        outcome.super_core = _weighted(averaged)
        outcome.super_core_passes = (
            outcome.super_core is not None and outcome.super_core >= threshold
        )
        if outcome.super_core_passes:
            for p in averaged:
                p.qualifies = True
    return outcome


def _weighted(parts: list[CorePart]) -> Decimal | None:
    total = sum((p.value for p in parts), ZERO)
    if not total:
        return None
    return sum((p.value * p.rvc for p in parts), ZERO) / total
