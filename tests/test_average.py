"""`rvc average`: averaging variants over a period (SOR/2020-155 s. 16), figures worked by hand.

Workbooks are written in tmp with `rvc.reporters.template.write_workbook`. Every expected number
is computed in the test's docstring or comment from the BOM lines and volumes, never read back
from the engine. The independent reviewer's cases are in test_average_cases.py.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from rvc.engine.average import Period, classify, fiscal_year_of
from rvc.reporters.template import write_workbook
from tests.conftest import ROOT

SCHEMA = json.loads((ROOT / "rvc" / "reporters" / "average.schema.json").read_text())
BOM = ("part_number", "parent", "description", "hs_code", "quantity", "unit_cost", "originating",
       "core_part", "rvc_percent")  # fmt: skip
FY24 = {"period_start": "2024-01-01", "period_end": "2024-12-31", "fiscal_year_start": "2024-01-01"}


def variant(
    folder: Path,
    name: str,
    lines: list[tuple[Any, ...]],
    *,
    net_cost: Any = 10000,
    volume: Any = 100,
    model_line: str = "Aster",
    vehicle_class: str = "passenger_vehicle",
    plant: str | None = "Oshawa",
    country: str | None = "CA",
    period: dict[str, Any] | None = None,
    sheets: dict[str, list[tuple[Any, ...]]] | None = None,
    **fields: Any,
) -> Path:
    """One variant workbook; `lines` are (part, cost, originating, core_part, rvc_percent)."""
    vehicle = {
        "model_line": model_line,
        "vehicle_class": vehicle_class,
        "hs_subheading": {"heavy_truck": "8701.20", "light_truck": "8704.21"}.get(
            vehicle_class, "8703.23"
        ),
        "producer": "Acme Motors",
        "net_cost": net_cost,
        "plant": plant,
        "country": country,
        "volume": volume,
        **(FY24 if period is None else period),
        **fields,
    }
    rows: list[tuple[Any, ...]] = [BOM]
    for part, cost, origin, core, rvc in lines:
        rows.append((part, None, part.lower(), None, 1, cost, origin, core, rvc))
    book = [("Vehicle", [("field", "value"), *((k, v) for k, v in vehicle.items() if v is not None)]),
            ("BOM", rows), *(sheets or {}).items()]  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    write_workbook(path, book)
    return path


def average(cli: Any, *args: Any) -> tuple[Any, dict[str, Any]]:
    done = cli("average", *args, "-f", "json", "-j", "1")
    document = json.loads(done.stdout, parse_float=Decimal) if done.stdout.strip() else {}
    if document:
        jsonschema.validate(document, SCHEMA)
    return done, document


def requirement(group: dict[str, Any], name: str) -> dict[str, Any]:
    return next(r for r in group["requirements"] if r["id"] == name)


def D(value: Any) -> Decimal:  # noqa: N802
    return Decimal(str(value))


def close(found: Any, expected: Any) -> bool:
    """Equal to the 20 decimals the JSON report writes."""
    return abs(D(found) - D(expected)) <= Decimal("1e-18")


# --- figures ------------------------------------------------------------------------------


def test_ten_times_the_volume_weighs_ten_times(cli: Any, tmp_path: Path) -> None:
    """A: NC 10,000, seats N 2,000 -> VNM 2,000, RVC 80%, 1,000 units. B: NC 20,000, seats N
    6,000 -> VNM 6,000, RVC 70% (fails 75 alone), 100 units.
    sum vol x NC = 10,000,000 + 2,000,000 = 12,000,000; sum vol x VNM = 2,000,000 + 600,000
    = 2,600,000 -> (12,000,000 - 2,600,000) / 12,000,000 = 78.3333...% (a plain mean: 75.0%).
    Pull-down: B 100 x (6,000 - 5,000) = +100,000; A 1,000 x (2,000 - 2,500) = -500,000.
    Swapped volumes: (3,000,000 ... ) A 100, B 1,000: NC 21,000,000, VNM 6,200,000 -> 70.476%."""
    folder = tmp_path / "v"
    core = ("ENG", 3000, "Y", "engine", None)
    variant(folder, "a.xlsx", [core, ("SEATS", 2000, "N", None, None)], volume=1000)
    variant(folder, "b.xlsx", [core, ("SEATS", 6000, "N", None, None)], net_cost=20000)
    done, doc = average(cli, folder, "--category", "model-line-plant")
    assert done.exit_code == 1  # no SteelAluminum or LVC sheets: incomplete
    (group,) = doc["groups"]
    rvc = requirement(group, "vehicle-rvc")
    assert D(rvc["value"]) == D("78.33333333333333333333")
    assert rvc["status"] == "pass" and D(rvc["threshold"]) == 75
    details = rvc["details"]
    assert D(details["net_cost_total"]) == 12_000_000 and D(details["vnm_total"]) == 2_600_000
    pull = [
        (Path(c["path"]).name, D(c["above_allowance"]["us-cbp"])) for c in details["contributions"]
    ]
    assert pull == [("b.xlsx", 100_000), ("a.xlsx", -500_000)]
    assert D(rvc["margin_amount"]) == 400_000  # allowed 3,000,000 - 2,600,000
    own = {Path(v["input"]["path"]).name: v for v in group["variants"]}
    assert requirement(own["b.xlsx"], "vehicle-rvc")["status"] == "fail"  # fails alone
    variant(folder, "a.xlsx", [core, ("SEATS", 2000, "N", None, None)], volume=100)
    variant(folder, "b.xlsx", [core, ("SEATS", 6000, "N", None, None)], net_cost=20000, volume=1000)
    done, doc = average(cli, folder, "--category", "model-line-plant")
    rvc = requirement(doc["groups"][0], "vehicle-rvc")
    assert rvc["status"] == "fail"
    assert close(rvc["value"], (D(21_000_000) - D(6_200_000)) * 100 / D(21_000_000))


def test_a_variant_that_passes_alone_fails_averaged(cli: Any, tmp_path: Path) -> None:
    """A passes alone (VNM 2,400 of 10,000: 76%), B at 60% (VNM 4,000) with 3x the units:
    (40,000 - (2,400 + 3 x 4,000) / 4 ...) = (40,000 x 100 ... ): sum NC 4,000,000 (100 + 300
    units), sum VNM 240,000 + 1,200,000 = 1,440,000 -> 64.0%: A's vehicles do not originate on
    the average the producer elected."""
    folder = tmp_path / "v"
    variant(folder, "a.xlsx", [("ENG", 3000, "Y", "engine", None), ("S", 2400, "N", None, None)])
    variant(folder, "b.xlsx", [("ENG", 3000, "Y", "engine", None), ("S", 4000, "N", None, None)],
            volume=300)  # fmt: skip
    done, doc = average(cli, folder, "--category", "class-plant")
    group = doc["groups"][0]
    assert D(requirement(group, "vehicle-rvc")["value"]) == 64
    assert group["verdict"] == "fail" and done.exit_code == 1
    own = {Path(v["input"]["path"]).name: v for v in group["variants"]}
    assert requirement(own["a.xlsx"], "vehicle-rvc")["status"] == "pass"


def test_core_part_average_rescues_over_the_period_and_changes_the_roll_up_rvc(
    cli: Any, tmp_path: Path
) -> None:
    """Engine blank with the supplier's RVC: 80% in A (1,000 units), 70% in B (100 units);
    B's engine fails 75 alone (and B's super-core is that engine: 70%, so B fails core parts).
    Over the period the engine category is (1,000 x 4,000 x 80 + 100 x 4,000 x 70) /
    (1,100 x 4,000) = 79.0909...% > 75: every engine originates (s. 14(12), 16(10)).
    VNM (seats N 1,000): A us-cbp 1,000 + 20% x 4,000 = 1,800, roll-up 1,000; B us-cbp 1,000 +
    1,200 = 2,200 both readings alone; once rescued, B roll-up 1,000 (us-cbp still 2,200).
    us-cbp: (11,000,000 - (1,800,000 + 220,000)) / 11,000,000 = 81.6363...%;
    roll-up: (11,000,000 - 1,100,000) / 11,000,000 = 90% (without the rescue 88.3636...%)."""
    folder = tmp_path / "v"
    seats = ("SEATS", 1000, "N", None, None)
    variant(folder, "a.xlsx", [("ENG", 4000, None, "engine", 80), seats], volume=1000)
    variant(folder, "b.xlsx", [("ENG", 4000, None, "engine", 70), seats], volume=100)
    done, doc = average(cli, folder, "--category", "model-line-plant")
    group = doc["groups"][0]
    core = requirement(group, "core-parts")
    assert core["status"] == "pass"
    assert close(core["details"]["categories"]["engine"]["value"], D(3_480_000_000) / 44_000_000)
    assert core["details"]["categories"]["engine"]["exceeds_threshold"] is True
    assert "only through the period's average" in core["message"]
    readings = group["readings"]
    assert D(readings["roll-up"]["vehicle_rvc"]) == 90
    assert close(readings["us-cbp"]["vehicle_rvc"], D(8_980_000) * 100 / D(11_000_000))
    own = {Path(v["input"]["path"]).name: v for v in group["variants"]}
    b = own["b.xlsx"]
    assert requirement(b, "core-parts")["status"] == "fail"  # alone: not originating
    assert D(b["vnm"]["roll-up"]) == 2200 and D(b["vnm_in_period"]["roll-up"]) == 1000
    assert b["evaluated_for_the_period"] is True


def test_a_period_that_rescues_one_category_of_two(cli: Any, tmp_path: Path) -> None:
    """A (100 units): engine 4,000 at 60%, steering 1,000 at 60%, seats N 1,000; its super-core
    60% fails. B (100 units): engine at 95%, steering at 60%, whose super-core (88%) makes both
    originate. Period: engine (60 + 95) / 2 = 77.5% > 75: every engine originates; steering 60%
    and the super-core (300,000 + 440,000) x 100 / 1,000,000 = 74% do not: A's steering fails.
    Roll-up VNM: A 400 + 1,000 = 1,400 once its engine originates (3,000 before), B 1,000:
    (2,000,000 - 240,000) / 2,000,000 = 88% (80% without the rescue). us-cbp keeps A's engine
    content: A 3,000, B 1,600: (2,000,000 - 460,000) / 2,000,000 = 77%."""
    folder = tmp_path / "v"
    seats = ("SEATS", 1000, "N", None, None)
    variant(folder, "a.xlsx", [("ENG", 4000, None, "engine", 60),
                               ("STEER", 1000, None, "steering", 60), seats])  # fmt: skip
    variant(folder, "b.xlsx", [("ENG", 4000, None, "engine", 95),
                               ("STEER", 1000, None, "steering", 60), seats])  # fmt: skip
    done, doc = average(cli, folder, "--category", "model-line-plant")
    group = doc["groups"][0]
    core = requirement(group, "core-parts")
    assert core["status"] == "fail"
    assert [
        (Path(g["path"]).name, g["part_number"]) for g in core["details"]["not_originating"]
    ] == [("a.xlsx", "STEER")]
    assert D(core["details"]["categories"]["engine"]["value"]) == D("77.5")
    assert D(core["details"]["super_core"]["value"]) == 74
    assert D(group["readings"]["roll-up"]["vehicle_rvc"]) == 88
    assert D(group["readings"]["us-cbp"]["vehicle_rvc"]) == 77
    a = next(v for v in group["variants"] if v["input"]["path"].endswith("a.xlsx"))
    assert a["evaluated_for_the_period"] is True and D(a["vnm_in_period"]["roll-up"]) == 1400


def test_super_core_passes_only_over_the_period(cli: Any, tmp_path: Path) -> None:
    """A: engine 4,000 at 60% and body 4,000 at 86% (super-core 73% < 75: fails alone; the
    engine fails, body passes alone at 86). B: engine 4,000 at 90%, body 4,000 at 90% (super-core
    90%), same volume. Period engine (60 + 90) / 2 = 75.0: does not exceed 75; body 88;
    super-core (60 + 86 + 90 + 90) / 4 = 81.5 > 75: every core part originates, A's engine too."""
    folder = tmp_path / "v"
    seats = ("SEATS", 500, "N", None, None)
    variant(folder, "a.xlsx", [("ENG", 4000, None, "engine", 60),
                               ("BODY", 4000, None, "body_chassis", 86), seats])  # fmt: skip
    variant(folder, "b.xlsx", [("ENG", 4000, None, "engine", 90),
                               ("BODY", 4000, None, "body_chassis", 90), seats])  # fmt: skip
    done, doc = average(cli, folder, "--category", "model-line-plant")
    core = requirement(doc["groups"][0], "core-parts")
    details = core["details"]
    assert D(details["categories"]["engine"]["value"]) == 75
    assert details["categories"]["engine"]["exceeds_threshold"] is False  # 75 does not exceed
    assert D(details["super_core"]["value"]) == D("81.5")
    assert details["super_core"]["exceeds_threshold"] is True and core["status"] == "pass"
    own = {Path(v["input"]["path"]).name: v for v in doc["groups"][0]["variants"]}
    assert requirement(own["a.xlsx"], "core-parts")["status"] == "fail"
    # without B the period is A alone: super-core 73 < 75, the engine still fails
    (folder / "b.xlsx").unlink()
    done, doc = average(cli, folder, "--category", "model-line-plant")
    core = requirement(doc["groups"][0], "core-parts")
    assert core["status"] == "fail"
    (gap,) = core["details"]["not_originating"]
    assert gap["part_number"] == "ENG" and gap["category"] == "engine"


