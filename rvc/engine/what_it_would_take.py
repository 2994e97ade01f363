"""What it would take: for a failing requirement the smallest change that passes, for a
passing one its headroom. Worked out by the engine from the same facts, never estimated by a
reporter.

- vehicle RVC: the non-originating value to remove, in money, and the shortest list of
  non-originating lines whose switch to originating passes (largest first, or cheapest first
  when the BOM has a `resourcing_cost` column), each step re-evaluated exactly;
- core parts: each non-originating part's content to remove, the lines inside it that matter
  most, and what the super-core would need instead;
- metals: the purchase value to switch to originating;
- LVC: the high-wage spend (or technology credit) still needed, in money and points.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from typing import TYPE_CHECKING

from rvc.engine.facts import Facts, _thresholds, gather

if TYPE_CHECKING:
    from rvc.engine.core_parts import CorePart
    from rvc.engine.tree import Tree
from rvc.engine.rollup import copy_counting, count_line, vnm_of
from rvc.money import HUNDRED, ZERO, fmt_amount, fmt_number, fmt_percent
from rvc.results import LvcEvidence, PartGap, Step, WhatItWouldTake

MAX_STEPS = 10
"""Switches listed at most for the vehicle RVC."""
EXACT_UP_TO = 20_000
"""BOM lines up to which each step is re-evaluated exactly (above: estimated, and said)."""


def vehicle_rvc(
    facts: Facts, value: Decimal, threshold: Decimal, vnm: Decimal, passed: bool
) -> WhatItWouldTake:
    """Money to remove (or headroom) and the shortest list of switches that passes."""
    vehicle = facts.bom.vehicle
    currency = vehicle.currency
    allowed = vehicle.net_cost * (HUNDRED - threshold) / HUNDRED
    if passed:
        return WhatItWouldTake(
            passes=True,
            summary=(
                f"{fmt_amount(allowed - vnm)} {currency} of non-originating content could be "
                "added before it fails"
            ),
            amount=allowed - vnm,
            points=value - threshold,
        )
    pieces, by_cost = _candidates(facts)
    exact = len(facts.tree.lines) <= EXACT_UP_TO
    steps = _steps(facts, pieces, vnm, threshold, exact)
    how = _how(steps, threshold) + _other_reading(facts, threshold)
    return WhatItWouldTake(
        passes=False,
        summary=f"remove {fmt_amount(vnm - allowed)} {currency} of non-originating content: {how}",
        amount=vnm - allowed,
        points=threshold - value,
        steps=tuple(steps),
        exact=exact,
        ordered_by="resourcing_cost" if by_cost else "largest",
    )


def _candidates(facts: Facts) -> tuple[list[tuple[int, Decimal]], bool]:
    """The lines the VNM comes from, not declared originating, in the order to try them:
    cheapest first when the BOM gives a resourcing cost, else largest first."""
    from rvc.engine.vehicle_rvc import attribute

    tree = facts.tree
    lines = tree.lines
    counting = facts.counting(facts.reading)
    pieces = [
        (i, amount)
        for i, amount, _ in attribute(tree, counting, facts.core_lines)
        if lines[i].originating is not True
    ]
    by_cost = any(lines[i].resourcing_cost is not None for i, _ in pieces)
    if by_cost:
        pieces.sort(
            key=lambda p: (
                lines[p[0]].resourcing_cost is None,
                lines[p[0]].resourcing_cost or ZERO,
                -p[1],
            )
        )
    else:
        pieces.sort(key=lambda p: (-p[1], lines[p[0]].row))
    return pieces, by_cost


def _steps(
    facts: Facts,
    pieces: list[tuple[int, Decimal]],
    vnm: Decimal,
    threshold: Decimal,
    exact: bool,
) -> list[Step]:
    """Switch the candidates one by one until the RVC passes (MAX_STEPS at most)."""
    net_cost = facts.bom.vehicle.net_cost
    steps: list[Step] = []
    switched: list[int] = []
    remaining = vnm
    again = _Recount(facts) if exact else None
    for i, amount in pieces[:MAX_STEPS]:
        switched.append(i)
        after_vnm = remaining - amount if again is None else again.switch(i, switched)
        line = facts.tree.lines[i]
        after = (net_cost - after_vnm) * HUNDRED / net_cost
        steps.append(
            Step(
                part_number=line.part_number,
                row=line.row,
                amount=remaining - after_vnm,
                value_after=after,
                passes=after >= threshold,
                resourcing_cost=line.resourcing_cost,
            )
        )
        remaining = after_vnm
        if after >= threshold:
            break
    return steps


class _Recount:
    """The vehicle's VNM after each switch, exactly as a full re-evaluation gives it
    (`_vnm_with_originating`), but counting again only the switched line and the lines above
    it: a switched line becomes a purchased leaf declared originating, so nothing else moves,
    as long as no core-part decision can move with it. When a switched line is a core part,
    sits inside one or holds one, the core parts are decided again: from that step on each
    VNM is the full re-evaluation's."""

    def __init__(self, facts: Facts) -> None:
        self.facts = facts
        tree = facts.tree
        self.counting = copy_counting(facts.counting(facts.reading))
        self.decisions = facts.core.decisions() if facts.core and facts.core.entry else {}
        self.threshold_of = _thresholds(tree, facts.rules)
        self.dropped = [False] * len(tree.lines)
        self.full = False
        self.touches_core = _touches_core(tree, set(self.decisions))

    def switch(self, i: int, switched: list[int]) -> Decimal:
        """The VNM with every line of `switched` (the last one `i`) switched."""
        if self.full or self.touches_core[i]:
            self.full = True
            return _vnm_with_originating(self.facts, switched)
        tree = self.facts.tree
        c = self.counting
        if not self.dropped[i]:  # a line inside an earlier switched one is gone already
            stack = list(tree.children[i])
            while stack:
                k = stack.pop()
                self.dropped[k] = True
                stack.extend(tree.children[k])
            # a purchased leaf declared originating brings nothing (and carries nothing)
            c.n[i] = c.carried[i] = ZERO
            parent = tree.parent_of[i]
            while parent >= 0:
                count_line(tree, parent, c, self.threshold_of, None)
                parent = tree.parent_of[parent]
        return vnm_of(tree, c)


