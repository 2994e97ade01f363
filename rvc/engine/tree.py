"""The BOM as a tree: children in row order, a bottom-up order and value multipliers.

The reader has already refused duplicate part numbers, parents that name no line and cycles,
so building the tree cannot fail on user input; a failure here is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from rvc.model import BomLine


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
    def build(cls, lines: list[BomLine]) -> Tree:
        """Index lines by part number and order them; raises ValueError on a broken tree."""
        index = {line.key or line.part_number: i for i, line in enumerate(lines)}
        children: list[list[int]] = [[] for _ in lines]
        parent_of = [-1] * len(lines)
        roots = []
        for i, line in enumerate(lines):
            parent = line.parent
            if parent is None:
                roots.append(i)
            else:
                p = index[parent]
                children[p].append(i)
                parent_of[i] = p
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
        return cls(lines, children, roots, top_down[::-1], top_down, parent_of)

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