def test_lvc_and_metals_by_category(cli: Any, tmp_path: Path) -> None:
    """LVC, net cost formula, NC 10,000: A high-wage material 2,000 + labor 1,000 (30 points,
    fails 25 + credits < 40), 300 units; B 5,000 + 1,000 (60 points), 100 units. Period
    (300 x 3,000 + 100 x 6,000) / (400 x 10,000) = 1,500,000 / 4,000,000 = 37.5 points; with
    a 5-point assembly credit in both, 42.5 >= 40 passes. Steel: A lists 600 of 1,000
    originating, B 900 of 1,000: summed, not weighted: 1,500 / 2,000 = 75% >= 70. Aluminum:
    the same list (the producer's) in both workbooks counts once: 300 / 400 = 75%."""
    folder = tmp_path / "v"
    lvc_head = ("category", "amount", "hourly_wage", "assembly_type", "annual_capacity")
    plant = ("assembly_plant", None, 30, "engine", 150000)
    metals_head = ("material", "value", "originating")
    aluminum = [("aluminum", 300, "Y"), ("aluminum", 100, "N")]
    lines = [("ENG", 3000, "Y", "engine", None), ("SEATS", 1000, "N", None, None)]
    variant(folder, "a.xlsx", lines, volume=300, sheets={
        "LVC": [lvc_head, ("material", 2000, 25, None, None), ("labor", 1000, 30, None, None),
                plant],
        "SteelAluminum": [metals_head, ("steel", 600, "Y"), ("steel", 400, "N"), *aluminum],
    })  # fmt: skip
    variant(folder, "b.xlsx", lines, volume=100, sheets={
        "LVC": [lvc_head, ("material", 5000, 25, None, None), ("labor", 1000, 30, None, None),
                plant],
        "SteelAluminum": [metals_head, ("steel", 900, "Y"), ("steel", 100, "N"), *aluminum],
    })  # fmt: skip
    done, doc = average(cli, folder, "--category", "model-line-plant")
    assert done.exit_code == 0, done.stdout
    group = doc["groups"][0]
    lvc = requirement(group, "lvc")
    assert D(lvc["details"]["material_and_manufacturing"]["value"]) == D("37.5")
    assert D(lvc["value"]) == D("42.5") and lvc["status"] == "pass"
    steel = requirement(group, "steel")
    assert D(steel["value"]) == 75 and D(steel["details"]["total_value"]) == 2000
    aluminum_result = requirement(group, "aluminum")
    assert D(aluminum_result["value"]) == 75 and D(aluminum_result["details"]["total_value"]) == 400
    assert [Path(p).name for p in aluminum_result["details"]["repeated_lists"]] == ["b.xlsx"]
    assert group["verdict"] == "pass" and doc["verdict"] == "pass"
    assert D(group["election"]["estimated_lvc"]) == D("42.5")


