"""The workbook contract (rvc/contract.py) agrees with itself, the rule pack's vocabulary and the
template written from it."""

from __future__ import annotations

from typing import get_args

from rvc import contract
from rvc.readers.raw import normalize_name
from rvc.reporters.template import template_sheets
from rvc.rulepack.schema import AssemblyType, CoreCategory, VehicleClass, WageCurrency


def test_every_word_reads_as_one_of_the_contract_values():
    for column, words in contract.WORDS.items():
        assert set(words.values()) <= set(contract.CHOICES[column]), column
        for value in contract.CHOICES[column]:
            assert words[normalize_name(value)] == value, (column, value)


def test_the_coded_values_are_the_rule_packs_vocabulary():
    assert contract.CHOICES["core_part"] == get_args(CoreCategory)
    assert contract.CHOICES["vehicle_class"] == get_args(VehicleClass)
    assert contract.CHOICES["assembly_type"] == get_args(AssemblyType)
    assert contract.CHOICES["wage_currency"] == get_args(WageCurrency) == contract.WAGE_CURRENCIES


def test_required_columns_and_aliases_name_contract_columns():
    assert set(contract.SHEETS) == set(contract.CONTRACT) == set(contract.REQUIRED)
    assert set(contract.REQUIRED_SHEETS) | set(contract.OPTIONAL_SHEETS) == set(contract.SHEETS)
    for sheet, required in contract.REQUIRED.items():
        assert set(required) <= set(contract.CONTRACT[sheet]), sheet
    for sheet, aliases in contract.HEADER_ALIASES.items():
        assert set(aliases.values()) <= set(contract.FIELDS[sheet]), sheet
        assert all(normalize_name(a) == a for a in aliases), sheet
    assert set(contract.SHEET_ALIASES.values()) <= set(contract.SHEETS)
    assert contract.YES.isdisjoint(contract.NO)


def test_the_template_writes_the_contracts_columns():
    sheets = dict(template_sheets())
    for sheet in ("BOM", "SteelAluminum", "LVC"):
        assert tuple(sheets[sheet][0]) == contract.CONTRACT[sheet], sheet
    fields = {row[0] for row in sheets["Vehicle"][1:]}
    assert set(contract.REQUIRED["Vehicle"]) <= fields <= set(contract.CONTRACT["Vehicle"])
