"""Format v1.1 inputs: wage currencies on LVC rows, Table S codes, the resourcing_cost column."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rvc.errors import InputError
from rvc.readers import read_bom

LVC = ("category", "amount", "hourly_wage", "wage_currency", "country", "currency")


def _read(path):
    return read_bom(path, today=dt.date(2026, 11, 23))


def test_wage_currency_is_read_per_row(workbook):
    rows = [
        LVC,
        ("material", 100, "20.88", "CAD", "CA", None),
        ("labor", 50, "294.22", "mxn", "MX", None),
        ("material", 10, 17, None, "US", None),
    ]
    bill = _read(
        workbook(bom=[("A", 10)], columns=("part_number", "unit_cost"), sheets={"LVC": rows})
    )
    assert [(r.hourly_wage, r.wage_currency) for r in bill.lvc] == [
        (Decimal("20.88"), "CAD"),
        (Decimal("294.22"), "MXN"),
        (Decimal(17), "USD"),  # the contract's default
    ]


def test_a_wage_currency_outside_the_three_is_a_located_error(workbook):
    rows = [LVC, ("material", 100, 20, "EUR", "DE", None)]
    with pytest.raises(InputError) as error:
        _read(workbook(bom=[("A", 10)], columns=("part_number", "unit_cost"), sheets={"LVC": rows}))
    message = str(error.value)
    assert "LVC!D2" in message
    assert "wage_currency is 'EUR'" in message
    assert "expected USD, CAD or MXN" in message


def test_a_cad_row_currency_gives_the_wage_its_currency_and_says_so(workbook):
    rows = [
        LVC,
        ("material", 100, 21, None, "CA", "CAD"),
    ]
    fx = [("currency", "rate", "date", "source"), ("CAD", "0.74", "2025-01-01", "test")]
    bill = _read(
        workbook(
            bom=[("A", 10)], columns=("part_number", "unit_cost"), sheets={"LVC": rows, "FX": fx}
        )
    )
    assert bill.lvc[0].wage_currency == "CAD"
    assert bill.lvc[0].hourly_wage == Decimal(21)  # never converted
    assert bill.lvc[0].amount == Decimal(74)  # the amount is converted: 100 x 0.74
    assert any("hourly_wage read in CAD" in n for n in bill.notes)


def test_resourcing_cost_column_is_read_as_money(workbook):
    bom = [("A", 10, "1,250.00"), ("B", 5, None)]
    bill = _read(workbook(bom=bom, columns=("part_number", "unit_cost", "resourcing_cost")))
    assert [line.resourcing_cost for line in bill.lines] == [Decimal("1250.00"), None]