def test_a_model_line_of_two_classes_averages_the_lvc_by_class(cli: Any, tmp_path: Path) -> None:
    """s. 16(2): a passenger van and a cargo van (light truck) of one model line share the
    75% vehicle RVC: one average (PV 80%, 100 units; LT 70%, 100 units: 75%). Their LVC
    requirements differ (40 and 45), so each class's LVC is averaged apart."""
    folder = tmp_path / "v"
    lines = [("ENG", 3000, "Y", "engine", None), ("SEATS", 2000, "N", None, None)]
    lvc = {"LVC": [("category", "amount", "hourly_wage"), ("material", 5000, 30)]}
    variant(folder, "pv.xlsx", lines, sheets=lvc)
    variant(folder, "lt.xlsx", [("ENG", 3000, "Y", "engine", None),
                                ("SEATS", 3000, "N", None, None)],
            vehicle_class="light_truck", sheets=lvc)  # fmt: skip
    done, doc = average(cli, folder, "--category", "model-line")
    (group,) = doc["groups"]
    assert group["vehicle_classes"] == ["passenger_vehicle", "light_truck"]
    assert D(requirement(group, "vehicle-rvc")["value"]) == 75
    lvcs = [r for r in group["requirements"] if r["id"] == "lvc"]
    assert [D(r["threshold"]) for r in lvcs] == [40, 45]
    assert [r["message"].split(":")[0] for r in lvcs] == ["passenger_vehicle", "light_truck"]
    assert [r["status"] for r in lvcs] == ["pass", "pass"]  # 50 points each


