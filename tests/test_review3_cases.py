"""Hand-computed cases of the third independent review (review3), run through the public CLI.

Each workbook is built here and `python -m rvc check` (or `diff`) runs in a subprocess; the
figures are compared with the arithmetic written next to each case, worked out from
workbook.md v1.1, report-json.md and SOR/2020-155 before the engine was read. Values are
compared with tolerance 1e-9 (money to the cent where the figure is money); statuses,
verdicts and exit codes exactly. review2's helpers `req` and `close` are reused.
"""

from __future__ import annotations

import datetime
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from tests.test_review2_cases import close, req

STEEL_OK = [
    {"material": "steel", "value": 800, "originating": "Y", "melted_and_poured": "Y"},
    {"material": "steel", "value": 200, "originating": "N"},
    {"material": "aluminum", "value": 800, "originating": "Y"},
    {"material": "aluminum", "value": 200, "originating": "N"},
]
ENGINE_OK = {"part_number": "ENG", "unit_cost": 1000, "originating": "Y", "core_part": "engine"}


def _sheet(book: Workbook, name: str, rows: list[dict[str, Any]]) -> None:
    sheet = book.create_sheet(name)
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    sheet.append(columns)
    for row in rows:
        sheet.append([row.get(c) for c in columns])


def build(
    path: Path,
    vehicle: dict[str, Any],
    bom: list[dict[str, Any]],
    lvc: list[dict[str, Any]] | None = None,
    fx: list[dict[str, Any]] | None = None,
) -> Path:
    """A workbook: Vehicle, BOM, SteelAluminum (80% / 80%), LVC and FX when given."""
    book = Workbook()
    sheet = book.active
    sheet.title = "Vehicle"
    sheet.append(["field", "value"])
    for field, value in vehicle.items():
        sheet.append([field, value])
    _sheet(book, "BOM", bom)
    _sheet(book, "SteelAluminum", STEEL_OK)
    if lvc is not None:
        _sheet(book, "LVC", lvc)
    if fx is not None:
        _sheet(book, "FX", fx)
    book.save(path)
    return path


def rvc(*args: str) -> tuple[int, dict[str, Any], str]:
    done = subprocess.run(
        [sys.executable, "-m", "rvc", *args], capture_output=True, text=True, check=False
    )
    return done.returncode, json.loads(done.stdout), done.stderr


