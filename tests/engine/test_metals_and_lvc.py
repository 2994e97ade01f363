"""Steel, aluminum and LVC: hand-computed shares and points, boundaries, missing sheets."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rvc.results import Status, Verdict
from tests.conftest import bom, div, line, lvc_row, metal, result

PASSING_CORE = [line("ENG", 1000, core_part="engine", originating=True)]


def test_steel_exactly_70_percent_passes(run):
    metals = [metal("steel", 700, True), metal("steel", 300, False), metal("aluminum", 100, True)]
    report = run(bom(PASSING_CORE, metals=metals))
    steel = result(report, "steel")
    assert (steel.value, steel.threshold, steel.status) == (Decimal(70), Decimal(70), Status.PASS)
    assert result(report, "aluminum").value == Decimal(100)


def test_steel_just_below_70_fails_with_amount_needed(run):
    metals = [
        metal("steel", "699.99", True),
        metal("steel", "300.01", False),
        metal("aluminum", 1, True),
    ]
    steel = result(run(bom(PASSING_CORE, metals=metals)), "steel")
    assert steel.status is Status.FAIL
    assert steel.value == Decimal("69.999")
    assert (
        "0.01 USD of the non-originating steel purchases would have to be originating"
        in steel.message
    )


@pytest.mark.parametrize(
    ("on", "value", "status"),
    [("2027-06-30", Decimal(70), Status.PASS), ("2027-07-01", Decimal(50), Status.FAIL)],
)
def test_steel_melted_and_poured_from_2027_07_01(run, on, value, status):
    metals = [
        metal("steel", 500, True, True, row=2),
        metal("steel", 200, True, None, row=3),  # melt location not shown
        metal("steel", 300, False, row=4),
        metal("aluminum", 100, True, None, row=5),  # aluminum is unaffected
    ]
    report = run(bom(PASSING_CORE, metals=metals), on)
    steel = result(report, "steel")
    assert (steel.value, steel.status) == (value, status)
    assert result(report, "aluminum").value == Decimal(100)
    noted = any("rows 3" in n and "melted_and_poured blank" in n for n in report.assumptions)
    assert noted is (on == "2027-07-01")


def test_steel_melted_and_poured_n_counts_non_originating_from_2027(run):
    metals = [
        metal("steel", 800, True, False),
        metal("steel", 200, True, True),
        metal("aluminum", 1, True),
    ]
    assert result(run(bom(PASSING_CORE, metals=metals), "2027-07-01"), "steel").value == Decimal(20)


def test_missing_purchase_sheet_is_not_evaluated_never_passed(run):
    report = run(bom(PASSING_CORE, net_cost=1000))
    for rid in ("steel", "aluminum", "lvc"):
        r = result(report, rid)
        assert r.status is Status.NOT_EVALUATED
        assert "not evaluated" in r.message
    assert report.verdict is Verdict.INCOMPLETE
    assert report.exit_code == 1


def test_metal_with_no_purchases_listed_is_not_evaluated(run):
    report = run(bom(PASSING_CORE, metals=[metal("steel", 100, True)]))
    aluminum = result(report, "aluminum")
    assert aluminum.status is Status.NOT_EVALUATED
    assert "no Table S aluminum purchases" in aluminum.message


def test_hs_outside_table_s_is_left_out_of_both_shares(run):
    # s. 17(1) counts Table S purchases only: the 7318.15 bolts (400, non-originating) are
    # left out; 7208.51 plate (700 Y) and a row without hs_code (300 N) count:
    # 700 / 1,000 = 70% (with the bolts it would be 700 / 1,400 = 50%)
    metals = [
        metal("steel", 700, True, hs_code="720851", row=2),
        metal("steel", 300, False, row=3),
        metal("steel", 400, False, hs_code="731815", row=4),
        metal("aluminum", 1, True, row=5),
    ]
    report = run(bom(PASSING_CORE, metals=metals))
    steel = result(report, "steel")
    assert steel.value == Decimal(70) and steel.status is Status.PASS
    assert steel.details["total_value"] == Decimal(1000)
    assert steel.details["rows_outside_table_s"] == [4]
    assert any(
        "SteelAluminum row 4: HS 7318.15 is not in Table S for steel: left out" in n
        for n in report.assumptions
    )


def test_only_rows_outside_table_s_is_not_evaluated(run):
    metals = [metal("steel", 400, True, hs_code="731815"), metal("aluminum", 1, True)]
    steel = result(run(bom(PASSING_CORE, metals=metals)), "steel")
    assert steel.status is Status.NOT_EVALUATED
    assert "1 rows outside Table S left out" in steel.message


@pytest.mark.parametrize(
    ("wage", "currency", "points"),
    [
        ("20.88", "CAD", Decimal(40)),  # CA$20.88: high wage, 4,000 / 10,000 = 40 points
        ("20.87", "CAD", Decimal(0)),  # one cent short
        ("294.22", "MXN", Decimal(40)),
        ("294.21", "MXN", Decimal(0)),
        ("16.00", "USD", Decimal(40)),
        ("15.99", "USD", Decimal(0)),
        ("21.00", "USD", Decimal(40)),
    ],
)
def test_high_wage_compared_in_the_wage_currency_never_converted(run, wage, currency, points):
    rows = [lvc_row("material", 4000, wage, wage_currency=currency)]
    lvc = result(run(bom(PASSING_CORE, net_cost=10000, lvc=rows)), "lvc")
    assert lvc.details["material_and_manufacturing"]["value"] == points
    assert lvc.details["high_wage_per_hour"] == {
        "USD": Decimal("16.00"),
        "CAD": Decimal("20.88"),
        "MXN": Decimal("294.22"),
    }


def test_canadian_plant_with_a_usd_wage_is_an_assumption(run):
    rows = [lvc_row("material", 4000, "17.00", country="Canada", row=7)]
    report = run(bom(PASSING_CORE, net_cost=10000, lvc=rows))
    assert result(report, "lvc").details["material_and_manufacturing"]["value"] == Decimal(40)
    assert any(
        "LVC row 7: country Canada with a wage in USD" in n and "US$16.00" in n
        for n in report.assumptions
    )


LVC_NC = [
    lvc_row("labor", 1000, 20),
    lvc_row("material", 1800, "16.00"),  # exactly the high wage: counts
    lvc_row("material", 500, "15.99"),  # below: excluded
    lvc_row("technology", 30_000_000),
    lvc_row("assembly_plant", None, 18, assembly_type="engine", annual_capacity=100_000),
]


def test_lvc_net_cost_formula_hand_computed(run):
    # M&M = (1,000 + 1,800) / 10,000 x 100 = 28 points >= 25; technology 30M / 200M = 15 -> cap 10;
    # assembly 100,000-engine plant at 18/h -> 5. Total 43 >= 40.
    report = run(bom(PASSING_CORE, net_cost=10000, lvc=LVC_NC, production_wages_total=200_000_000))
    lvc = result(report, "lvc")
    assert lvc.value == Decimal(43)
    assert lvc.status is Status.PASS
    assert lvc.details["material_and_manufacturing"]["value"] == Decimal(28)
    assert lvc.details["material_and_manufacturing"]["minimum"] == Decimal(25)
    assert lvc.details["technology"] == {
        **lvc.details["technology"],
        "value": Decimal(10),
        "uncapped": Decimal(15),
        "cap": Decimal(10),
    }
    assert lvc.details["assembly"]["value"] == Decimal(5)
    assert lvc.details["rows_below_high_wage"] == [2]
    assert "capped from 15.00" in lvc.message


def test_lvc_assembly_capacity_one_short_gets_no_credit(run):
    rows = [
        *LVC_NC[:4],
        lvc_row("assembly_plant", None, 18, assembly_type="engine", annual_capacity=99_999),
    ]
    lvc = result(
        run(bom(PASSING_CORE, net_cost=10000, lvc=rows, production_wages_total=200_000_000)), "lvc"
    )
    assert lvc.value == Decimal(38)
    assert lvc.status is Status.FAIL


def test_lvc_low_wage_assembly_plant_gets_no_credit(run):
    rows = [
        *LVC_NC[:4],
        lvc_row("assembly_plant", None, "15.99", assembly_type="engine", annual_capacity=500_000),
    ]
    lvc = result(
        run(bom(PASSING_CORE, net_cost=10000, lvc=rows, production_wages_total=200_000_000)), "lvc"
    )
    assert lvc.details["assembly"]["value"] == Decimal(0)


def test_lvc_battery_plant_capacity_25000_for_passenger_vehicles(run):
    rows = [
        lvc_row("material", 2800, 20),
        lvc_row(
            "assembly_plant", None, 20, assembly_type="advanced_battery", annual_capacity=25_000
        ),
    ]
    lvc = result(run(bom(PASSING_CORE, net_cost=10000, lvc=rows)), "lvc")
    assert lvc.details["assembly"]["value"] == Decimal(5)


@pytest.mark.parametrize(("capacity", "credit"), [(19_999, 0), (20_000, 5)])
def test_heavy_truck_assembly_capacity_20000(run, capacity, credit):
    rows = [
        lvc_row("material", 40000, 20),
        lvc_row("assembly_plant", None, 20, assembly_type="transmission", annual_capacity=capacity),
    ]
    lvc = result(
        run(bom(PASSING_CORE, vehicle_class="heavy_truck", net_cost=100000, lvc=rows)), "lvc"
    )
    assert lvc.details["assembly"]["value"] == Decimal(credit)
    # M&M 40 points >= 30; total 40 or 45 against 45
    assert lvc.status is (Status.PASS if credit else Status.FAIL)


def test_lvc_annual_purchase_value_formula(run):
    # (APV 15M + labor 10M) / (TAPV 50M + labor 10M) x 100 = 41.666...% points;
    # light truck: minimum 30 met, total 41.67 < 45 fails; +5 technology points passes.
    rows = [lvc_row("labor", 10_000_000, 30), lvc_row("material", 15_000_000, 20)]
    common = {
        "vehicle_class": "light_truck",
        "lvc_formula": "annual_purchase_value",
        "total_annual_purchase_value": 50_000_000,
        "production_wages_total": 100_000_000,
    }
    lvc = result(run(bom(PASSING_CORE, lvc=rows, **common)), "lvc")
    assert lvc.details["material_and_manufacturing"]["value"] == div(2_500_000_000, 60_000_000)
    assert lvc.status is Status.FAIL
    lvc = result(
        run(bom(PASSING_CORE, lvc=[*rows, lvc_row("technology", 5_000_000)], **common)), "lvc"
    )
    assert lvc.details["technology"]["value"] == Decimal(5)
    assert lvc.status is Status.PASS


@pytest.mark.parametrize(
    ("on", "total", "minimum"),
    [
        ("2021-06-30", 30, 15),
        ("2021-07-01", 33, 18),
        ("2022-07-01", 36, 21),
        ("2023-06-30", 36, 21),
        ("2023-07-01", 40, 25),
    ],
)
def test_passenger_vehicle_lvc_stages(run, on, total, minimum):
    lvc = result(
        run(bom(PASSING_CORE, net_cost=10000, lvc=[lvc_row("material", 3800, 20)]), on), "lvc"
    )
    assert lvc.threshold == Decimal(total)
    assert lvc.details["material_and_manufacturing"]["minimum"] == Decimal(minimum)
    assert lvc.status is (Status.PASS if total <= 38 else Status.FAIL)


def test_light_truck_lvc_45_30(run):
    lvc = result(
        run(
            bom(
                PASSING_CORE,
                vehicle_class="light_truck",
                net_cost=10000,
                lvc=[lvc_row("material", 4400, 20)],
            )
        ),
        "lvc",
    )
    assert (lvc.value, lvc.threshold, lvc.status) == (Decimal(44), Decimal(45), Status.FAIL)
    assert lvc.details["material_and_manufacturing"]["minimum"] == Decimal(30)


def test_lvc_material_minimum_failing_is_named(run):
    lvc = result(run(bom(PASSING_CORE, net_cost=10000, lvc=[lvc_row("material", 2400, 20)])), "lvc")
    assert lvc.details["material_and_manufacturing"]["status"] == "fail"
    assert "minimum of 25 points is not met" in lvc.message