# --- periods ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "fiscal", "cls", "kind", "citation"),
    [
        ("2024-01-01", "2024-12-31", "2024-01-01", "passenger_vehicle", "the producer's fiscal year", "s. 16(1)"),
        ("2020-07-01", "2021-06-30", None, "passenger_vehicle", "transitional period", "s. 16(5)(a)(i)"),
        ("2022-07-01", "2023-06-30", None, "light_truck", "transitional period", "s. 16(5)(a)(iii)"),
        ("2023-07-01", "2023-12-31", "2023-01-01", "passenger_vehicle", "transitional period to the end of the fiscal year", "s. 16(5)(a)(iv)"),
        ("2024-07-01", "2025-06-30", None, "heavy_truck", "transitional period", "s. 16(5)(b)(ii)"),
        ("2027-07-01", "2027-12-31", "2027-01-01", "heavy_truck", "transitional period to the end of the fiscal year", "s. 16(5)(b)(v)"),
        ("2020-07-01", "2021-12-31", "2021-01-01", "passenger_vehicle", "first period, to the end of the fiscal year beginning after July 1, 2020", "s. 16(4)"),
        ("2024-07-01", "2025-06-30", None, "passenger_vehicle", "", ""),
        ("2024-04-01", "2025-03-31", "2024-01-01", "passenger_vehicle", "", ""),
    ],
)  # fmt: skip
def test_periods_the_regulation_names(start, end, fiscal, cls, kind, citation) -> None:  # type: ignore[no-untyped-def]
    period = Period(date.fromisoformat(start), date.fromisoformat(end), "option",
                    date.fromisoformat(fiscal) if fiscal else None)  # fmt: skip
    assert classify(period, cls) == (kind, citation)


