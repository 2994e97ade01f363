"""The template's example purchases and LVC rows are refused when left in beside a BOM of the
user's own (they would be evaluated as the producer's figures); the untouched template is
checked as it is."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from rvc.errors import InputError
from rvc.readers.workbook import read_bom
from rvc.reporters.template import write_template

TODAY = date(2026, 12, 1)


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "template.xlsx"
    write_template(path)
    return path


def _own_bom(path: Path, *, drop: tuple[str, ...] = ()) -> Path:
    """The template with its first BOM line renamed (a BOM of the user's own) and the named
    sheets' example rows deleted."""
    book = load_workbook(path)
    bom = book["BOM"]
    for row in bom.iter_rows(min_row=2):
        for cell in row[:2]:
            if cell.value == "ENG-100":
                cell.value = "MY-ENGINE"
    for name in drop:
        book[name].delete_rows(2, book[name].max_row)
    out = path.with_name("mine.xlsx")
    book.save(out)
    return out


def test_the_untouched_template_is_read_as_the_example_vehicle(template: Path) -> None:
    bill = read_bom(template, today=TODAY)
    assert bill.metals and bill.lvc  # its examples, read as they are


def test_example_purchases_beside_an_own_bom_are_refused_at_their_row(template: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_bom(_own_bom(template), today=TODAY)
    message = str(caught.value)
    for words in ("mine.xlsx: SteelAluminum row 2", "example steel purchase", "rvc template"):
        assert words in message
    assert "replace or delete the template's example rows" in message


def test_example_lvc_rows_are_refused_once_the_purchases_are_replaced(template: Path) -> None:
    with pytest.raises(InputError) as caught:
        read_bom(_own_bom(template, drop=("SteelAluminum",)), today=TODAY)
    assert "mine.xlsx: LVC row 2: is the example labor row" in str(caught.value)


def test_an_own_bom_without_the_example_rows_is_read(template: Path) -> None:
    bill = read_bom(_own_bom(template, drop=("SteelAluminum", "LVC")), today=TODAY)
    assert not bill.metals and not bill.lvc  # their requirements are then not evaluated
    assert "MY-ENGINE" in {line.part_number for line in bill.lines}