def check(path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    code, report, _ = rvc("check", str(path), "--format", "json", *args)
    return code, report


def material(amount: Any, wage: Any, **kw: Any) -> dict[str, Any]:
    return {"category": "material", "amount": amount, "hourly_wage": wage, **kw}


def labor(amount: Any, wage: Any, **kw: Any) -> dict[str, Any]:
    return {"category": "labor", "amount": amount, "hourly_wage": wage, **kw}


def technology(amount: Any) -> dict[str, Any]:
    return {"category": "technology", "amount": amount}


def plant(kind: str, capacity: int, wage: Any, **kw: Any) -> dict[str, Any]:
    return {
        "category": "assembly_plant",
        "assembly_type": kind,
        "annual_capacity": capacity,
        "hourly_wage": wage,
        **kw,
    }


PV_2024 = {
    "model_line": "R3-LVC",
    "vehicle_class": "passenger_vehicle",
    "as_of": "2024-01-15",
    "net_cost": 30000,
    "production_wages_total": 30000,
}
ALL_Y = [ENGINE_OK, {"part_number": "Y1", "unit_cost": 29000, "originating": "Y"}]


def lvc_of(tmp_path: Path, lvc: list[dict[str, Any]], **vehicle: Any) -> tuple[int, Any]:
    code, report = check(build(tmp_path / "bom.xlsx", {**PV_2024, **vehicle}, ALL_Y, lvc))
    return code, req(report, "lvc")


# --- 1. LVC on its limits ---------------------------------------------------------------------


def test_lvc_exactly_40_from_thirds(tmp_path: Path) -> None:
    """Net cost 30000; material 3333.33 + 3333.33 + 3333.34 (each 11.1111...% of the net cost)
    plus labor 2000 at exactly US$16.00: (10000 + 2000) / 30000 = 40 points exactly. 2024: total
    40 and minimum 25 -> 40 >= 40 passes (s. 18(1)(d))."""
    rows = [material(3333.33, 20), material(3333.33, 20), material(3333.34, 20), labor(2000, 16)]
    code, lvc = lvc_of(tmp_path, rows)
    mm = lvc["details"]["material_and_manufacturing"]
    assert (mm["high_wage_material"], mm["high_wage_labor"]) == (10000, 2000)
    assert close(lvc["value"], 40) and close(mm["value"], 40)
    assert lvc["status"] == "pass" and code == 0


def test_lvc_credits_exactly_at_their_caps(tmp_path: Path) -> None:
    """Material 2500 x 3 = 7500 / 30000 = 25 points (the minimum, exactly). Technology 1000 x 3 /
    production wages 30000 = 10 points (the cap, exactly, from thirds of 3.333...). An engine
    plant of exactly 100,000 at exactly US$16.00: 5 points. 25 + 10 + 5 = 40 >= 40: pass."""
    rows = [material(2500, 20)] * 3 + [technology(1000)] * 3 + [plant("engine", 100000, 16)]
    code, lvc = lvc_of(tmp_path, rows)
    d = lvc["details"]
    assert close(d["material_and_manufacturing"]["value"], 25)
    assert close(d["technology"]["value"], 10) and close(d["technology"]["uncapped"], 10)
    assert close(d["assembly"]["value"], 5)
    assert close(lvc["value"], 40) and lvc["status"] == "pass" and code == 0


def test_lvc_credits_above_their_caps_are_capped(tmp_path: Path) -> None:
    """Technology 1200 x 3 / 30000 = 12 points -> capped at 10; two qualifying plants (engines
    100,000 at US$16; packs 25,000 at CA$20.88) -> still 5. 25 + 10 + 5 = 40: pass."""
    rows = [material(2500, 20)] * 3 + [technology(1200)] * 3
    rows += [
        plant("engine", 100000, 16),
        plant("advanced_battery", 25000, 20.88, wage_currency="CAD"),
    ]
    code, lvc = lvc_of(tmp_path, rows)
    d = lvc["details"]
    assert close(d["technology"]["uncapped"], 12) and close(d["technology"]["value"], 10)
    assert close(d["assembly"]["value"], 5)
    assert close(lvc["value"], 40) and lvc["status"] == "pass" and code == 0


def test_lvc_wages_on_and_just_below_each_threshold(tmp_path: Path) -> None:
    """High wage at US$16.00, CA$20.88, MXN 294.22 each in its own currency (s. 12):
    rows 2-4 (3000 each at 16.00 USD, 20.88 CAD, 294.22 MXN) count; rows 5-7 (1000 each at 15.99
    USD, 20.87 CAD, 294.21 MXN) do not; labor 3000 at 16.00 counts. (9000 + 3000) / 30000 = 40.
    Plants: 99,999 engines, 24,999 packs, 100,000 transmissions at 15.99: no assembly credit."""
    rows = [
        material(3000, 16.00),
        material(3000, 20.88, wage_currency="CAD"),
        material(3000, 294.22, wage_currency="MXN"),
        material(1000, 15.99),
        material(1000, 20.87, wage_currency="CAD"),
        material(1000, 294.21, wage_currency="MXN"),
        labor(3000, 16),
        plant("engine", 99999, 20),
        plant("advanced_battery", 24999, 20),
        plant("transmission", 100000, 15.99),
    ]
    code, lvc = lvc_of(tmp_path, rows)
    d = lvc["details"]
    assert d["material_and_manufacturing"]["high_wage_material"] == 9000
    assert d["material_and_manufacturing"]["high_wage_labor"] == 3000
    assert d["rows_below_high_wage"] == [5, 6, 7]
    assert d["assembly"]["value"] == 0
    assert close(lvc["value"], 40) and lvc["status"] == "pass" and code == 0


def test_lvc_annual_purchase_value_formula(tmp_path: Path) -> None:
    """APV formula, s. 18(6)(b): (APV + HWLC) / (TAPV + HWLC). TAPV 900000; high-wage material
    300000, low-wage material 100000 (out), high-wage labor 100000, low-wage labor 50000 (out of
    both numerator and denominator): 400000 / 1000000 = 40 points: pass."""
    rows = [material(300000, 20), material(100000, 10), labor(100000, 16), labor(50000, 15)]
    code, lvc = lvc_of(
        tmp_path, rows, lvc_formula="annual_purchase_value", total_annual_purchase_value=900000
    )
    mm = lvc["details"]["material_and_manufacturing"]
    assert mm["denominator"] == 1000000
    assert close(lvc["value"], 40) and lvc["status"] == "pass" and code == 0


# --- 2. s. 18(22): heavy trucks credit material-and-manufacturing points above 30 -------------


@pytest.mark.parametrize(
    ("as_of", "non_originating", "mm_amount", "plant_row", "want_points", "would_pass"),
    [
        # RVC 62 (< 64, >= 60), M&M 35, LVC 35 + 10 + 5 = 50 > 45: credit 5 -> 67 >= 64.
        ("2027-06-30", 3800, 3500, True, 5, True),
        # RVC exactly 60 ("not below 60%"), M&M 34: credit 4 -> 64 >= 64 exactly.
        ("2027-06-30", 4000, 3400, True, 4, True),
        # RVC 60, M&M 33: credit 3 -> 63 < 64: eligible, does not lift it.
        ("2027-06-30", 4000, 3300, True, 3, False),
        # LVC exactly 45 (35 + 10, no plant): not "higher than 45%": no option.
        ("2027-06-30", 3800, 3500, False, None, None),
        # RVC 59.99 < 60: no option.
        ("2027-06-30", 4001, 3500, True, None, None),
        # From 2027-07-01 the option has ended (threshold 70 now).
        ("2027-07-01", 3800, 3500, True, None, None),
    ],
)
def test_heavy_truck_excess_lvc_credit(
    tmp_path: Path,
    as_of: str,
    non_originating: int,
    mm_amount: int,
    plant_row: bool,
    want_points: int | None,
    would_pass: bool | None,
) -> None:
    """Heavy truck, net cost 10000, production wages 10000, technology 1000 -> 10 points."""
    vehicle = {
        "model_line": "R3-HT",
        "vehicle_class": "heavy_truck",
        "as_of": as_of,
        "net_cost": 10000,
        "production_wages_total": 10000,
    }
    bom = [
        {"part_number": "N1", "unit_cost": non_originating, "originating": "N"},
        {"part_number": "Y1", "unit_cost": 10000 - non_originating, "originating": "Y"},
    ]
    rows = [material(mm_amount, 20), technology(1000)]
    rows += [plant("engine", 20000, 20)] if plant_row else []
    code, report = check(build(tmp_path / "bom.xlsx", vehicle, bom, rows))
    rvc_req = req(report, "vehicle-rvc")
    assert close(rvc_req["value"], (10000 - non_originating) / 100)
    assert rvc_req["status"] == "fail" and code == 1  # never applied
    option = rvc_req["details"].get("lvc_credit_option")
    if want_points is None:
        assert option is None
        assert "18(22)" not in rvc_req["message"]
    else:
        assert option["eligible"] is True
        assert close(option["points"], want_points)
        assert option["would_pass"] is would_pass
    assert "core-parts" not in [r["id"] for r in report["requirements"]]


# --- 3. what it would take: exact amounts that, applied, pass exactly -------------------------


def test_what_it_would_take_amounts_are_exact(tmp_path: Path) -> None:
    """Net cost 30001 (so 75% of it is 22500.75), eighteen N lines of 500 = VNM 9000:
    RVC 21001 / 30001 = 70.000999966...% < 75. Allowed VNM 30001 / 4 = 7500.25: remove 1499.75,
    i.e. 4.99900003333... points. Largest first: N0, N1, N2 (1500 >= 1499.75), after each
    21501 / 30001, 22001 / 30001, 22501 / 30001 = 75.000833...% (passes).
    LVC: material 7000 / 30001 = 23.3325555...; technology 1500 / 30000 = 5 -> 28.3325555... <
    40. Applied by hand: M&M must reach 35 points = 0.35 x 30001 = 10500.35, so 3500.35 more;
    then (7000 + 3500.35) / 30001 x 100 = 35 exactly and 35 + 5 = 40 exactly: pass."""
    vehicle = {**PV_2024, "net_cost": 30001}
    bom = [{"part_number": f"N{i}", "unit_cost": 500, "originating": "N"} for i in range(18)]
    bom += [{"part_number": "Y1", "unit_cost": 21001, "originating": "Y"}]
    code, report = check(
        build(tmp_path / "bom.xlsx", vehicle, bom, [material(7000, 20), technology(1500)])
    )
    vr = req(report, "vehicle-rvc")
    assert close(vr["value"], 100 * 21001 / 30001)
    take = vr["what_it_would_take"]
    assert take["amount"] == 1499.75 and vr["margin_amount"] == -1499.75
    assert close(take["points"], 75 - 100 * 21001 / 30001)
    assert [s["part_number"] for s in take["steps"]] == ["N0", "N1", "N2"]
    after = [100 * 21501 / 30001, 100 * 22001 / 30001, 100 * 22501 / 30001]
    assert all(close(s["value_after"], a) for s, a in zip(take["steps"], after, strict=True))
    assert [s["passes"] for s in take["steps"]] == [False, False, True]
    lvc = req(report, "lvc")
    assert close(lvc["value"], 100 * 7000 / 30001 + 5)
    assert lvc["what_it_would_take"]["amount"] == 3500.35
    assert close(lvc["what_it_would_take"]["points"], 40 - 5 - 100 * 7000 / 30001)
    assert code == 1
    # Apply the LVC figure by hand: 3500.35 more high-wage material passes exactly at 40.
    path = build(tmp_path / "after.xlsx", vehicle, bom, [material(10500.35, 20), technology(1500)])
    lvc = req(check(path)[1], "lvc")
    assert close(lvc["value"], 40) and lvc["status"] == "pass"


# --- 4 and 5. A CAD workbook with an FX sheet, as xlsx and as a CSV folder ---------------------

FX_VEHICLE = {
    "model_line": "R3-CAD",
    "vehicle_class": "passenger_vehicle",
    "as_of": "2024-01-15",
    "net_cost": 40000,
    "currency": "CAD",
}
FX_BOM = [
    {"part_number": "ENG", "hs_code": "8407.34", "unit_cost": 1000, "currency": "USD",
     "core_part": "engine", "rvc_percent": 80},
    {"part_number": "N1", "unit_cost": 2000, "currency": "USD", "originating": "N"},
    {"part_number": "N2", "unit_cost": 80000, "currency": "MXN", "originating": "N"},
    {"part_number": "Y1", "unit_cost": 29950, "originating": "Y"},
]  # fmt: skip
FX_RATES = [
    {"currency": "USD", "rate": 1.30, "date": datetime.date(2023, 1, 1), "source": "a"},
    {"currency": "USD", "rate": 1.35, "date": datetime.date(2024, 1, 1), "source": "b"},
    {"currency": "USD", "rate": 1.40, "date": datetime.date(2024, 2, 1), "source": "c"},
    {"currency": "MXN", "rate": 0.075, "date": datetime.date(2023, 6, 1), "source": "d"},
]
FX_LVC = [
    material(10000, 20.88, wage_currency="CAD"),
    material(4000, 16.00, country="Canada"),
    labor(2000, 294.22, wage_currency="MXN"),
    material(1000, 15.99, currency="USD"),
    material(1000, 16, currency="USD"),
    material(2000, 294.21, currency="MXN"),
    material(20000, 294.22, currency="MXN"),
]


def _assert_fx_case(code: int, report: dict[str, Any]) -> None:
    """USD at 1.35 (the latest rate on or before 2024-01-15), MXN at 0.075, in CAD:
    ENG 1350 (own RVC 80 >= 75: originates; us-cbp brings 20% = 270), N1 2700, N2 6000, Y1
    29950; sum 40000. us-cbp VNM 270 + 2700 + 6000 = 8970 -> 77.575; roll-up 8700 -> 78.25.
    LVC (wages in their own currency, never converted; amounts converted): 10000 (CA$20.88) +
    4000 (US$16.00, Canada: compared with US$16, listed) + 1350 (USD 1000 at US$16) + 1500 (MXN
    20000 at MXN 294.22, wage read in the row's MXN) = 16850 material; labor 2000 at MXN 294.22;
    out: row 5 (US$15.99) and row 7 (MXN 294.21). 18850 / 40000 = 47.125."""
    vr = req(report, "vehicle-rvc")
    assert vr["details"]["vnm"] == 8970 and close(vr["value"], "77.575")
    assert close(report["readings"]["roll-up"]["vehicle_rvc"], "78.25")
    lvc = req(report, "lvc")
    mm = lvc["details"]["material_and_manufacturing"]
    assert (mm["high_wage_material"], mm["high_wage_labor"]) == (16850, 2000)
    assert lvc["details"]["rows_below_high_wage"] == [5, 7]
    assert close(lvc["value"], "47.125")
    rates = {(r["currency"], r["rate"]) for r in report["reconciliation"]["fx_rates"]}
    assert rates == {("USD", 1.35), ("MXN", 0.075)}
    assert report["verdict"] == "pass" and code == 0


def _csv(folder: Path, name: str, rows: list[list[str]]) -> None:
    text = "".join(";".join(row) + "\r\n" for row in rows)
    (folder / f"{name}.csv").write_text(text, encoding="utf-8-sig", newline="")


def test_fx_workbook_xlsx_and_csv_folder_agree(tmp_path: Path) -> None:
    """The same CAD case as .xlsx and as semicolon CSV files with a UTF-8 byte-order mark and
    text amounts ("$1,000.00", "29,950.00"): the same figures, field for field."""
    xlsx_code, xlsx = check(build(tmp_path / "bom.xlsx", FX_VEHICLE, FX_BOM, FX_LVC, FX_RATES))
    _assert_fx_case(xlsx_code, xlsx)
    folder = tmp_path / "csv"
    folder.mkdir()
    _csv(folder, "Vehicle", [["field", "value"], ["model_line", "R3-CAD"],
         ["vehicle_class", "passenger_vehicle"], ["as_of", "2024-01-15"],
         ["net_cost", "40,000.00"], ["currency", "CAD"]])  # fmt: skip
    _csv(folder, "BOM", [
        ["part_number", "hs_code", "unit_cost", "currency", "originating", "core_part", "rvc_percent"],
        ["ENG", "8407.34", "$1,000.00", "USD", "", "engine", "80"],
        ["N1", "", "$2,000.00", "USD", "N", "", ""],
        ["N2", "", "80,000", "MXN", "N", "", ""],
        ["Y1", "", "29,950.00", "", "Y", "", ""],
    ])  # fmt: skip
    _csv(folder, "FX", [["currency", "rate", "date", "source"],
         ["USD", "1.30", "2023-01-01", "a"], ["USD", "1.35", "2024-01-01", "b"],
         ["USD", "1.40", "2024-02-01", "c"], ["MXN", "0.075", "2023-06-01", "d"]])  # fmt: skip
    _csv(folder, "SteelAluminum", [["material", "value", "originating", "melted_and_poured"],
         ["steel", "800", "Y", "Y"], ["steel", "200", "N", ""],
         ["aluminum", "800", "Y", ""], ["aluminum", "200", "N", ""]])  # fmt: skip
    _csv(folder, "LVC", [
        ["category", "amount", "hourly_wage", "wage_currency", "country", "currency"],
        ["material", "10,000.00", "20.88", "CAD", "", ""],
        ["material", "4,000.00", "16.00", "", "Canada", ""],
        ["labor", "2,000.00", "294.22", "MXN", "", ""],
        ["material", "1,000.00", "15.99", "", "", "USD"],
        ["material", "1,000.00", "16", "", "", "USD"],
        ["material", "2,000.00", "294.21", "", "", "MXN"],
        ["material", "20,000.00", "294.22", "", "", "MXN"],
    ])  # fmt: skip
    csv_code, csv = check(folder)
    _assert_fx_case(csv_code, csv)
    for a, b in zip(xlsx["requirements"], csv["requirements"], strict=True):
        for key in ("status", "value", "details", "what_it_would_take", "drivers"):
            assert a.get(key) == b.get(key), (a["id"], key)
    assert xlsx["readings"] == csv["readings"]
    assert xlsx["reconciliation"] == csv["reconciliation"]


# --- 6. diff, the audit workbook, JUnit and SARIF ----------------------------------------------

DIFF_VEHICLE = {
    "model_line": "R3-DIFF",
    "vehicle_class": "passenger_vehicle",
    "as_of": "2024-01-15",
    "net_cost": 10000,
}
LVC_OK = [material(5000, 20)]


def _line(pn: str, cost: Any, orig: str | None = None, **kw: Any) -> dict[str, Any]:
    return {"part_number": pn, "quantity": kw.pop("qty", 1), "unit_cost": cost,
            "originating": orig, "core_part": kw.pop("core", None),
            "rvc_percent": kw.pop("rvc", None), **kw}  # fmt: skip


def test_diff_figures_by_hand(tmp_path: Path) -> None:
    """OLD: ENG 2000 (engine, rvc 80: originates, us-cbp brings 400), N1 N 1500, N2 N 2 x 250,
    Y1 Y 6000. us-cbp VNM 400 + 1500 + 500 = 2400 -> 76; roll-up 2000 -> 80; core-parts 80.
    NEW: ENG rvc 70 (< 75, alone in the super-core: not originating, brings 30% = 600 under
    both readings), N1 Y, N2 qty 3 (750), Y1 5350, N3 N 400 added. VNM 600 + 750 + 400 = 1750 ->
    82.5 under both readings; core-parts 70: fail; verdict pass -> fail, exit 1.
    Lines: N1 -1500 (re-sourced), ENG +200 (re-sourced), N2 +250 (re-priced), N3 +400 (added),
    Y1 0 (re-priced, value -650); sum -650 = 1750 - 2400."""
    old = [_line("ENG", 2000, core="engine", rvc=80), _line("N1", 1500, "N"),
           _line("N2", 250, "N", qty=2), _line("Y1", 6000, "Y")]  # fmt: skip
    new = [_line("ENG", 2000, core="engine", rvc=70), _line("N1", 1500, "Y"),
           _line("N2", 250, "N", qty=3), _line("Y1", 5350, "Y"), _line("N3", 400, "N")]  # fmt: skip
    a = build(tmp_path / "old.xlsx", DIFF_VEHICLE, old, LVC_OK)
    b = build(tmp_path / "new.xlsx", DIFF_VEHICLE, new, LVC_OK)
    code, diff, _ = rvc("diff", str(a), str(b), "-f", "json")
    assert code == 1 and diff["verdict"] == {"old": "pass", "new": "fail"}
    reqs = {r["id"]: r for r in diff["requirements"]}
    assert reqs["vehicle-rvc"]["value"] == {"old": 76, "new": 82.5}
    assert close(reqs["vehicle-rvc"]["delta_points"], "6.5")
    assert reqs["core-parts"]["value"] == {"old": 80, "new": 70}
    assert reqs["core-parts"]["status"] == {"old": "pass", "new": "fail"}
    assert diff["readings"]["roll-up"]["vehicle_rvc"] == {"old": 80, "new": 82.5}
    effect = {
        x["part_number"]: (x["kind"], x["value_in_vehicle_delta"], x["non_originating_delta"])
        for kind in ("added", "removed", "resourced", "repriced", "other")
        for x in diff["lines"][kind]
    }
    assert effect == {
        "N1": ("resourced", 0, -1500),
        "ENG": ("resourced", 0, 200),
        "N2": ("repriced", 250, 250),
        "N3": ("added", 400, 400),
        "Y1": ("repriced", -650, 0),
    }
    assert sum(e[2] for e in effect.values()) == 1750 - 2400


def test_audit_workbook_holds_the_json_figures(tmp_path: Path) -> None:
    """The audit workbook's "rvc's value" / "rvc's status" cells on Results are the JSON figures
    (fractions: 77.575% is 0.77575) for the CAD case; the formulas are checked by LibreOffice in
    the slow tests."""
    from openpyxl import load_workbook

    path = build(tmp_path / "bom.xlsx", FX_VEHICLE, FX_BOM, FX_LVC, FX_RATES)
    code, report = check(path, "-o", str(tmp_path / "audit.xlsx"))
    assert code == 0
    sheet = load_workbook(tmp_path / "audit.xlsx")["Results"]
    cells = {sheet.cell(r, 1).value: (sheet.cell(r, 6).value, sheet.cell(r, 7).value)
             for r in range(3, 13)}  # fmt: skip
    for r in report["requirements"]:
        value, status = cells[r["id"]]
        assert close(value, float(r["value"]) / 100) and status == r["status"].upper()
    assert close(cells["us-cbp"][0], "0.77575") and close(cells["roll-up"][0], "0.7825")
    assert cells["verdict"][1] == "PASS"


def test_junit_and_sarif_say_not_evaluated_once(tmp_path: Path) -> None:
    """A BOM without core parts: core-parts is not evaluated; its message already starts with
    "not evaluated:", and the JUnit failure message and the SARIF result text say it once."""
    path = build(tmp_path / "bom.xlsx", DIFF_VEHICLE,
                 [_line("N1", 2000, "N"), _line("Y1", 8000, "Y")], LVC_OK)  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "rvc", "check", str(path), "-f", "junit"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 1
    assert 'type="not_evaluated"' in done.stdout
    assert 'message="not evaluated: no core parts found' in done.stdout
    assert "not evaluated: not evaluated" not in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "rvc", "check", str(path), "-f", "sarif"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    results = json.loads(done.stdout)["runs"][0]["results"]
    [core] = [r for r in results if r["ruleId"] == "core-parts"]
    assert core["level"] == "error"
    assert core["message"]["text"].startswith("not evaluated: no core parts found")


def test_junit_and_sarif_prefix_a_message_that_lacks_it(tmp_path: Path) -> None:
    """Before 2020-07-01 every requirement is not evaluated with a message that does not start
    with "not evaluated:" ("no threshold in force on ..."): the prefix is still added."""
    path = build(tmp_path / "bom.xlsx", {**DIFF_VEHICLE, "as_of": "2020-01-01"},
                 [_line("Y1", 10000, "Y")], LVC_OK)  # fmt: skip
    done = subprocess.run(
        [sys.executable, "-m", "rvc", "check", str(path), "-f", "junit"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert 'message="not evaluated: no threshold in force on 2020-01-01' in done.stdout
    done = subprocess.run(
        [sys.executable, "-m", "rvc", "check", str(path), "-f", "sarif"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    texts = [r["message"]["text"] for r in json.loads(done.stdout)["runs"][0]["results"]]
    assert texts and all(t.startswith("not evaluated: no threshold in force") for t in texts)


# --- 7. Core parts inferred from ex codes; a core part inside a blank assembly -----------------


def test_core_part_inside_a_blank_assembly_rescued_by_the_super_core(tmp_path: Path) -> None:
    """No core_part column: ENG 8408.20 (components N 300 / Y 700: 70%), BAT 8507.80 (rvc 90; not
    8507.60, so in the averages), AXL 8708.50 (components N 600 / Y 1400: 70%) inside FRONT
    (8708.10, Table B, 70% in 2024; unit cost 2500, also f1 N 400). All three inferred.
    Super-core (1000 + 5000 + 2000 - 300 - 500 - 600) / 8000 = 82.5 >= 75: all originate.
    roll-up: AXL brings 0 into FRONT -> FRONT (2500 - 400) / 2500 = 84 >= 70 originates ->
    vehicle VNM 0 -> 100. us-cbp: AXL's 600 counts in FRONT too ("as they count in it") ->
    (2500 - 1000) / 2500 = 60 < 70: FRONT not originating, brings its own 1000 (AXL's 600 once,
    f1's 400); VNM 300 + 500 + 1000 = 1800 -> 91. Both pass."""
    vehicle = {**DIFF_VEHICLE, "net_cost": 20000}

    def b(pn: str, cost: int, orig: str | None = None, **kw: Any) -> dict[str, Any]:
        return {"part_number": pn, "parent": kw.get("parent"), "hs_code": kw.get("hs"),
                "unit_cost": cost, "originating": orig, "rvc_percent": kw.get("rvc")}  # fmt: skip

    bom = [
        b("ENG", 1000, hs="8408.20"), b("e1", 300, "N", parent="ENG"),
        b("e2", 700, "Y", parent="ENG"), b("BAT", 5000, hs="8507.80", rvc=90),
        b("FRONT", 2500, hs="8708.10"), b("AXL", 2000, parent="FRONT", hs="8708.50"),
        b("a1", 600, "N", parent="AXL"), b("a2", 1400, "Y", parent="AXL"),
        b("f1", 400, "N", parent="FRONT"), b("Y1", 11500, "Y"),
    ]  # fmt: skip
    code, report = check(build(tmp_path / "bom.xlsx", vehicle, bom, [material(10000, 20)]))
    core = req(report, "core-parts")
    assert close(core["details"]["super_core"]["value"], "82.5") and core["status"] == "pass"
    parts = {p["part_number"]: p for c in ("engine", "advanced_battery", "axle")
             for p in core["details"][c]["parts"]}  # fmt: skip
    assert all(p["inferred_from_hs"] and p["qualifies"] for p in parts.values())
    assert parts["BAT"]["own_product_specific_rule"] is False
    assert parts["AXL"]["originating_by"] == "super_core"
    vr = req(report, "vehicle-rvc")
    assert vr["details"]["vnm"] == 1800 and close(vr["value"], 91)
    assert close(report["readings"]["roll-up"]["vehicle_rvc"], 100)
    assert report["verdict"] == "pass" and code == 0


@pytest.mark.parametrize(("as_of", "vnm"), [("2027-06-30", 0), ("2027-07-01", 3600)])
def test_heavy_truck_engine_declared_y_around_2027_07_01(
    tmp_path: Path, as_of: str, vnm: int
) -> None:
    """Heavy truck, net cost 50000: ENG 8408.20 declared Y with components N 3600 / Y 6400 (own
    RVC 64), gear box 8708.40 blank with rvc 70, Y1 35000. s. 15(4) Table D: 64 until
    2027-06-30 (ENG 64 >= 64 originates: VNM 0 -> 100), 70 from 2027-07-01 (ENG 64 < 70: not
    originating although declared Y, its own content 3600 counts -> 92.8 >= 70; gear box 70 >=
    70 originates)."""
    vehicle = {"model_line": "R3-HT2", "vehicle_class": "heavy_truck", "as_of": as_of,
               "net_cost": 50000}  # fmt: skip
    bom = [
        {"part_number": "ENG", "hs_code": "8408.20", "unit_cost": 10000, "originating": "Y"},
        {"part_number": "e1", "parent": "ENG", "unit_cost": 3600, "originating": "N"},
        {"part_number": "e2", "parent": "ENG", "unit_cost": 6400, "originating": "Y"},
        {"part_number": "GB", "hs_code": "8708.40", "unit_cost": 5000, "rvc_percent": 70},
        {"part_number": "Y1", "unit_cost": 35000, "originating": "Y"},
    ]
    code, report = check(build(tmp_path / "bom.xlsx", vehicle, bom, [material(25000, 20)]))
    vr = req(report, "vehicle-rvc")
    assert vr["details"]["vnm"] == vnm and close(vr["value"], (50000 - vnm) / 500)
    assert report["readings"]["us-cbp"] == report["readings"]["roll-up"] or vnm == 0
    assert close(report["readings"]["roll-up"]["vehicle_rvc"], (50000 - vnm) / 500)
    assert report["verdict"] == "pass" and code == 0
