"""Hand-computed cases of the second independent review (review2), run through the public CLI.

Each workbook is built here, `python -m rvc check FILE --format json` runs in a subprocess, and
the figures are compared with the arithmetic written next to each case (from workbook.md v1.1,
report-json.md and SOR/2020-155; the engine was not read to compute them). Values are compared
with tolerance 1e-9; statuses, verdicts and exit codes exactly.

The first cases sit exactly on a threshold with figures whose RVCs are repeating decimals
(83.0213903743...%, 74.5003331112...%): an average of such RVCs, each rounded, can land a
hair's breadth off the exact value, and a ">=" or ">" against the threshold then gives the
wrong verdict.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

BOM_COLUMNS = (
    "part_number",
    "parent",
    "hs_code",
    "quantity",
    "unit_cost",
    "originating",
    "core_part",
    "rvc_percent",
)
STEEL_OK = [
    ("steel", 800, "Y", "Y"),
    ("steel", 200, "N", None),
    ("aluminum", 800, "Y", None),
    ("aluminum", 200, "N", None),
]


def line(pn: str, cost: Any, orig: str | None = None, **kw: Any) -> dict[str, Any]:
    return {"part_number": pn, "unit_cost": cost, "originating": orig, **kw}


def check(
    tmp_path: Path,
    vehicle: dict[str, Any],
    bom: list[dict[str, Any]],
    lvc: list[tuple[Any, ...]] | None = None,
    *args: str,
) -> tuple[int, dict[str, Any]]:
    book = Workbook()
    sheet = book.active
    sheet.title = "Vehicle"
    sheet.append(["field", "value"])
    for field, value in vehicle.items():
        sheet.append([field, value])
    sheet = book.create_sheet("BOM")
    sheet.append(list(BOM_COLUMNS))
    for row in bom:
        sheet.append([row.get(c) for c in BOM_COLUMNS])
    sheet = book.create_sheet("SteelAluminum")
    sheet.append(["material", "value", "originating", "melted_and_poured"])
    for metal in STEEL_OK:
        sheet.append(list(metal))
    sheet = book.create_sheet("LVC")
    sheet.append(["category", "amount", "hourly_wage"])
    for row in lvc or [("material", vehicle["net_cost"] / 2, 20)]:
        sheet.append(list(row))
    path = tmp_path / "bom.xlsx"
    book.save(path)
    done = subprocess.run(
        [sys.executable, "-m", "rvc", "check", str(path), "--format", "json", *args],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.returncode, json.loads(done.stdout)


def req(report: dict[str, Any], rid: str) -> dict[str, Any]:
    return next(r for r in report["requirements"] if r["id"] == rid)


def close(got: Any, want: Any) -> bool:
    return abs(Decimal(str(got)) - Decimal(str(want))) <= Decimal("1e-9")


def test_super_core_exactly_75_with_repeating_rvcs_passes(tmp_path: Path) -> None:
    """Super-core meets 75 exactly: s. 14(10) ">=" rescues the weak transmission.

    ENG 748 (components: N 127) -> RVC 621/748 = 83.0213903743...% >= 75, originates.
    TRN 12008 (components: N 3062) -> RVC 8946/12008 = 74.5003331112...% < 75 alone.
    Super-core: (748 + 12008 - 127 - 3062) / (748 + 12008) = 9567 / 12756 = 0.75 exactly -> 75
    >= 75: every core part originates; core-parts passes.
    Vehicle (net cost 20000; Y leaf 7244): us-cbp VNM 127 + 3062 = 3189 -> 84.055;
    roll-up: both core parts originate -> VNM 0 -> 100. Steel 80, aluminum 80, LVC 50: pass.
    """
    bom = [
        line("ENG", 748, core_part="engine", hs_code="8407.34"),
        line("e1", 127, "N", parent="ENG"),
        line("e2", 621, "Y", parent="ENG"),
        line("TRN", 12008, core_part="transmission", hs_code="8708.40"),
        line("t1", 3062, "N", parent="TRN"),
        line("t2", 8946, "Y", parent="TRN"),
        line("Y1", 7244, "Y"),
    ]
    vehicle = {
        "model_line": "R2-SUPER-CORE-75",
        "vehicle_class": "passenger_vehicle",
        "as_of": "2024-01-15",
        "net_cost": 20000,
    }
    code, report = check(tmp_path, vehicle, bom)
    core = req(report, "core-parts")
    assert core["details"]["super_core"]["status"] == "pass"
    assert close(core["details"]["super_core"]["value"], 75)
    assert core["status"] == "pass"
    assert core["details"]["transmission"]["parts"][0]["qualifies"] is True
    assert close(req(report, "vehicle-rvc")["value"], "84.055")
    assert close(report["readings"]["roll-up"]["vehicle_rvc"], 100)
    assert report["verdict"] == "pass"
    assert code == 0


def test_category_average_exactly_75_does_not_exceed(tmp_path: Path) -> None:
    """An engine category averaging exactly 75 does not *exceed* it (s. 14(12)): no rescue.

    E1 531 (components: N 165) -> 366/531 = 68.9265536723...% < 75.
    E2 11405 (components: N 2819) -> 8586/11405 = 75.2827707146...% >= 75, originates alone.
    Engine category: (531 + 11405 - 165 - 2819) / 11936 = 8952 / 11936 = 0.75 exactly -> not > 75.
    BODY 1000 declared Y, rvc_percent 50 (originating by its declaration; 50 in the averages).
    Super-core: (11936 + 1000 - 2984 - 500) / 12936 = 9452 / 12936 = 73.0674...% < 75: no rescue.
    E1 is not originating -> core-parts fails -> verdict fail, exit 1.
    Vehicle (net cost 20000, Y leaf 7064): us-cbp VNM 165 + 2819 + 500 = 3484 -> 82.58;
    roll-up: only E1's content 165 -> 99.175.
    """
    bom = [
        line("E1", 531, core_part="engine", hs_code="8407.34"),
        line("e11", 165, "N", parent="E1"),
        line("e12", 366, "Y", parent="E1"),
        line("E2", 11405, core_part="engine", hs_code="8407.34"),
        line("e21", 2819, "N", parent="E2"),
        line("e22", 8586, "Y", parent="E2"),
        line("BODY", 1000, "Y", core_part="body_chassis", hs_code="8707.10", rvc_percent=50),
        line("Y1", 7064, "Y"),
    ]
    vehicle = {
        "model_line": "R2-CATEGORY-75",
        "vehicle_class": "passenger_vehicle",
        "as_of": "2024-01-15",
        "net_cost": 20000,
    }
    code, report = check(tmp_path, vehicle, bom)
    core = req(report, "core-parts")
    engine = core["details"]["engine"]
    assert close(engine["value"], 75)
    assert engine["average_exceeds_threshold"] is False
    assert engine["status"] == "fail"
    assert close(core["details"]["super_core"]["value"], Decimal(9452 * 100) / 12936)
    assert core["status"] == "fail"
    assert close(req(report, "vehicle-rvc")["value"], "82.58")
    assert close(report["readings"]["roll-up"]["vehicle_rvc"], "99.175")
    assert report["verdict"] == "fail"
    assert code == 1


def test_vehicle_rvc_exactly_75_float_inexact_figures(tmp_path: Path) -> None:
    """Net cost 21846.32, VNM 5461.58: exactly 75 (binary floating point gives 74.999...).

    ENG declared Y leaf (brings 0, an assumption). LVC 10000 / 21846.32 = 45.7743% >= 40.
    """
    bom = [
        line("ENG", 1000, "Y", core_part="engine", hs_code="8407.34"),
        line("N1", 5461.58, "N"),
        line("Y1", 15384.74, "Y"),
    ]
    vehicle = {
        "model_line": "R2-EXACT-75",
        "vehicle_class": "passenger_vehicle",
        "as_of": "2023-07-01",
        "net_cost": 21846.32,
    }
    code, report = check(tmp_path, vehicle, bom, [("material", 10000, 20)])
    rvc = req(report, "vehicle-rvc")
    assert close(rvc["value"], 75) and rvc["status"] == "pass" and rvc["threshold"] == 75
    assert report["verdict"] == "pass" and code == 0


def test_table_c_assembly_exactly_65_originates(tmp_path: Path) -> None:
    """A blank 8481.80 assembly (Table C, 65 from 2023-07-01) at exactly 65 originates.

    ASM 20000.6, components N 7000.21 -> (20000.6 - 7000.21) / 20000.6 = 0.65 exactly -> 0.
    Vehicle net cost 100000: VNM = N1 20000 only -> 80.0. (Counted as 64.999...: 27000.21 -> 73.0,
    a fail.)
    """
    bom = [
        line("ENG", 1000, "Y", core_part="engine", hs_code="8407.34"),
        line("ASM", 20000.6, hs_code="8481.80"),
        line("a1", 7000.21, "N", parent="ASM"),
        line("a2", 13000.39, "Y", parent="ASM"),
        line("N1", 20000, "N"),
        line("Y1", 58999.4, "Y"),
    ]
    vehicle = {
        "model_line": "R2-TABLE-C-65",
        "vehicle_class": "passenger_vehicle",
        "as_of": "2024-01-15",
        "net_cost": 100000,
    }
    code, report = check(tmp_path, vehicle, bom)
    assert close(req(report, "vehicle-rvc")["value"], 80)
    assert report["verdict"] == "pass" and code == 0


@pytest.mark.parametrize(
    ("as_of", "vehicle_rvc", "roll_up", "core_status", "verdict"),
    [
        # 2022-06-30: vehicle 69, core 69, Table B 65, Table C 63. ENG 70 >= 69 originates (us-cbp
        # content 300); PB 66 >= 65 and PC 63.5 >= 63 originate. VNM 300 + 1800 = 2100 ->
        # 8900/110 = 80.909...; roll-up 1800 -> 83.636...; no core failure; no steel/LVC here
        # would be incomplete, but they are given: pass.
        ("2022-06-30", Decimal(8900) / 110, Decimal(9200) / 110, "pass", "pass"),
        # 2022-07-01: vehicle 72, core 72, Table B 67.5, Table C 64: ENG 70, PB 66, PC 63.5 all
        # below: 300 + 340 + 365 + 1800 = 2805 -> 74.5 under both readings; core-parts fails.
        ("2022-07-01", Decimal("74.5"), Decimal("74.5"), "fail", "fail"),
    ],
)
def test_stage_change_2022_07_01(
    tmp_path: Path,
    as_of: str,
    vehicle_rvc: Decimal,
    roll_up: Decimal,
    core_status: str,
    verdict: str,
) -> None:
    bom = [
        line("ENG", 1000, core_part="engine", hs_code="8407.34"),
        line("e1", 300, "N", parent="ENG"),
        line("e2", 700, "Y", parent="ENG"),
        line("PB", 1000, hs_code="8413.30"),
        line("b1", 340, "N", parent="PB"),
        line("b2", 660, "Y", parent="PB"),
        line("PC", 1000, hs_code="8481.80"),
        line("c1", 365, "N", parent="PC"),
        line("c2", 635, "Y", parent="PC"),
        line("N1", 1800, "N"),
        line("Y1", 6200, "Y"),
    ]
    vehicle = {
        "model_line": "R2-STAGE-2022",
        "vehicle_class": "passenger_vehicle",
        "net_cost": 11000,
    }
    code, report = check(tmp_path, vehicle, bom, None, "--as-of", as_of)
    assert close(req(report, "vehicle-rvc")["value"], vehicle_rvc)
    assert close(report["readings"]["roll-up"]["vehicle_rvc"], roll_up)
    assert req(report, "core-parts")["status"] == core_status
    assert report["verdict"] == verdict
    assert code == (0 if verdict == "pass" else 1)


def test_period_category_average_exactly_75_does_not_exceed(tmp_path: Path) -> None:
    """`rvc average`: the same BOM as one variant of a period (volume 1000). The engine
    category's average over the period is (8952 x 1000) / (11936 x 1000) = 75 exactly: it does
    not exceed 75 (s. 14(12)), so E1 (68.93) is not rescued; the super-core is 73.07 < 75:
    core-parts fails over the period, the group fails, exit 1.
    """
    bom = [
        line("E1", 531, core_part="engine", hs_code="8407.34"),
        line("e11", 165, "N", parent="E1"),
        line("e12", 366, "Y", parent="E1"),
        line("E2", 11405, core_part="engine", hs_code="8407.34"),
        line("e21", 2819, "N", parent="E2"),
        line("e22", 8586, "Y", parent="E2"),
        line("BODY", 1000, "Y", core_part="body_chassis", hs_code="8707.10", rvc_percent=50),
        line("Y1", 7064, "Y"),
    ]
    vehicle = {
        "model_line": "R2-PERIOD-75",
        "vehicle_class": "passenger_vehicle",
        "net_cost": 20000,
        "plant": "P1",
        "country": "US",
        "volume": 1000,
        "period_start": "2024-07-01",
        "period_end": "2025-06-30",
    }
    check(tmp_path, vehicle, bom)  # writes tmp_path / "bom.xlsx"
    done = subprocess.run(
        [sys.executable, "-m", "rvc", "average", str(tmp_path / "bom.xlsx")]
        + ["--category", "model-line-plant", "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    report = json.loads(done.stdout)
    core = req(report["groups"][0], "core-parts")
    engine = core["details"]["categories"]["engine"]
    assert close(engine["value"], 75)
    assert engine["exceeds_threshold"] is False
    assert core["details"]["originating_through_the_period"] == []
    assert core["status"] == "fail"
    assert report["verdict"] == "fail"
    assert done.returncode == 1


def test_c29b_non_originating_value_over_the_net_cost_fails_with_the_figure_as_computed(
    tmp_path: Path,
) -> None:
    """Net cost 1,000; one non-originating line of 1,500 (VNM 1,500 under both readings):
    RVC = (1000 - 1500) / 1000 x 100 = -50%. The figures contradict each other (the net cost
    includes every material), but the verdict does not depend on it: any RVC below 0 fails.
    rvc reports the formula's figure (as an independent calculator would) and notes the
    over-valued BOM, rather than refusing a workbook whose verdict is certain."""
    vehicle = {"model_line": "c29b", "vehicle_class": "passenger_vehicle", "net_cost": 1000}
    vehicle["as_of"] = "2026-01-01"
    code, doc = check(tmp_path, vehicle, [line("P1", 1500, "N")])
    assert code == 1
    rvc = req(doc, "vehicle-rvc")
    assert rvc["status"] == "fail"
    assert Decimal(str(rvc["value"])) == Decimal(-50)
    assert any("more than the net cost" in str(a) for a in doc["assumptions"])


def test_c29c_a_bom_over_the_net_cost_with_little_non_originating_value_is_noted_only(
    tmp_path: Path,
) -> None:
    """BOM worth 1,500 against a net cost of 1,000, but only 100 non-originating: RVC 90%
    (a pass), the over-valued BOM noted (bom-over-net-cost), not refused."""
    vehicle = {"model_line": "c29c", "vehicle_class": "passenger_vehicle", "net_cost": 1000}
    vehicle["as_of"] = "2026-01-01"
    code, doc = check(tmp_path, vehicle, [line("P1", 1400, "Y"), line("P2", 100, "N")])
    rvc = next(r for r in doc["requirements"] if r["id"] == "vehicle-rvc")
    assert Decimal(str(rvc["value"])) == Decimal(90)
    assert any("more than the net cost" in str(a) for a in doc["assumptions"])
    assert code in (0, 1)
