"""How every BOM line counts (format v1.1, "How BOM lines count"): one pass, children first.

For each line, per unit of the line (multiply by its quantity in the parent):

**Own RVC**: from its children, (unit cost - their non-originating value in it) / unit cost;
else its `rvc_percent`; else 100 when declared originating, 0 when declared non-originating
or unknown. Children win over `rvc_percent`.

**Origin**: declared Y or N wins; blank with children or `rvc_percent`: its own RVC against
the threshold that applies to it (`threshold_of`: the part table by HS code, or the s. 15(4)
table); no threshold: neither; blank leaf: unknown. Core parts are decided by the core-part
module (alone, by category average or through the super-core) and handed in as `core`.

**Non-originating value in its parent**: 0 when originating (except a core part under the
U.S. reading: its own content); its own content ((100 - own RVC)% of its value, at most its
value) when blank, not originating and its content is known; its whole value when declared
non-originating or unknown. Under the U.S. reading the content of core parts also reaches
the vehicle through assemblies that count as originating ("carried").

The lines below core parts count the same under both readings and are passed once; the core
parts and everything above them are passed once per reading.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from rvc.engine.readings import Reading
from rvc.engine.tree import Tree
from rvc.money import HUNDRED, ZERO
from rvc.results import LineCounts as Counting
from rvc.results import Threshold

# origin of a line
ORIGINATING = "originating"
NON_ORIGINATING = "non_originating"
NEITHER = "neither"
UNKNOWN = "unknown"

# why a line has that origin
DECLARED = "declared"
MEETS = "meets_threshold"
BELOW = "below_threshold"
NO_THRESHOLD = "no_threshold"
NO_VALUE = "no_value"
UNKNOWN_LEAF = "unknown_leaf"
DECLARED_BELOW = "declared_below_threshold"
"""Declared Y, but its own RVC misses a threshold that binds declared lines (s. 15(4))."""

# what a line brings into its parent
NOTHING = "nothing"
WHOLE = "whole"
CONTENT = "content"
CORE_CONTENT = "core_content"
CARRIED = "carried"


@dataclass(frozen=True, slots=True)
class CoreDecision:
    """A core part's origin, decided before the pass reaches it."""

    originating: bool
    how: str
    threshold: Threshold | None


def vnm_of(tree: Tree, counting: Counting) -> Decimal:
    """Value of non-originating materials of the vehicle (the top-level lines)."""
    lines, n = tree.lines, counting.n
    return sum((lines[i].quantity * n[i] for i in tree.roots), ZERO)


def new_counting(reading: Reading, size: int) -> Counting:
    """Empty per-line lists for one reading."""
    return Counting(
        reading=reading.name,
        core_content_counts=reading.core_content_counts,
        n=[ZERO] * size,
        mode=[NOTHING] * size,
        own_rvc=[None] * size,
        source=[""] * size,
        origin=[UNKNOWN] * size,
        how=[""] * size,
        threshold=[None] * size,
        carried=[ZERO] * size,
        traced=[ZERO] * size,
    )


def copy_counting(c: Counting, reading: Reading | None = None) -> Counting:
    """A counting whose lists can be changed without changing `c`: under `c`'s reading, or
    under `reading` (its figures then `c`'s until counted again)."""
    return Counting(
        reading=reading.name if reading else c.reading,
        core_content_counts=reading.core_content_counts if reading else c.core_content_counts,
        n=list(c.n),
        mode=list(c.mode),
        own_rvc=list(c.own_rvc),
        source=list(c.source),
        origin=list(c.origin),
        how=list(c.how),
        threshold=list(c.threshold),
        carried=list(c.carried),
        traced=list(c.traced),
    )


def own_rvc(tree: Tree, i: int, traced: Decimal) -> tuple[Decimal | None, str]:
    """A line's own RVC and where it comes from, given its children's non-originating value."""
    line = tree.lines[i]
    if tree.children[i]:
        if not line.unit_cost:
            return None, "components"
        return (line.unit_cost - traced) * HUNDRED / line.unit_cost, "components"
    if line.rvc_percent is not None:
        return line.rvc_percent, "rvc_percent"
    if line.originating is True:
        return HUNDRED, "declared originating"
    if line.originating is False:
        return ZERO, "declared non-originating"
    return ZERO, "unknown origin"


def traced_in(tree: Tree, i: int, counting: Counting) -> Decimal:
    """The non-originating value of a line's children in it, per unit, as already counted."""
    lines, n = tree.lines, counting.n
    return sum((lines[k].quantity * n[k] for k in tree.children[i] if n[k]), ZERO)


def content(tree: Tree, i: int, traced: Decimal, rvc: Decimal | None) -> Decimal:
    """A line's own non-originating content per unit: (100 - own RVC)% of it, at most all."""
    unit_cost = tree.lines[i].unit_cost
    if tree.children[i]:
        share = traced
    elif rvc is None:
        return ZERO
    else:
        share = unit_cost * (HUNDRED - rvc) / HUNDRED
    return min(max(share, ZERO), unit_cost)