def _touches_core(tree: Tree, core: set[int]) -> list[bool]:
    """Lines that are a core part, sit inside one or hold one: switching them may move a
    core-part decision (its own RVC, its category's average, the super-core)."""
    parent_of = tree.parent_of
    inside = [False] * len(tree.lines)
    for i in tree.top_down:  # parents first
        parent = parent_of[i]
        inside[i] = parent >= 0 and (parent in core or inside[parent])
    holds = [False] * len(tree.lines)
    for k in core:
        parent = parent_of[k]
        while parent >= 0 and not holds[parent]:
            holds[parent] = True
            parent = parent_of[parent]
    return [i in core or inside[i] or holds[i] for i in range(len(tree.lines))]


def _how(steps: list[Step], threshold: Decimal) -> str:
    names = ", ".join(s.part_number for s in steps[:5]) + (
        f" and {len(steps) - 5} more" if len(steps) > 5 else ""
    )
    if not steps:
        return (
            "no non-originating line can be re-sourced (core-part content counts: raise the "
            "core parts' RVC)"
        )
    shown = fmt_percent(steps[-1].value_after, threshold)
    if steps[-1].passes:
        return f"re-sourcing {names} from originating suppliers passes ({shown})"
    return (
        f"re-sourcing the {len(steps)} largest non-originating lines ({names}) is not enough "
        f"({shown})"
    )


def _other_reading(facts: Facts, threshold: Decimal) -> str:
    """Whether the other reading of core parts already passes."""
    other = [r for r in facts.counts if r != facts.reading]
    if not other:
        return ""
    net_cost = facts.bom.vehicle.net_cost
    value = (net_cost - vnm_of(facts.tree, facts.counting(other[0]))) * HUNDRED / net_cost
    verdict = "passes" if value >= threshold else "fails too"
    return f"; under the {other[0]} reading it {verdict} ({fmt_percent(value, threshold)})"


def _vnm_with_originating(facts: Facts, switched: list[int]) -> Decimal:
    """The vehicle's VNM, under the reading applied, if these lines came from an originating
    source: each becomes a purchased part declared originating (its components and any
    rvc_percent dropped, as for a part bought in instead)."""
    tree = facts.tree
    lines = list(tree.lines)
    drop = [False] * len(lines)
    for i in switched:
        lines[i] = replace(lines[i], originating=True, rvc_percent=None)
        stack = list(tree.children[i])
        while stack:
            k = stack.pop()
            drop[k] = True
            stack.extend(tree.children[k])
    kept = [line for k, line in enumerate(lines) if not drop[k]]
    bom = replace(facts.bom, lines=kept, notes=[])
    again = gather(bom, facts.rules, facts.reading)
    return vnm_of(again.tree, again.counting(facts.reading))


def core_parts(facts: Facts, threshold: Decimal) -> WhatItWouldTake:
    """Each non-originating core part's gap, and what the super-core would need instead."""
    core = facts.core
    assert core is not None
    currency = facts.bom.vehicle.currency
    gaps = [_gap(facts, p, threshold) for p in core.parts if not p.originating]
    averaged = [p for p in core.parts if not p.own_rule]
    total = sum((p.value for p in averaged), ZERO)
    super_gap = None
    if core.super_core is not None and core.super_core < threshold:
        super_gap = total * (threshold - core.super_core) / HUNDRED
    if not gaps:
        return _core_headroom(total, core.super_core, threshold, currency)
    names = ", ".join(g.part_number for g in gaps[:4])
    summary = f"{len(gaps)} core part{'s' if len(gaps) > 1 else ''} not originating ({names})"
    if super_gap is not None:
        summary += (
            f"; or {fmt_amount(super_gap)} {currency} less non-originating content across the "
            "core parts would pass the super-core"
        )
    return WhatItWouldTake(
        passes=False,
        summary=summary,
        amount=super_gap,
        parts=tuple(gaps),
        headline=f"{names} not originating",
    )


