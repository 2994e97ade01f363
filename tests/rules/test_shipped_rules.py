"""The shipped USMCA pack: complete, cited, and equal to the figures of the domain notes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rvc import schedule
from rvc.errors import NotInForce
from rvc.rulepack.json_schema import schema_text
from tests.conftest import ROOT

IDS = {"vehicle-rvc", "core-parts", "steel", "aluminum", "lvc"}


def test_schema_json_is_up_to_date():
    assert (ROOT / "rules" / "schema.json").read_text() == schema_text(), (
        "rules/schema.json is stale: run `rvc rules schema > rules/schema.json`"
    )


@pytest.mark.parametrize("cls", ["passenger_vehicle", "light_truck"])
def test_every_class_has_the_five_requirements(pack, cls):
    assert {r.id for r in pack.requirements_for(cls)} == IDS


def test_heavy_trucks_have_no_core_parts_requirement(pack):
    # s. 15 has no counterpart of s. 14(4); s. 15(4) parts are a part table at Table D
    assert {r.id for r in pack.requirements_for("heavy_truck")} == IDS - {"core-parts"}
    table = next(t for t in pack.part_tables if t.id == "s15-4")
    assert table.hs == ["84.07", "84.08", "8708.40", "8708.99"]
    assert [e.min_percent for e in table.thresholds] == [60, 64, 70]


def test_every_dated_entry_has_a_citation_and_status(pack):
    entries = [e for r in pack.requirements for e in r.thresholds]
    entries += [e for t in pack.part_tables for e in t.thresholds]
    assert entries
    for entry in entries:
        assert entry.citation.strip()
        assert entry.status.value in {"C", "S", "R"}


def _at(pack, rid, cls, day):
    req = next(r for r in pack.requirements_for(cls) if r.id == rid)
    return schedule.at(req.thresholds, dt.date.fromisoformat(day))


@pytest.mark.parametrize(
    ("rid", "cls", "day", "field", "value"),
    [
        ("vehicle-rvc", "passenger_vehicle", "2020-07-01", "min_percent", 66),
        ("vehicle-rvc", "passenger_vehicle", "2021-06-30", "min_percent", 66),
        ("vehicle-rvc", "passenger_vehicle", "2021-07-01", "min_percent", 69),
        ("vehicle-rvc", "light_truck", "2022-07-01", "min_percent", 72),
        ("vehicle-rvc", "light_truck", "2023-07-01", "min_percent", 75),
        ("vehicle-rvc", "heavy_truck", "2024-06-30", "min_percent", 60),
        ("vehicle-rvc", "heavy_truck", "2024-07-01", "min_percent", 64),
        ("vehicle-rvc", "heavy_truck", "2027-07-01", "min_percent", 70),
        ("core-parts", "passenger_vehicle", "2023-07-01", "min_percent", 75),
        ("core-parts", "passenger_vehicle", "2023-07-01", "min_percent_tv", 85),
        ("steel", "heavy_truck", "2027-06-30", "melted_and_poured_required", False),
        ("steel", "heavy_truck", "2027-07-01", "melted_and_poured_required", True),
        ("steel", "passenger_vehicle", "2030-01-01", "min_percent", 70),
        ("aluminum", "light_truck", "2030-01-01", "min_percent", 70),
        ("lvc", "passenger_vehicle", "2020-07-01", "min_total_percent", 30),
        ("lvc", "passenger_vehicle", "2021-07-01", "min_material_and_manufacturing_points", 18),
        ("lvc", "passenger_vehicle", "2022-07-01", "min_total_percent", 36),
        ("lvc", "passenger_vehicle", "2023-07-01", "min_material_and_manufacturing_points", 25),
        ("lvc", "light_truck", "2023-07-01", "min_total_percent", 45),
        ("lvc", "heavy_truck", "2023-07-01", "min_material_and_manufacturing_points", 30),
        ("lvc", "passenger_vehicle", "2023-07-01", "technology_cap_points", 10),
        ("lvc", "heavy_truck", "2023-07-01", "assembly_cap_points", 5),
        (
            "lvc",
            "heavy_truck",
            "2023-07-01",
            "high_wage_per_hour",
            {"USD": Decimal("16.00"), "CAD": Decimal("20.88"), "MXN": Decimal("294.22")},
        ),
    ],
)
def test_figures_match_the_domain_notes(pack, rid, cls, day, field, value):
    assert getattr(_at(pack, rid, cls, day), field) == value


@pytest.mark.parametrize(
    ("cls", "engine", "battery"),
    [("passenger_vehicle", 100_000, 25_000), ("heavy_truck", 20_000, 20_000)],
)
def test_assembly_plant_capacities(pack, cls, engine, battery):
    capacity = _at(pack, "lvc", cls, "2024-01-01").assembly_min_capacity
    assert capacity["engine"] == engine and capacity["advanced_battery"] == battery


def test_nothing_is_in_force_before_2020_07_01(pack):
    for req in pack.requirements:
        with pytest.raises(NotInForce):
            schedule.at(req.thresholds, dt.date(2020, 6, 30))


@pytest.mark.parametrize(
    ("table", "day", "value"),
    [
        ("table-b", "2022-07-01", Decimal("67.5")),
        ("table-b", "2023-07-01", 70),
        ("table-c", "2023-07-01", 65),
        ("table-d", "2024-07-01", 64),
        ("table-e", "2027-07-01", 60),
    ],
)
def test_part_table_thresholds(pack, table, day, value):
    found = next(t for t in pack.part_tables if t.id == table)
    assert schedule.at(found.thresholds, dt.date.fromisoformat(day)).min_percent == value