def test_fiscal_year_of_a_date() -> None:
    assert fiscal_year_of(date(2021, 1, 1), date(2021, 12, 31)) == (
        date(2021, 1, 1),
        date(2021, 12, 31),
    )
    assert fiscal_year_of(date(2020, 10, 1), date(2021, 9, 30)) == (
        date(2020, 10, 1),
        date(2021, 9, 30),
    )
    assert fiscal_year_of(date(2020, 10, 1), date(2021, 10, 1)) == (
        date(2021, 10, 1),
        date(2022, 9, 30),
    )


def _boundary(folder: Path, period: dict[str, Any], **fields: Any) -> None:
    """A heavy truck at 62% (NC 10,000, VNM 3,800) alone in its plant's class."""
    variant(folder, "t.xlsx", [("ENG", 3000, "Y", None, None), ("CAB", 3800, "N", None, None)],
            vehicle_class="heavy_truck", period=period, **fields)  # fmt: skip


def test_heavy_truck_yearly_periods_each_side_of_2024_07_01(cli: Any, tmp_path: Path) -> None:
    """Heavy trucks: 60% until 2024-06-30, 64% from 2024-07-01 (s. 13). 62% passes the yearly
    period 2023-07-01..2024-06-30 (s. 16(5)(b)(i)) and fails 2024-07-01..2025-06-30 ((b)(ii))."""
    before = {"period_start": "2023-07-01", "period_end": "2024-06-30"}
    _boundary(tmp_path / "a", before)
    _, doc = average(cli, tmp_path / "a", "--category", "class-plant")
    group = doc["groups"][0]
    rvc = requirement(group, "vehicle-rvc")
    assert (D(rvc["value"]), D(rvc["threshold"]), rvc["status"]) == (62, 60, "pass")
    assert group["period_citation"] == "s. 16(5)(b)(i)"
    assert not [r for r in group["requirements"] if r["id"] == "core-parts"]  # none for trucks
    _boundary(tmp_path / "b", {"period_start": "2024-07-01", "period_end": "2025-06-30"})
    _, doc = average(cli, tmp_path / "b", "--category", "class-plant")
    rvc = requirement(doc["groups"][0], "vehicle-rvc")
    assert (D(rvc["threshold"]), rvc["status"]) == (64, "fail")
    assert doc["groups"][0]["period_citation"] == "s. 16(5)(b)(ii)"


