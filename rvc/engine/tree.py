"""The BOM as a tree: children in row order, a bottom-up order and value multipliers.

The reader has already refused duplicate part numbers, parents that name no line and cycles,
so building the tree cannot fail on user input; a failure here is a bug. The reader hands over
the parent positions it found while checking (`BillOfMaterials.index`), so a BOM read from a
file is not indexed twice; a BOM built in code is indexed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rvc.model import BomIndex, BomLine


@dataclass(slots=True)
class Tree:
    """Index structures over a list of BOM lines (positions in `lines` identify lines)."""

    lines: list[BomLine]
    children: list[list[int]]
    roots: list[int]
    bottom_up: list[int]
    top_down: list[int]
    parent_of: list[int]

    @classmethod
    def build(cls, lines: list[BomLine], index: BomIndex | None = None) -> Tree:
        """Order the lines from the reader's `index` when it indexes these lines, else index
        them by part number (a BOM built in code); raises ValueError on a broken tree."""
        parents = index.parents_of(lines) if index is not None else None
        if parents is None:
            parents = _parents(lines)
        children: list[list[int]] = [[] for _ in lines]
        roots = []
        for i, p in enumerate(parents):
            if p < 0:
                roots.append(i)
            else:
                children[p].append(i)
        top_down: list[int] = []
        append = top_down.append
        stack = roots[::-1]
        pop = stack.pop
        push = stack.extend
        while stack:
            i = pop()
            append(i)
            kids = children[i]
            if kids:
                push(kids[::-1])
        if len(top_down) != len(lines):
            raise ValueError("BOM tree has a cycle or a missing parent (the reader should refuse)")
        return cls(lines, children, roots, top_down[::-1], top_down, list(parents))

    def top_level_value(self) -> Decimal:
        """What the top-level lines are worth in one vehicle (quantity x unit cost, summed)."""
        return sum((self.lines[i].value for i in self.roots), Decimal(0))

    def extended_quantities(self) -> list[Decimal]:
        """For each line, how many of it one vehicle contains (quantities multiplied down)."""
        result = [Decimal(0)] * len(self.lines)
        for i in self.top_down:
            parent = self.parent_of[i]
            own = self.lines[i].quantity
            result[i] = own if parent < 0 else own * result[parent]
        return result

    def path(self, i: int) -> list[str]:
        """Part numbers from the top-level line down to line i."""
        out = []
        while i >= 0:
            out.append(self.lines[i].part_number)
            i = self.parent_of[i]
        return out[::-1]


def _parents(lines: list[BomLine]) -> list[int]:
    """Each line's parent position (-1 at the top), looked up by part number or row key."""
    index = {line.key or line.part_number: i for i, line in enumerate(lines)}
    return [-1 if line.parent is None else index[line.parent] for line in lines]
