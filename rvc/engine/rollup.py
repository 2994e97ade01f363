"""Roll-up: how much non-originating value each line brings into its parent.

For each line, per unit of that line (multiply by its quantity in the parent):

- declared originating: nothing (it counts wholly originating, whatever it contains);
- declared non-originating: its whole unit cost;
- origin blank, with components: its own RVC is (unit cost - non-originating value of its
  components) / unit cost; against the threshold that applies to it (core part or part
  table) it counts wholly originating or wholly non-originating. With no threshold known,
  rvc cannot call it originating, so its components' non-originating value is counted
  directly (tracing), which is what the law does for an undesignated self-produced material;
- origin blank, no components: unknown, counted as non-originating (a supplier's
  rvc_percent does not make it originating: the contract counts a blank part as unknown);
- a core part of a passenger vehicle or light truck (the disputed roll-up). Declared
  non-originating, or blank and not qualifying: its whole unit cost. Otherwise:
  * U.S. Customs reading (default): its own non-originating content, value x (1 - its RVC),
    and that content still counts when an assembly around it counts as originating (no
    roll-up across core parts): the assembly then brings the content of the core parts inside
    it ("forced" content);
  * 2022 panel reading: nothing when it qualifies (alone, by category or as a super-core,
    even if declared non-originating: s. 14(12)), and nothing when declared originating (the
    contract's roll-up sentence).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import NamedTuple

from rvc.engine.tree import Tree
from rvc.money import HUNDRED, ZERO

NOTHING, WHOLE, TRACED, PARTIAL, FORCED = "nothing", "whole", "traced", "partial", "forced"


@dataclass(frozen=True, slots=True)
class Threshold:
    """The RVC a part must reach, and where that figure comes from."""

    percent: Decimal
    source: str
    guess: bool = False


@dataclass(slots=True)
class RollUp:
    """Per-line results of one roll-up pass."""

    contribution: list[Decimal]
    mode: list[str]
    forced: list[Decimal] = field(default_factory=list)
    own_rvc: dict[int, Decimal] = field(default_factory=dict)
    decided: dict[int, tuple[bool, Threshold | None]] = field(default_factory=dict)
    unknown: list[int] = field(default_factory=list)

    def vnm(self, tree: Tree) -> Decimal:
        """Value of non-originating materials of the vehicle (top-level lines)."""
        lines = tree.lines
        return sum((lines[i].quantity * self.contribution[i] for i in tree.roots), ZERO)


def core_rvc(tree: Tree, i: int, own_rvc: dict[int, Decimal]) -> tuple[Decimal, str]:
    """A core part's own RVC and where it comes from (the contract's order of evidence)."""
    line = tree.lines[i]
    if i in own_rvc:
        return own_rvc[i], "components"
    if line.rvc_percent is not None:
        return line.rvc_percent, "rvc_percent"
    if line.originating is True:
        return HUNDRED, "declared originating"
    if line.originating is False:
        return ZERO, "declared non-originating"
    return ZERO, "unknown origin"


def roll_up(
    tree: Tree,
    threshold_of: Callable[[int], Threshold | None],
    disputed_core: frozenset[int] = frozenset(),
    qualifying: frozenset[int] | None = None,
    panel: bool = False,
    order: list[int] | None = None,
) -> RollUp:
    """One bottom-up pass.

    `disputed_core` are the core parts subject to the panel dispute; `qualifying` those that
    qualify (None on the first pass, which only measures the core parts' own RVCs); `panel`
    selects the 2022 panel reading. `order` limits the pass to some subtrees (children before
    parents).
    """
    lines, children = tree.lines, tree.children
    contribution = [ZERO] * len(lines)
    mode = [NOTHING] * len(lines)
    forced = [ZERO] * len(lines)
    result = RollUp(contribution, mode, forced)
    own_rvc = result.own_rvc
    carry = bool(disputed_core) and not panel and qualifying is not None
    for i in tree.bottom_up if order is None else order:
        line = lines[i]
        kids = children[i]
        traced = inside = ZERO
        if kids:
            for k in kids:
                if contribution[k]:
                    traced += lines[k].quantity * contribution[k]
                if carry and forced[k]:
                    inside += lines[k].quantity * forced[k]
            if line.unit_cost > 0:
                own_rvc[i] = (line.unit_cost - traced) * HUNDRED / line.unit_cost
        if i in disputed_core:
            qualifies = True if qualifying is None else i in qualifying
            _core(result, tree, i, traced, qualifies, panel)
            if carry:
                forced[i] = contribution[i]
            continue
        forced[i] = inside
        if line.originating is True:
            pass
        elif line.originating is False:
            contribution[i], mode[i] = line.unit_cost, WHOLE
        elif kids:
            threshold = threshold_of(i)
            if threshold is None:
                _trace(result, i, traced, line.unit_cost)
            elif line.unit_cost > 0:
                passes = own_rvc[i] >= threshold.percent
                result.decided[i] = (passes, threshold)
                if not passes:
                    contribution[i], mode[i] = line.unit_cost, WHOLE
        else:
            contribution[i], mode[i] = line.unit_cost, WHOLE
            result.unknown.append(i)
        if inside and mode[i] == NOTHING:
            # counts as originating, but the core parts inside still bring their content
            contribution[i], mode[i] = min(inside, line.unit_cost), FORCED
    return result


def _core(
    result: RollUp, tree: Tree, i: int, traced: Decimal, qualifies: bool, panel: bool
) -> None:
    line = tree.lines[i]
    if panel and (qualifies or line.originating is True):
        return
    if line.originating is False or (line.originating is None and not qualifies):
        result.contribution[i], result.mode[i] = line.unit_cost, WHOLE
        if line.originating is None and not tree.children[i] and line.rvc_percent is None:
            result.unknown.append(i)
        return
    if i in result.own_rvc or (tree.children[i] and line.unit_cost == 0):
        _trace(result, i, traced, line.unit_cost)
        return
    rvc, _ = core_rvc(tree, i, result.own_rvc)
    share = line.unit_cost * (HUNDRED - rvc) / HUNDRED
    if share:
        result.contribution[i] = share
        result.mode[i] = WHOLE if rvc == ZERO else PARTIAL


def _trace(result: RollUp, i: int, traced: Decimal, unit_cost: Decimal) -> None:
    """Count the components' non-originating value, never more than the line's own value.

    Components worth more than their assembly are a data error (the report flags it); capping
    keeps a line's contribution between nothing and its whole value, so that declaring any
    line originating can only raise the RVC.
    """
    if traced > unit_cost:
        if unit_cost:
            result.contribution[i], result.mode[i] = unit_cost, WHOLE
    elif traced:
        result.contribution[i], result.mode[i] = traced, TRACED


class Attribution(NamedTuple):
    """Non-originating value of the vehicle traced to the line it comes from."""

    index: int
    amount: Decimal


def attribute(tree: Tree, result: RollUp) -> list[Attribution]:
    """Split the vehicle's VNM over the lines it comes from; the amounts sum to the VNM."""
    out: list[Attribution] = []
    lines, children = tree.lines, tree.children
    stack = [(i, lines[i].quantity, False) for i in reversed(tree.roots)]
    while stack:
        i, multiplier, via_forced = stack.pop()
        mode = result.mode[i]
        if via_forced and mode != FORCED and result.forced[i] != result.contribution[i]:
            # a non-core line inside an originating assembly: only its core content counts
            for k in reversed(children[i]):
                if result.forced[k]:
                    stack.append((k, multiplier * lines[k].quantity, True))
        elif mode == TRACED:
            for k in reversed(children[i]):
                if result.contribution[k]:
                    stack.append((k, multiplier * lines[k].quantity, False))
        elif mode == FORCED and result.contribution[i] == result.forced[i]:
            for k in reversed(children[i]):
                if result.forced[k]:
                    stack.append((k, multiplier * lines[k].quantity, True))
        elif mode != NOTHING:
            out.append(Attribution(i, multiplier * result.contribution[i]))
    return out