def test_a_period_across_a_change_takes_its_last_day_and_says_so(cli: Any, tmp_path: Path) -> None:
    """A calendar fiscal year 2024 for a heavy truck straddles 2024-07-01 (60% -> 64%): the
    last day's threshold (64, the stricter) applies, and the message names the change and the
    earlier stage (62% meets the 60% of 2024-01-01..2024-06-30). The truck's own report is on
    its as_of 2024-03-01: 60%, pass."""
    _boundary(tmp_path / "v", FY24, as_of="2024-03-01")
    done, doc = average(cli, tmp_path / "v", "--category", "class-plant")
    group = doc["groups"][0]
    rvc = requirement(group, "vehicle-rvc")
    assert (D(rvc["threshold"]), rvc["status"]) == (64, "fail")
    assert "straddles a change (2024-07-01:" in rvc["message"]
    assert "60% -> 64%" in rvc["message"]
    assert "meets the 60% of 2024-01-01..2024-06-30" in rvc["message"]
    (own,) = group["variants"]
    assert own["as_of"] == "2024-03-01" and requirement(own, "vehicle-rvc")["status"] == "pass"
    assert own["evaluated_for_the_period"] is True  # again on 2024-12-31 for the average
    assert doc["period"]["thresholds_on"] == "2024-12-31"


def test_workbooks_outside_the_period_or_the_group_are_listed(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "v"
    lines = [("ENG", 3000, "Y", "engine", None), ("SEATS", 2000, "N", None, None)]
    variant(folder, "in.xlsx", lines)
    variant(folder, "before.xlsx", lines, period={"period_start": "2023-01-01",
                                                  "period_end": "2023-12-31"})  # fmt: skip
    variant(folder, "across.xlsx", lines, period={"period_start": "2024-07-01",
                                                  "period_end": "2025-06-30"})  # fmt: skip
    variant(folder, "windsor.xlsx", lines, plant="Windsor")
    done, doc = average(cli, folder, "--category", "class-plant", "--period",
                        "2024-01-01..2024-12-31", "--plant", "oshawa")  # fmt: skip
    assert [Path(v["input"]["path"]).name for g in doc["groups"] for v in g["variants"]] == [
        "in.xlsx"
    ]
    reasons = {Path(e["path"]).name: e["reason"] for e in doc["excluded"]}
    assert reasons["before.xlsx"].startswith("outside the period 2024-01-01..2024-12-31")
    assert reasons["across.xlsx"].startswith("partly outside the period")
    assert reasons["windsor.xlsx"] == (
        "not in the category asked for: plant is 'Windsor', not 'oshawa'"
    )
    table = cli("average", folder, "--category", "class-plant", "--period",
                "2024-01-01..2024-12-31", "-j", "1").stdout  # fmt: skip
    assert "Left out (2)" in table and "before.xlsx" in table
    assert "Group 2 of 2" in table  # Windsor is its own group without --plant


def test_exported_only_weighs_the_exported_units(cli: Any, tmp_path: Path) -> None:
    """A 80% (VNM 2,000), 1,000 made, 100 exported; B 70% (VNM 3,000), 100 made, 100 exported.
    Exported: (2,000,000 - 500,000) /
    2,000,000 = 75% exactly: passes (not less than). C exported none: listed, not averaged."""
    folder = tmp_path / "v"
    eng = ("ENG", 3000, "Y", "engine", None)
    variant(folder, "a.xlsx", [eng, ("S", 2000, "N", None, None)], volume=1000, volume_exported=100)
    variant(folder, "b.xlsx", [eng, ("S", 3000, "N", None, None)], volume=100, volume_exported=100)
    variant(folder, "c.xlsx", [eng, ("S", 9000, "N", None, None)], volume=50, volume_exported=0)
    _, doc = average(cli, folder, "--category", "model-line-plant", "--exported-only")
    rvc = requirement(doc["groups"][0], "vehicle-rvc")
    assert D(rvc["value"]) == 75 and rvc["status"] == "pass"
    assert doc["basis"] == "exported"
    assert [Path(e["path"]).name for e in doc["excluded"]] == ["c.xlsx"]
    _, doc = average(cli, folder, "--category", "model-line-plant")
    # c.xlsx counts with its 50 units when all production is averaged: NC 10,000,000 +
    # 1,000,000 + 500,000; VNM 2,000,000 + 300,000 + 450,000
    expected = (D(11_500_000) - D(2_750_000)) * 100 / D(11_500_000)
    assert close(requirement(doc["groups"][0], "vehicle-rvc")["value"], expected)


# --- bad input ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "where", "found"),
    [
        ({"volume": None}, "sheet 'Vehicle'", "volume is missing (rvc average needs it)"),
        ({"volume": 0}, "Vehicle!B", "volume is 0"),
        ({"volume": "12.5"}, "Vehicle!B", "volume is 12.50"),
        ({"volume": -3}, "Vehicle!B", "volume is -3"),
        ({"country": "DE"}, "Vehicle!B", "country is 'DE'"),
        ({"country": None}, "sheet 'Vehicle'", "country is missing"),
        ({"plant": None}, "sheet 'Vehicle'", "plant is missing"),
        ({"period_end": "2023-12-31"}, "Vehicle!B", "period_end is 2023-12-31, before period_start"),
        ({"period_start": "2024-13-01"}, "Vehicle!B", "period_start is '2024-13-01', not a real date"),
        ({"volume_exported": 200}, "Vehicle!B", "volume_exported is 200, more than the volume produced (100)"),
    ],
)  # fmt: skip
def test_bad_period_fields_are_located_errors(
    cli: Any, tmp_path: Path, fields, where, found
) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "v"
    good = variant(folder, "good.xlsx", [("ENG", 3000, "Y", "engine", None)])
    bad = variant(folder, "bad.xlsx", [("ENG", 3000, "Y", "engine", None)], **fields)
    done, doc = average(cli, folder, "--category", "model-line-plant")
    assert done.exit_code == 2
    assert done.stderr.startswith(f"rvc: error: {bad}: ")
    assert "Traceback" not in done.stderr and str(good) not in done.stderr
    error = doc["error"]
    assert error["file"] == str(bad) and where in error["where"]
    assert error["found"].startswith(found)
    assert error["expected"]
    assert "groups" not in doc
    # rvc check ignores the period fields: the same workbook checks as without them
    assert cli("check", bad, "-f", "json").exit_code in (0, 1)


