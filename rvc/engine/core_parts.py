"""Core parts (s. 14(4)-(13)): which lines they are, their own RVC, how each originates.

A passenger vehicle or light truck originates only if its core parts (Table A.2 column 1)
originate. A core part originates when:

- declared originating (`originating` = Y);
- its own RVC (from its components, else its supplier's `rvc_percent`) meets the core-part
  threshold (s. 14(13), >=);
- its category's value-weighted RVC *exceeds* the threshold (s. 14(12)): every part of the
  category then counts as originating;
- the super-core, all core parts as one part (s. 14(10)), *meets* the threshold: every core
  part then counts as originating, whatever its declaration.

An 8507.60 battery propelling an electric vehicle follows its own product-specific rule
(s. 14(2), (6)): its declared origin decides, its RVC is only shown, and it stays out of the
averages. Heavy trucks have no core-parts requirement (their s. 15(4) parts are part tables).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from rvc.engine import what_it_would_take
from rvc.engine.common import Envelope, status_of
from rvc.engine.facts import Facts
from rvc.engine.rollup import CoreDecision
from rvc.engine.tree import Tree
from rvc.hs import dotted
from rvc.model import BomLine
from rvc.money import HUNDRED, ZERO, fmt_percent, fmt_threshold
from rvc.results import (
    CategoryFigure,
    CorePartFigure,
    CorePartsEvidence,
    Note,
    RequirementResult,
    SuperCoreFigure,
    Threshold,
)
from rvc.rulepack.in_force import RulesInForce
from rvc.rulepack.schema import CoreParts, RvcEntry

DECLARED, OWN_RVC, CATEGORY, SUPER_CORE, PERIOD, NOT_ORIGINATING = (
    "declared",
    "own_rvc",
    "category_average",
    "super_core",
    "period_average",
    "not_originating",
)


@dataclass(slots=True)
class CorePart:
    """One core part line and how it fares."""

    index: int
    category: str
    inferred: bool
    own_rule: bool
    value: Decimal
    rvc: Decimal | None = None
    rvc_source: str = ""
    originating_value: Decimal | None = None
    """`value` x own RVC / 100, exact (the RVC itself is a rounded quotient): what the averages
    weigh, so that one landing exactly on the threshold is not a hair off it. Set by `decide`
    for every part: None exactly when `rvc` is."""
    passes_alone: bool = False
    how: str = NOT_ORIGINATING

    @property
    def originating(self) -> bool:
        """Whether the part counts as originating (alone, by category, or super-core)."""
        return self.how != NOT_ORIGINATING


@dataclass(slots=True)
class CoreOutcome:
    """Core parts grouped by category, with the category averages and the super-core."""

    entry: RvcEntry | None
    parts: list[CorePart]
    categories: dict[str, Decimal | None] = field(default_factory=dict)
    rescued_categories: set[str] = field(default_factory=set)
    super_core: Decimal | None = None
    super_core_passes: bool = False

    @property
    def passes(self) -> bool:
        """Every core part is originating."""
        return bool(self.parts) and all(p.originating for p in self.parts)

    def decisions(self) -> dict[int, CoreDecision]:
        """What the roll-up needs to know of each core part."""
        threshold = None
        if self.entry is not None:
            cite = self.entry.citation.split(";")[0]
            threshold = Threshold(self.entry.min_percent, f"core-part RVC ({cite})")
        return {
            p.index: CoreDecision(p.originating, p.how, None if p.own_rule else threshold)
            for p in self.parts
        }


def identify(
    tree: Tree, rules: RulesInForce, has_column: bool, extended: list[Decimal], notes: list[Note]
) -> list[CorePart]:
    """The core parts of a BOM: from the `core_part` column, or inferred from Table A.2 codes.

    Lines inside a core part are its materials, not core parts of their own.
    """
    req = rules.core_requirement
    assert req is not None
    lines = tree.lines
    inside = [False] * len(lines)
    parts: list[CorePart] = []
    for i in tree.top_down:
        parent = tree.parent_of[i]
        if parent >= 0:
            inside[i] = inside[parent]
        line = lines[i]
        category, inferred = _category(line, rules, has_column)
        if category is None:
            continue
        skip, note = _not_a_core_part(line, category, inferred, inside[i], req)
        if note is not None:
            notes.append(note)
        if skip:
            continue
        if inferred:
            notes.append(
                Note(
                    "inferred-core-part",
                    f"BOM row {line.row} ({line.part_number})",
                    f"inferred core part '{category}' from HS {dotted(line.hs_code or '')} "
                    "(Table A.2 column 1: a guess from the HS code alone, and an 'ex' entry "
                    "covers only some goods of its code); add a core_part column to state core "
                    "parts explicitly",
                )
            )
        own_rule = any(
            p.matches(line.hs_code or "") for p in rules.own_rule_patterns.get(category, [])
        )
        inside[i] = True
        parts.append(CorePart(i, category, inferred, own_rule, extended[i] * line.unit_cost))
    return parts


def _category(line: BomLine, rules: RulesInForce, has_column: bool) -> tuple[str | None, bool]:
    """A line's core-part category and whether it was inferred from its HS code."""
    if has_column:
        return line.core_part, False
    if line.hs_code:
        for cat, pattern in rules.core_patterns:
            if pattern.matches(line.hs_code):
                return cat, True
    return None, False


