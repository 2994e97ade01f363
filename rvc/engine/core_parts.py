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
from rvc.hs import HsPattern, dotted
from rvc.money import ZERO, fmt_percent, fmt_threshold
from rvc.results import (
    CategoryFigure,
    CorePartFigure,
    CorePartsEvidence,
    Note,
    RequirementResult,
    SuperCoreFigure,
    Threshold,
)
from rvc.rules.schema import CoreParts, RvcEntry

DECLARED, OWN_RVC, CATEGORY, SUPER_CORE, NOT_ORIGINATING = (
    "declared",
    "own_rvc",
    "category_average",
    "super_core",
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
    tree: Tree, req: CoreParts, has_column: bool, extended: list[Decimal], notes: list[Note]
) -> list[CorePart]:
    """The core parts of a BOM: from the `core_part` column, or inferred from Table A.2 codes.

    Lines inside a core part are its materials, not core parts of their own.
    """
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
        category, inferred = None, False
        if has_column:
            category = line.core_part
        elif line.hs_code:
            for cat, pattern in patterns:
                if pattern.matches(line.hs_code):
                    category, inferred = cat, True
                    break
        if category is None:
            continue
        where = f"BOM row {line.row} ({line.part_number})"
        if inside[i]:
            if not inferred:
                notes.append(
                    Note(
                        "core-part-inside-core-part",
                        where,
                        f"marked core part '{category}' inside another core part; counted as "
                        "a material of that part, not as a core part of its own",
                    )
                )
            continue
        if category not in req.categories:
            notes.append(
                Note(
                    "core-part-not-for-class",
                    where,
                    f"core_part '{category}' has no requirement for this vehicle class "
                    f"({req.title}); treated as an ordinary part",
                )
            )
            continue
        if inferred:
            notes.append(
                Note(
                    "inferred-core-part",
                    where,
                    f"inferred core part '{category}' from HS {dotted(line.hs_code or '')} "
                    "(Table A.2 column 1, whose entries cover only some goods of each code: a "
                    "guess); add a core_part column to state core parts explicitly",
                )
            )
        rule = bool(line.hs_code) and any(
            p.matches(line.hs_code or "") for p in own_rule.get(category, [])
        )
        inside[i] = True
        parts.append(CorePart(i, category, inferred, rule, extended[i] * line.unit_cost))
    return parts


def decide(
    tree: Tree,
    req: CoreParts,
    entry: RvcEntry | None,
    parts: list[CorePart],
    rvcs: dict[int, tuple[Decimal | None, str]],
) -> CoreOutcome:
    """Which core parts are originating: declared, alone, by category average, by super-core."""
    outcome = CoreOutcome(entry, parts)
    lines = tree.lines
    for part in parts:
        part.rvc, part.rvc_source = rvcs[part.index]
    if entry is None:
        return outcome
    threshold = entry.min_percent
    for part in parts:
        declared = lines[part.index].originating
        if part.own_rule:
            part.passes_alone = declared is True
        elif declared is True:
            part.passes_alone = True
        elif declared is None and part.rvc is not None and part.rvc_source != "unknown origin":
            part.passes_alone = part.rvc >= threshold
        part.how = (DECLARED if declared is True else OWN_RVC) if part.passes_alone else part.how
    by_category: dict[str, list[CorePart]] = {}
    for part in parts:
        by_category.setdefault(part.category, []).append(part)
    for category, members in by_category.items():
        subject = [p for p in members if not p.own_rule]
        average = weighted(subject) if subject else weighted(members)
        outcome.categories[category] = average
        if req.category_averaging and subject and average is not None and average > threshold:
            outcome.rescued_categories.add(category)
            for p in subject:
                if not p.originating:
                    p.how = CATEGORY
    if req.super_core:
        averaged = [p for p in parts if not p.own_rule]
        outcome.super_core = weighted(averaged)
        outcome.super_core_passes = (
            outcome.super_core is not None and outcome.super_core >= threshold
        )
        if outcome.super_core_passes:
            for p in averaged:
                if not p.originating:
                    p.how = SUPER_CORE
    return outcome


def weighted(parts: list[CorePart]) -> Decimal | None:
    """The value-weighted RVC of some core parts (None when they have no value)."""
    known = [p for p in parts if p.rvc is not None]
    total = sum((p.value for p in known), ZERO)
    if not total:
        return None
    return sum((p.value * (p.rvc or ZERO) for p in known), ZERO) / total


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
        kinds = ", ".join(
            c.replace("body_chassis", "body and chassis").replace("_", " ") for c in req.categories
        )
        how = (
            "the core_part column marks none that applies to this class"
            if facts.bom.has_core_part_column
            else "no BOM line has a Table A.2 core-part HS code"
        )
        return envelope.not_evaluated(
            f"not evaluated: no core parts found ({how}); mark the {kinds} lines in a "
            "core_part column"
        )
    tree = facts.tree
    categories = []
    for category, average in core.categories.items():
        members = [p for p in core.parts if p.category == category]
        categories.append(
            CategoryFigure(
                category=category,
                value=average,
                threshold=threshold,
                # the category's own test: every part originates without the super-core
                status=status_of(all(p.how not in (NOT_ORIGINATING, SUPER_CORE) for p in members)),
                average_rescues=category in core.rescued_categories,
                parts=tuple(_figure(p, tree) for p in members),
            )
        )
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
        evidence=CorePartsEvidence(tuple(categories), super_core),
        what_it_would_take=what_it_would_take.core_parts(facts, threshold),
    )


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
    )


def _message(core: CoreOutcome, threshold: Decimal, tree: Tree) -> str:
    shown = fmt_threshold(threshold)
    lines = tree.lines
    sc = fmt_percent(core.super_core, threshold) if core.super_core is not None else "n/a"
    failing = [p for p in core.parts if not p.originating]
    if not failing:
        rescued = [p for p in core.parts if p.how in (CATEGORY, SUPER_CORE)]
        text = f"every core part originates ({len(core.categories)} categories)"
        if rescued:
            names = ", ".join(lines[p.index].part_number for p in rescued[:3])
            more = f" and {len(rescued) - 3} more" if len(rescued) > 3 else ""
            by = (
                f"the super-core {sc} >= {shown} (s. 14(10))"
                if any(p.how == SUPER_CORE for p in rescued)
                else f"their category's average > {shown} (s. 14(12))"
            )
            text += f"; {names}{more} only through {by}"
        return text
    sentences = []
    weak = sorted((p for p in failing if not p.own_rule), key=lambda p: p.rvc or ZERO)
    if weak:
        names = "; ".join(
            f"{lines[p.index].part_number} ({p.category}) "
            + (fmt_percent(p.rvc, threshold) if p.rvc is not None else "RVC unknown")
            + (" declared non-originating" if lines[p.index].originating is False else "")
            for p in weak[:3]
        ) + (f" (+{len(weak) - 3} more)" if len(weak) > 3 else "")
        sentences.append(f"not originating at {shown}: {names}")
    for p in failing:
        if p.own_rule:
            state = {True: "originating", False: "non-originating", None: "of unknown origin"}[
                lines[p.index].originating
            ]
            sentences.append(
                f"{lines[p.index].part_number} ({p.category}) is {state} under its own "
                "product-specific rule (s. 14(6)), which the averages do not cover"
            )
    text = "; ".join(sentences)
    if core.super_core is not None:
        relation = ">=" if core.super_core_passes else "<"
        text += f"; super-core {sc} {relation} {shown}"
    return text
