"""One index of the BOM tree: the reader's, handed to the engine with the BillOfMaterials."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from rvc.engine.tree import Tree
from rvc.model import BomIndex
from rvc.readers import config, read_bom
from tests.conftest import EXAMPLES, line

TODAY = dt.date(2026, 11, 23)


def _shape(tree: Tree) -> tuple[object, ...]:
    return tree.children, tree.roots, tree.top_down, tree.bottom_up, tree.parent_of


@pytest.mark.parametrize(
    "source", ["sedan_pass.xlsx", "sedan_pass_csv", "sap_export/ZCS12_export.xlsx"]
)
def test_the_readers_index_is_the_tree_built_from_part_numbers(source):
    path = EXAMPLES / source
    bill = read_bom(path, config.discover(path), today=TODAY)
    assert bill.index is not None
    assert bill.index.parents_of(bill.lines) is bill.index.parent
    assert _shape(Tree.build(bill.lines, bill.index)) == _shape(Tree.build(bill.lines))


def test_the_index_holds_only_for_the_lines_it_indexes():
    bill = read_bom(EXAMPLES / "sedan_pass.xlsx", today=TODAY)
    assert bill.index is not None
    top = [ln for ln in bill.lines if ln.parent is None]
    assert bill.index.parents_of(top) is None
    assert bill.index.parents_of(list(bill.lines)) is None  # another list, even if equal
    other = dataclasses.replace(bill, lines=top)
    tree = Tree.build(other.lines, other.index)
    assert tree.roots == list(range(len(top)))
    assert all(not kids for kids in tree.children)


def test_a_bom_built_in_code_is_indexed_by_the_engine():
    lines = [line("CAR-1", 10), line("B", 4, parent="A"), line("A", 6)]
    tree = Tree.build(lines)
    assert tree.parent_of == [-1, 2, -1]
    assert tree.children == [[], [], [1]]
    assert tree.top_down == [0, 2, 1]
    assert Tree.build(lines, BomIndex(lines, [-1, 2, -1])).children == tree.children