def _not_a_core_part(
    line: BomLine, category: str, inferred: bool, inside: bool, req: CoreParts
) -> tuple[bool, Note | None]:
    """Whether a line with a category is not a core part after all, and the note saying why
    (none for an inferred line inside a core part: its HS code just overlaps column 2)."""
    where = f"BOM row {line.row} ({line.part_number})"
    if inside:
        if inferred:
            return True, None
        return True, Note(
            "core-part-inside-core-part",
            where,
            f"marked core part '{category}' inside another core part; counted as a material of "
            "that part, not as a core part of its own",
        )
    if category not in req.categories:
        return True, Note(
            "core-part-not-for-class",
            where,
            f"core_part '{category}' has no requirement for this vehicle class ({req.title}); "
            "treated as an ordinary part",
        )
    return False, None


def decide(
    tree: Tree,
    req: CoreParts,
    entry: RvcEntry | None,
    parts: list[CorePart],
    rvcs: dict[int, tuple[Decimal | None, str]],
    period_core: frozenset[str] = frozenset(),
    traced: dict[int, Decimal] | None = None,
) -> CoreOutcome:
    """Which core parts are originating: declared, alone, by category average, by super-core,
    or (`period_core`, averaging over a period) because their category's average over the
    period exceeds the threshold (s. 14(12), 16(10)): every part averaged then originates.
    `traced`: each part's components' non-originating value per unit (its exact figure)."""
    outcome = CoreOutcome(entry, parts)
    for part in parts:
        part.rvc, part.rvc_source = rvcs[part.index]
        part.originating_value = _originating_value(tree, part, (traced or {}).get(part.index))
    if entry is None:
        return outcome
    threshold = entry.min_percent
    for part in parts:
        _alone(part, tree.lines[part.index].originating, threshold)
    _by_category(outcome, req, threshold)
    if req.super_core:
        _by_super_core(outcome, threshold)
    for part in parts:
        if part.category in period_core and not part.own_rule and not part.originating:
            part.how = PERIOD
    return outcome


def _alone(part: CorePart, declared: bool | None, threshold: Decimal) -> None:
    """Declared Y, or (blank) its own known RVC meets the threshold (s. 14(13)); the EV
    battery under its own rule only by its declaration (s. 14(6))."""
    if declared is True:
        part.passes_alone, part.how = True, DECLARED
    elif declared is None and not part.own_rule and part.rvc_source != "unknown origin":
        part.passes_alone = part.rvc is not None and part.rvc >= threshold
        if part.passes_alone:
            part.how = OWN_RVC