def test_exported_only_needs_volume_exported(cli: Any, tmp_path: Path) -> None:
    path = variant(tmp_path / "v", "a.xlsx", [("ENG", 3000, "Y", "engine", None)])
    done, doc = average(cli, tmp_path / "v", "--category", "class", "--exported-only")
    assert done.exit_code == 2
    assert doc["error"]["found"] == "volume_exported is missing (rvc average needs it)"
    assert doc["error"]["file"] == str(path)


def test_every_bad_workbook_is_reported_and_nothing_is_averaged(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "v"
    variant(folder, "a.xlsx", [("ENG", 3000, "Y", "engine", None)], volume=None)
    variant(folder, "b.xlsx", [("ENG", -1, "Y", "engine", None)])
    variant(folder, "c.xlsx", [("ENG", 3000, "Y", "engine", None)])
    done, doc = average(cli, folder, "--category", "class")
    assert done.exit_code == 2
    lines = done.stderr.splitlines()
    assert len(lines) == 2 and all(line.startswith("rvc: error: ") for line in lines)
    assert [Path(e["file"]).name for e in doc["errors"]] == ["a.xlsx", "b.xlsx"]
    assert doc["error"] == doc["errors"][0]


def test_workbooks_in_two_currencies_are_refused(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "v"
    variant(folder, "a.xlsx", [("ENG", 3000, "Y", "engine", None)])
    variant(folder, "b.xlsx", [("ENG", 3000, "Y", "engine", None)], currency="CAD")
    done, doc = average(cli, folder, "--category", "class")
    assert done.exit_code == 2
    assert doc["error"]["found"] == f"currency is CAD but {folder / 'a.xlsx'} is in USD"
    assert doc["error"]["file"] == str(folder / "b.xlsx")
    assert doc["error"]["where"].startswith("Vehicle!B")


def test_a_workbook_without_a_period_is_placed_by_its_as_of(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "v"
    lines = [("ENG", 3000, "Y", "engine", None)]
    variant(folder, "in.xlsx", lines, period={}, as_of="2024-05-01")
    variant(folder, "out.xlsx", lines, period={}, as_of="2023-05-01")
    variant(folder, "undated.xlsx", lines, period={})
    _, doc = average(cli, folder, "--category", "class", "--period", "2024-01-01..2024-12-31")
    assert [Path(e["path"]).name for e in doc["excluded"]] == ["out.xlsx"]
    assert doc["excluded"][0]["reason"].endswith("its as_of is 2023-05-01 (it gives no "
                                                 "period_start and period_end)")  # fmt: skip
    (group,) = doc["groups"]
    notes = [n for n in group["notes"] if n["code"] == "no-period-in-workbook"]
    assert [Path(n["where"]).name for n in notes] == ["in.xlsx", "undated.xlsx"]
    undated = next(v for v in group["variants"] if v["input"]["path"].endswith("undated.xlsx"))
    assert undated["as_of"] == "2024-12-31"  # no as_of: the period's last day, never today


def test_github_format_writes_the_job_summary(cli: Any, tmp_path: Path) -> None:
    variant(tmp_path / "v", "a.xlsx", [("ENG", 3000, "Y", "engine", None)])
    summary = tmp_path / "summary.md"
    done = cli("average", tmp_path / "v", "--category", "class", "-f", "github", "-j", "1",
               env={"GITHUB_STEP_SUMMARY": str(summary)})  # fmt: skip
    assert done.stdout.startswith("::") and "::error title=rvc average" in done.stdout
    assert summary.read_text().startswith("## ⚠️ rvc average: INCOMPLETE")


def test_different_periods_need_period_option(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "v"
    variant(folder, "a.xlsx", [("ENG", 3000, "Y", "engine", None)])
    variant(folder, "b.xlsx", [("ENG", 3000, "Y", "engine", None)],
            period={"period_start": "2024-01-01", "period_end": "2024-06-30"})  # fmt: skip
    done, doc = average(cli, folder, "--category", "class")
    assert done.exit_code == 2
    assert "--period FROM..TO" in doc["error"]["expected"]
    # with --period, the half-year workbook is inside the year: both are averaged
    done, doc = average(cli, folder, "--category", "class", "--period", "2024-01-01..2024-12-31")
    assert len(doc["groups"][0]["variants"]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--period", "2024-01-01"], "rvc: error: --period: is '2024-01-01'; expected FROM..TO"),
        (["--period", "2024-12-31..2024-01-01"], "rvc: error: --period: ends (2024-01-01) before it starts"),
        (["--plant", "Oshawa"], "rvc: error: --plant: does not name a class group"),
        (["-o", "report.pdf"], "rvc: error: report.pdf: suffix '.pdf' names no average report format"),
    ],
)  # fmt: skip
def test_usage_errors(cli: Any, tmp_path: Path, args: list[str], message: str) -> None:
    variant(tmp_path / "v", "a.xlsx", [("ENG", 3000, "Y", "engine", None)])
    done = cli("average", tmp_path / "v", "--category", "class", *args)
    assert done.exit_code == 2
    assert done.stderr.startswith(message), done.stderr


def test_check_output_does_not_change_with_the_period_fields(cli: Any, tmp_path: Path) -> None:
    lines = [("ENG", 3000, "Y", "engine", None), ("SEATS", 2000, "N", None, None)]
    with_fields = variant(tmp_path / "a", "x.xlsx", lines, volume=0, country="Narnia",
                          period={"period_start": "nonsense"})  # fmt: skip
    without = variant(tmp_path / "b", "x.xlsx", lines, volume=None, country=None, plant="Oshawa",
                      period={})  # fmt: skip

    def document(path: Path) -> dict[str, Any]:
        done = cli("check", path, "-f", "json", "--as-of", "2024-06-01")
        data = json.loads(done.stdout)
        data.pop("input")
        data["notes"] = [n for n in data["notes"] if "x.xlsx" not in n["where"]]
        return data

    assert document(with_fields) == document(without)


def test_csv_vehicle_folders_are_variants(cli: Any, tmp_path: Path) -> None:
    folder = tmp_path / "v"
    for name, seats, units in (("a", 2000, 300), ("b", 3000, 100)):
        csv = folder / name
        csv.mkdir(parents=True)
        (csv / "Vehicle.csv").write_text(
            "field,value\nmodel_line,Aster\nvehicle_class,passenger_vehicle\nnet_cost,10000\n"
            f"plant,Oshawa\ncountry,Canada\nvolume,{units}\nperiod_start,2024-01-01\n"
            "period_end,2024-12-31\n"
        )
        (csv / "BOM.csv").write_text(
            f"part_number,unit_cost,originating,core_part\nENG,3000,Y,engine\nS,{seats},N,\n"
        )
    _, doc = average(cli, folder, "--category", "model-line-plant")
    # (4,000,000 - (600,000 + 300,000)) / 4,000,000 = 77.5%
    assert D(requirement(doc["groups"][0], "vehicle-rvc")["value"]) == D("77.5")
    assert doc["groups"][0]["key"]["country"] == "CA"