def count_lines(
    tree: Tree,
    order: Sequence[int],
    counts: Sequence[Counting],
    threshold_of: Callable[[int], Threshold | None],
    core: dict[int, CoreDecision],
) -> None:
    """Count the lines of `order` (children before parents) under each reading in `counts`
    (`facts.gather` counts the second reading only where it can differ)."""
    for counting in counts:
        _count_all(tree, order, counting, threshold_of, core)


def count_line(
    tree: Tree,
    i: int,
    c: Counting,
    threshold_of: Callable[[int], Threshold | None],
    decision: CoreDecision | None,
) -> None:
    """Count one line under one reading from its children's counts (see `count_lines`)."""
    _count_all(tree, (i,), c, threshold_of, {i: decision} if decision is not None else {})


Origin = tuple[str, str, Threshold | None]
"""A line's origin, why, and the threshold it was decided against."""


def _count_all(
    tree: Tree,
    order: Sequence[int],
    c: Counting,
    threshold_of: Callable[[int], Threshold | None],
    core: dict[int, CoreDecision],
) -> None:
    """Count each line of `order` under one reading, from its children's counts (the
    lists are bound once: this loop runs once per BOM line)."""
    lines, children = tree.lines, tree.children
    n, carried_of, mode_of = c.n, c.carried, c.mode
    own_of, source_of, traced_of = c.own_rvc, c.source, c.traced
    origin_of, how_of, threshold_at = c.origin, c.how, c.threshold
    content_counts = c.core_content_counts
    decide = core.get
    for i in order:
        traced = carried = ZERO
        for k in children[i]:
            quantity = lines[k].quantity
            if n[k]:
                traced += quantity * n[k]
            if carried_of[k]:
                carried += quantity * carried_of[k]
        rvc, source = own_rvc(tree, i, traced)
        own_of[i], source_of[i], traced_of[i] = rvc, source, traced
        decision = decide(i)
        origin, how, threshold = _origin(tree, i, rvc, threshold_of, decision)
        origin_of[i], how_of[i], threshold_at[i] = origin, how, threshold
        core_counts = decision is not None and content_counts
        value, mode = _brings(tree, i, origin, traced, rvc, core_counts)
        if decision is not None:
            carried = value if core_counts else ZERO
        elif content_counts and carried:
            # the core content inside reaches the vehicle, but a line never brings more than
            # its own value, at every level
            carried = min(carried, lines[i].unit_cost)
            if value < carried:
                value, mode = carried, CARRIED
        n[i], mode_of[i], carried_of[i] = value, mode, carried


def _origin(
    tree: Tree,
    i: int,
    rvc: Decimal | None,
    threshold_of: Callable[[int], Threshold | None],
    decision: CoreDecision | None,
) -> Origin:
    """Declared, decided by its own RVC against its threshold, neither, or unknown."""
    line = tree.lines[i]
    known = bool(tree.children[i]) or line.rvc_percent is not None
    if decision is not None:
        return _core_origin(decision, line.originating is None and not known)
    if line.originating is True:
        return _declared_origin(threshold_of(i) if known else None, rvc)
    if line.originating is False:
        return NON_ORIGINATING, DECLARED, None
    if not known:
        return UNKNOWN, UNKNOWN_LEAF, None
    threshold = threshold_of(i)
    if threshold is None:
        return NEITHER, NO_THRESHOLD, None
    if rvc is None:
        return NEITHER, NO_VALUE, threshold
    if rvc >= threshold.percent:
        return ORIGINATING, MEETS, threshold
    return NON_ORIGINATING, BELOW, threshold


def _core_origin(decision: CoreDecision, unknown: bool) -> Origin:
    """A core part's origin as decided by the core-part module; a blank leaf stays unknown."""
    if not decision.originating and unknown:
        return UNKNOWN, UNKNOWN_LEAF, decision.threshold
    origin = ORIGINATING if decision.originating else NON_ORIGINATING
    return origin, decision.how, decision.threshold


def _declared_origin(bound: Threshold | None, rvc: Decimal | None) -> Origin:
    """Declared Y: originating, unless a threshold that binds declarations (s. 15(4):
    "originating only if") is missed by the line's own known RVC."""
    if bound is None or not bound.binds_declared or rvc is None:
        return ORIGINATING, DECLARED, None
    if rvc < bound.percent:
        return NON_ORIGINATING, DECLARED_BELOW, bound
    return ORIGINATING, DECLARED, bound


def _brings(
    tree: Tree, i: int, origin: str, traced: Decimal, rvc: Decimal | None, core_counts: bool
) -> tuple[Decimal, str]:
    """What a line brings into its parent per unit, and why (before carried core content)."""
    line = tree.lines[i]
    if origin == ORIGINATING:
        if not core_counts:
            return ZERO, NOTHING
        value, mode = content(tree, i, traced, rvc), CORE_CONTENT
    elif origin == UNKNOWN or line.originating is False:
        value, mode = line.unit_cost, WHOLE
    else:
        value, mode = content(tree, i, traced, rvc), CONTENT
    return (value, mode) if value else (ZERO, NOTHING)


def subtree_order(tree: Tree, roots: Sequence[int]) -> list[int]:
    """The lines strictly below the given lines, children before parents."""
    order: list[int] = []
    stack = [k for r in roots for k in tree.children[r]]
    while stack:
        i = stack.pop()
        order.append(i)
        stack.extend(tree.children[i])
    return order[::-1]