def _by_category(outcome: CoreOutcome, req: CoreParts, threshold: Decimal) -> None:
    """Each category's value-weighted RVC; one that exceeds the threshold makes every part
    of it originating (s. 14(12)). The EV battery stays out of the average."""
    by_category: dict[str, list[CorePart]] = {}
    for part in outcome.parts:
        by_category.setdefault(part.category, []).append(part)
    for category, members in by_category.items():
        subject = [p for p in members if not p.own_rule]
        average = weighted(subject) if subject else weighted(members)
        outcome.categories[category] = average
        if not (req.category_averaging and subject and average is not None):
            continue
        if average > threshold:
            outcome.rescued_categories.add(category)
            for p in subject:
                if not p.originating:
                    p.how = CATEGORY


def _by_super_core(outcome: CoreOutcome, threshold: Decimal) -> None:
    """All core parts under the RVC rule as one part (s. 14(10)): meeting the threshold makes
    every one of them originating."""
    averaged = [p for p in outcome.parts if not p.own_rule]
    outcome.super_core = weighted(averaged)
    outcome.super_core_passes = outcome.super_core is not None and outcome.super_core >= threshold
    if outcome.super_core_passes:
        for p in averaged:
            if not p.originating:
                p.how = SUPER_CORE


def _originating_value(tree: Tree, part: CorePart, traced: Decimal | None) -> Decimal | None:
    """The part's value x its own RVC / 100 without the rounded RVC: from its components,
    value - value x traced / unit cost (an exact quotient, the value being a multiple of the
    unit cost); else value x rvc_percent (or 100, or 0) / 100, exact too."""
    if part.rvc is None:
        return None
    unit_cost = tree.lines[part.index].unit_cost
    if part.rvc_source == "components" and traced is not None and unit_cost:
        return part.value - part.value * traced / unit_cost
    return part.value * part.rvc / HUNDRED


def weighted(parts: list[CorePart]) -> Decimal | None:
    """The value-weighted RVC of some core parts (None when they have no value): one division
    of exact sums, so an average exactly on the threshold is exactly on it (a sum of rounded
    RVCs x values can miss it by 1e-38 and flip the ">=" of s. 14(10) or the ">" of s. 14(12))."""
    known = [(p.value, exact) for p in parts if (exact := p.originating_value) is not None]
    total = sum((value for value, _ in known), ZERO)
    if not total:
        return None
    return sum((exact for _, exact in known), ZERO) * HUNDRED / total


def evaluate(facts: Facts, envelope: Envelope) -> RequirementResult:
    """Every core part originates: alone, by its category's average, or by the super-core."""
    req = envelope.requirement
    assert isinstance(req, CoreParts)
    entry = envelope.entry
    assert isinstance(entry, RvcEntry)
    core = facts.core
    assert core is not None
    threshold = entry.min_percent
    if not core.parts:
        return envelope.not_evaluated(_none_found(req, facts.bom.has_core_part_column))
    tree = facts.tree
    averaged = [p for p in core.parts if not p.own_rule]
    super_core = SuperCoreFigure(
        value=core.super_core,
        threshold=threshold,
        status=status_of(core.super_core_passes),
        parts=len(averaged),
    )
    value = core.super_core
    if value is None:  # no part under the RVC rule has value: show the weakest part instead
        known = [p.rvc for p in core.parts if p.rvc is not None]
        value = min(known) if known else None
    message = _message(core, threshold, tree) + f" (threshold from {entry.from_.isoformat()})"
    return envelope.result(
        status=status_of(core.passes),
        message=message,
        value=value,
        margin_points=(value - threshold) if value is not None else None,
        evidence=CorePartsEvidence(_categories(core, threshold, tree), super_core),
        what_it_would_take=what_it_would_take.core_parts(facts, threshold),
    )