def _core_headroom(
    total: Decimal, super_core: Decimal | None, threshold: Decimal, currency: str
) -> WhatItWouldTake:
    """Every core part originates: how much more content the super-core could take."""
    room = total * (super_core - threshold) / HUNDRED if super_core else None
    summary = "every core part originates"
    if room is not None and room > 0:
        summary += (
            f"; the super-core could take {fmt_amount(room)} {currency} more non-originating "
            "content"
        )
    return WhatItWouldTake(passes=True, summary=summary, amount=room, parts=())


def _gap(facts: Facts, part: CorePart, threshold: Decimal) -> PartGap:
    """What a non-originating core part lacks, and its largest non-originating inputs."""
    tree = facts.tree
    lines = tree.lines
    line = lines[part.index]
    if part.own_rule:
        return PartGap(
            part_number=line.part_number,
            row=line.row,
            category=part.category,
            rvc=part.rvc,
            content_to_remove=None,
            note="originates only as declared under its own product-specific rule (s. 14(6)): "
            "an originating battery, with its producer's certification",
            top_lines=(),
        )
    n = facts.counting(facts.reading).n
    rvc = part.rvc if part.rvc is not None else ZERO
    gap = line.unit_cost * (threshold - rvc) / HUNDRED if rvc < threshold else ZERO
    kids = sorted(
        (k for k in tree.children[part.index] if n[k]), key=lambda k: -lines[k].quantity * n[k]
    )
    if line.originating is False:
        note = "declared non-originating: declare it originating if its supplier certifies origin"
    else:
        note = (
            f"raise its RVC to {fmt_number(threshold)}%: {fmt_amount(gap)} "
            f"{facts.bom.vehicle.currency} less non-originating content per part"
        )
    return PartGap(
        part_number=line.part_number,
        row=line.row,
        category=part.category,
        rvc=part.rvc,
        content_to_remove=gap,
        note=note,
        top_lines=tuple(
            (lines[k].part_number, lines[k].row, lines[k].quantity * n[k]) for k in kids[:3]
        ),
    )


def metal(
    material: str,
    originating: Decimal,
    total: Decimal,
    threshold: Decimal,
    currency: str,
    melted_and_poured: bool = False,
) -> WhatItWouldTake:
    """The purchase value to switch to originating, or the headroom; `melted_and_poured`:
    only steel melted and poured in North America counts (s. 17(5)(b), from 2027-07-01)."""
    needed = total * threshold / HUNDRED - originating
    if needed <= 0:
        return WhatItWouldTake(
            passes=True,
            summary=(
                f"{fmt_amount(-needed)} {currency} of originating {material} purchases could "
                "become non-originating before it fails"
            ),
            amount=-needed,
        )
    return WhatItWouldTake(
        passes=False,
        summary=(
            f"switch {fmt_amount(needed)} {currency} of {material} purchases to originating "
            + (
                "steel melted and poured in North America (and show it in melted_and_poured)"
                if melted_and_poured
                else "(North American) sources"
            )
        ),
        amount=needed,
    )


def lvc(
    f: LvcEvidence, required: Decimal, production_wages: Decimal | None, currency: str
) -> WhatItWouldTake:
    """The high-wage spend or technology credit still needed, in money and points."""
    mm_short = max(f.minimum - f.material_and_manufacturing, ZERO)
    total_short = max(required - f.total, ZERO)
    per_point = f.denominator / HUNDRED
    if not mm_short and not total_short:
        room = min(f.total - required, f.material_and_manufacturing - f.minimum)
        return WhatItWouldTake(
            passes=True,
            summary=(
                f"{fmt_number(room)} LVC points above the requirement: "
                f"{fmt_amount(room * per_point)} {currency} of high-wage spend could go"
            ),
            amount=room * per_point,
            points=room,
        )
    points = max(mm_short, total_short)
    money = points * per_point
    parts = [
        f"{fmt_amount(money)} {currency} more high-wage material or labor ({fmt_number(points)} "
        "points)"
    ]
    if not mm_short and total_short:
        tech_room = f.technology_cap - f.technology
        if tech_room > 0 and production_wages:
            tech_points = min(tech_room, total_short)
            parts.append(
                f"or {fmt_number(tech_points)} points of technology credit "
                f"({fmt_amount(tech_points * production_wages / HUNDRED)} {currency} of R&D and "
                "IT wages)"
            )
        if f.assembly == 0:
            parts.append(
                "or a qualifying high-wage engine, transmission or battery plant (5 points)"
            )
    return WhatItWouldTake(passes=False, summary=", ".join(parts), amount=money, points=points)