def _none_found(req: CoreParts, has_column: bool) -> str:
    kinds = ", ".join(
        c.replace("body_chassis", "body and chassis").replace("_", " ") for c in req.categories
    )
    how = (
        "the core_part column marks none that applies to this class"
        if has_column
        else "no BOM line has a Table A.2 core-part HS code"
    )
    return (
        f"not evaluated: no core parts found ({how}); mark the {kinds} lines in a core_part column"
    )


def _categories(core: CoreOutcome, threshold: Decimal, tree: Tree) -> tuple[CategoryFigure, ...]:
    out = []
    for category, average in core.categories.items():
        members = [p for p in core.parts if p.category == category]
        # the category's own test: every part originates without the super-core
        own_test = all(p.how not in (NOT_ORIGINATING, SUPER_CORE) for p in members)
        out.append(
            CategoryFigure(
                category=category,
                value=average,
                threshold=threshold,
                status=status_of(own_test),
                average_rescues=category in core.rescued_categories,
                parts=tuple(_figure(p, tree) for p in members),
            )
        )
    return tuple(out)


def _figure(part: CorePart, tree: Tree) -> CorePartFigure:
    line = tree.lines[part.index]
    return CorePartFigure(
        part_number=line.part_number,
        row=line.row,
        category=part.category,
        value_in_vehicle=part.value,
        rvc=part.rvc,
        rvc_source=part.rvc_source,
        own_product_specific_rule=part.own_rule,
        inferred_from_hs=part.inferred,
        passes_alone=part.passes_alone,
        originating=part.originating,
        how=part.how,
        originating_value=part.originating_value,
    )


def _message(core: CoreOutcome, threshold: Decimal, tree: Tree) -> str:
    shown = fmt_threshold(threshold)
    sc = fmt_percent(core.super_core, threshold) if core.super_core is not None else "n/a"
    failing = [p for p in core.parts if not p.originating]
    if not failing:
        return _all_originate(core, shown, sc, tree)
    sentences = []
    weak = sorted((p for p in failing if not p.own_rule), key=lambda p: p.rvc or ZERO)
    if weak:
        names = "; ".join(_weak(p, threshold, tree) for p in weak[:3])
        more = f" (+{len(weak) - 3} more)" if len(weak) > 3 else ""
        sentences.append(f"not originating at {shown}: {names}{more}")
    sentences.extend(_own_rule(p, tree) for p in failing if p.own_rule)
    text = "; ".join(sentences)
    if core.super_core is not None:
        relation = ">=" if core.super_core_passes else "<"
        text += f"; super-core {sc} {relation} {shown}"
    return text


def _all_originate(core: CoreOutcome, shown: str, sc: str, tree: Tree) -> str:
    text = f"every core part originates ({len(core.categories)} categories)"
    rescued = [p for p in core.parts if p.how in (CATEGORY, SUPER_CORE, PERIOD)]
    if not rescued:
        return text
    names = ", ".join(tree.lines[p.index].part_number for p in rescued[:3])
    more = f" and {len(rescued) - 3} more" if len(rescued) > 3 else ""
    if any(p.how == PERIOD for p in rescued):
        by = f"the average over the period > {shown} (s. 14(12), 16(10))"
    elif any(p.how == SUPER_CORE for p in rescued):
        by = f"the super-core {sc} >= {shown} (s. 14(10))"
    else:
        by = f"their category's average > {shown} (s. 14(12))"
    return f"{text}; {names}{more} only through {by}"


def _weak(part: CorePart, threshold: Decimal, tree: Tree) -> str:
    line = tree.lines[part.index]
    figure = fmt_percent(part.rvc, threshold) if part.rvc is not None else "RVC unknown"
    declared = " declared non-originating" if line.originating is False else ""
    return f"{line.part_number} ({part.category}) {figure}{declared}"


def _own_rule(part: CorePart, tree: Tree) -> str:
    line = tree.lines[part.index]
    state = {True: "originating", False: "non-originating", None: "of unknown origin"}
    return (
        f"{line.part_number} ({part.category}) is {state[line.originating]} under its own "
        "product-specific rule (s. 14(6)), which the averages do not cover"
    )
