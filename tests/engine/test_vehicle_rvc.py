"""Vehicle RVC: hand-computed figures, stage boundaries, three-level roll-up, margins."""

from __future__ import annotations

from decimal import Decimal

import pytest

from rvc.results import Status, Verdict
from tests.conftest import D, bom, line, result

SIMPLE = [
    line("A", 2000, originating=True),
    line("B", 1500, originating=False),
    line("C", 500, quantity=3),  # blank leaf: unknown, counts 1,500 non-originating
]


def test_simple_rvc_hand_computed(run):
    # VNM = 1,500 (B) + 3 x 500 (C unknown) = 3,000; RVC = (10,000 - 3,000) / 10,000 = 70%
    report = run(bom(SIMPLE, net_cost=10000))
    rvc = result(report, "vehicle-rvc")
    assert rvc.value == Decimal(70)
    assert rvc.threshold == Decimal(75)
    assert rvc.status is Status.FAIL
    assert rvc.margin_points == Decimal(-5)
    # allowed VNM = 10,000 x 25% = 2,500; 500 too much
    assert rvc.margin_amount == Decimal(-500)
    assert rvc.details["vnm"] == Decimal(3000)
    assert "500.00 USD of non-originating content too much" in rvc.message


@pytest.mark.parametrize(
    ("on", "threshold", "status"),
    [
        ("2020-06-30", None, Status.NOT_EVALUATED),
        ("2020-07-01", 66, Status.PASS),
        ("2021-06-30", 66, Status.PASS),
        ("2021-07-01", 69, Status.PASS),
        ("2022-06-30", 69, Status.PASS),
        ("2022-07-01", 72, Status.PASS),
        ("2023-06-30", 72, Status.PASS),
        ("2023-07-01", 75, Status.FAIL),
        ("2023-07-02", 75, Status.FAIL),
        ("2030-01-01", 75, Status.FAIL),
    ],
)
def test_passenger_vehicle_stage_boundaries(run, on, threshold, status):
    # RVC = (10,000 - 2,700) / 10,000 = 73%: passes 72 (until 2023-06-30), fails 75 (from 2023-07-01)
    lines = [line("A", 2700, originating=False), line("B", 5000, originating=True)]
    rvc = result(run(bom(lines, net_cost=10000), on), "vehicle-rvc")
    assert rvc.status is status
    assert rvc.threshold == (None if threshold is None else Decimal(threshold))
    if threshold is not None:
        assert rvc.value == Decimal(73)


def test_not_in_force_before_2020_07_01(run):
    report = run(bom(SIMPLE), "2020-06-30")
    assert {r.status for r in report.requirements} == {Status.NOT_EVALUATED}
    assert report.verdict is Verdict.INCOMPLETE
    assert report.exit_code == 1
    rvc = result(report, "vehicle-rvc")
    assert "no threshold in force on 2020-06-30" in rvc.message
    assert "2020-07-01" in rvc.message


def test_exactly_at_threshold_passes(run):
    lines = [line("A", 2500, originating=False), line("B", 6000, originating=True)]
    rvc = result(run(bom(lines, net_cost=10000)), "vehicle-rvc")
    assert rvc.value == Decimal(75)
    assert rvc.status is Status.PASS
    assert rvc.margin_amount == Decimal(0)


def test_just_below_threshold_fails_and_message_shows_enough_digits(run):
    # VNM 2,500.01 of 10,000: RVC 74.9999% - must fail and must not print as 75.00%
    lines = [line("A", "2500.01", originating=False)]
    rvc = result(run(bom(lines, net_cost=10000)), "vehicle-rvc")
    assert rvc.status is Status.FAIL
    assert rvc.value == Decimal("74.9999")
    assert "74.9999%" in rvc.message


@pytest.mark.parametrize(
    ("on", "threshold", "status"),
    [
        ("2024-06-30", 60, Status.PASS),
        ("2024-07-01", 64, Status.PASS),
        ("2027-06-30", 64, Status.PASS),
        ("2027-07-01", 70, Status.FAIL),
        ("2027-07-02", 70, Status.FAIL),
    ],
)
def test_heavy_truck_stage_boundaries(run, on, threshold, status):
    # RVC = (100,000 - 33,000) / 100,000 = 67%
    lines = [line("A", 33000, originating=False), line("B", 40000, originating=True)]
    rvc = result(run(bom(lines, vehicle_class="heavy_truck", net_cost=100000), on), "vehicle-rvc")
    assert (rvc.value, rvc.threshold, rvc.status) == (Decimal(67), Decimal(threshold), status)


THREE_LEVELS = [
    line("M1", 6000),  # blank, no HS: no part threshold, its components are traced
    line("S1", 2000, parent="M1", originating=True),
    line("S1a", 1500, parent="S1", originating=False),  # hidden by S1's declaration
    line("S2", 1000, parent="M1", originating=False),
    line("S2a", 900, parent="S2", originating=True),  # hidden by S2's declaration
    line("S3", 1000, parent="M1", hs_code="870830"),  # Table B (70% from 2023-07-01)
    line("S3a", 200, parent="S3", originating=False),
    line("S3b", 500, parent="S3", originating=True),
    line("S4", 500, parent="M1", hs_code="870830"),
    line("S4a", 300, parent="S4", originating=False),
    line("L1", 100, parent="M1", quantity=2),  # unknown leaf
    line("T2", 3000, originating=False),
    line("T3", 4000, originating=True),
]


def test_three_level_roll_up_hand_computed(run):
    # S1 declared Y -> 0 whatever S1a; S2 declared N -> 1,000 whatever S2a;
    # S3 blank: own RVC (1,000 - 200) / 1,000 = 80% >= 70% (Table B) -> originating -> 0;
    # S4 blank: (500 - 300) / 500 = 40% < 70% -> non-originating, its content 300 counts;
    # L1 unknown: 2 x 100 = 200. M1 (no table) traces: 0 + 1,000 + 0 + 300 + 200 = 1,500.
    # VNM = 1,500 + 3,000 (T2) = 4,500; RVC = (20,000 - 4,500) / 20,000 = 77.5%.
    report = run(bom(THREE_LEVELS, net_cost=20000))
    rvc = result(report, "vehicle-rvc")
    assert rvc.details["vnm"] == Decimal(4500)
    assert rvc.value == Decimal("77.5")
    assert rvc.status is Status.PASS
    drivers = {d.part_number: d.amount for d in rvc.drivers}
    assert drivers == {"T2": 3000, "S2": 1000, "S4a": 300, "L1": 200}
    assert sum(drivers.values()) == rvc.details["vnm"]
    notes = " | ".join(report.assumptions)
    assert "S3" in notes and "80.00% >= 70%" in notes
    assert "S4" in notes and "40.00% < 70%" in notes
    assert "L1" in notes and "unknown origin" in notes
    assert "S1a" not in notes  # covered by a declared assembly: no assumption about it


def test_quantities_multiply_down_the_tree(run):
    # 2 x ASM, each with 3 x P (non-originating, 10 each) inside a traced assembly:
    # VNM = 2 x 3 x 10 = 60; RVC = (1,000 - 60) / 1,000 = 94%
    lines = [
        line("ASM", 100, quantity=2),
        line("P", 10, parent="ASM", quantity=3, originating=False),
    ]
    rvc = result(run(bom(lines, net_cost=1000)), "vehicle-rvc")
    assert rvc.details["vnm"] == Decimal(60)
    assert rvc.value == Decimal(94)
    assert rvc.drivers[0].amount == Decimal(60)


def test_blank_assembly_below_table_threshold_counts_only_its_content(run):
    # v1.1 (s. 7(5), 8(10)): a self-produced assembly that misses its threshold brings only
    # its non-originating inputs, 310, not its whole 1,000
    lines = [
        line("SEAT", 1000, hs_code="940120"),  # Table B 70% from 2023-07-01
        line("FRAME", 310, parent="SEAT", originating=False),  # RVC 69% -> not originating
    ]
    report = run(bom(lines, net_cost=10000))
    rvc = result(report, "vehicle-rvc")
    assert rvc.details["vnm"] == Decimal(310)
    assert any(
        "SEAT): origin left blank; its components give RVC 69.00% < 70%" in n and "310.00 USD" in n
        for n in report.assumptions
    )
    lines[1] = line("FRAME", 300, parent="SEAT", originating=False)  # RVC exactly 70% -> passes
    rvc = result(run(bom(lines, net_cost=10000)), "vehicle-rvc")
    assert rvc.details["vnm"] == Decimal(0)


def test_table_b_threshold_follows_its_own_stages(run):
    # Table B: 67.5% from 2022-07-01, 70% from 2023-07-01. Own RVC 69% passes, then fails.
    lines = [line("SEAT", 1000, hs_code="940120"), line("F", 310, parent="SEAT", originating=False)]
    before = result(run(bom(lines, net_cost=10000), "2023-06-30"), "vehicle-rvc")
    after = result(run(bom(lines, net_cost=10000), "2023-07-01"), "vehicle-rvc")
    assert before.details["vnm"] == Decimal(0)
    assert after.details["vnm"] == Decimal(310)


def test_blank_leaf_with_rvc_percent_is_decided_by_it(run):
    # v1.1: a supplier's RVC decides a blank leaf against its table: 8413.30 is Table B
    # (70% from 2023-07-01); 71 >= 70 -> originating, nothing counts
    report = run(bom([line("PUMP", 400, hs_code="841330", rvc_percent=71)]))
    assert result(report, "vehicle-rvc").details["vnm"] == Decimal(0)
    assert any("PUMP" in n and "rvc_percent gives RVC 71.00% >= 70%" in n for n in report.assumptions)
    # 65 < 70: not originating; accumulation counts its content, 35% of 400 = 140
    report = run(bom([line("PUMP", 400, hs_code="841330", rvc_percent=65)]))
    assert result(report, "vehicle-rvc").details["vnm"] == Decimal(140)
    assert any("PUMP" in n and "s. 9(2)" in n and "140.00" in n for n in report.assumptions)
    # no HS code: no threshold applies; its content counts all the same: 29% of 400 = 116
    report = run(bom([line("PUMP", 400, rvc_percent=71)]))
    assert result(report, "vehicle-rvc").details["vnm"] == Decimal(116)


def test_official_example_water_pump_72_percent():
    # SOR/2020-155 s. 4(4) Example 1: NC 1,000, VNM 280 -> RVC 72%
    from rvc.money import rvc

    assert rvc(D(1000), D(280)) == Decimal(72)
    assert round(rvc(D("2.85"), D("1.50")), 1) == Decimal("47.4")
    assert round(rvc(D("2.75"), D("0.75")), 1) == Decimal("72.7")
    assert round(rvc(D("2.85"), D("0.85")), 1) == Decimal("70.2")
    assert round(rvc(D("2.85"), D("1.15")), 1) == Decimal("59.6")
    assert rvc(D("3.00"), D("0.75")) == Decimal(75)
    assert round(rvc(D(88), D(40)), 1) == Decimal("54.5")


def test_heavy_truck_lvc_credit_is_reported_not_applied(run):
    from tests.conftest import lvc_row

    # RVC = (100,000 - 38,000) / 100,000 = 62% < 64% (2025) but >= 60%; M&M points
    # = (46,000 + 0) / 100,000 = 46, LVC 46 > 45 (the s. 18(22) precondition): the 16 points
    # above 30 could be credited: 62 + 16 = 78 >= 64.
    lines = [line("A", 38000, originating=False), line("B", 50000, originating=True)]
    rows = [lvc_row("material", 46000, 20)]
    report = run(bom(lines, vehicle_class="heavy_truck", net_cost=100000, lvc=rows), "2025-01-15")
    rvc = result(report, "vehicle-rvc")
    assert rvc.status is Status.FAIL
    credit = rvc.details["lvc_credit_option"]
    assert credit["points"] == Decimal(16)
    assert credit["would_pass"] is True
    assert "s. 18(22)" in rvc.message
    # LVC 45 exactly is not "higher than 45%": no option, no message
    rows = [lvc_row("material", 45000, 20)]
    at45 = result(
        run(bom(lines, vehicle_class="heavy_truck", net_cost=100000, lvc=rows), "2025-01-15"),
        "vehicle-rvc",
    )
    assert "lvc_credit_option" not in at45.details and "s. 18(22)" not in at45.message
    late = result(
        run(bom(lines, vehicle_class="heavy_truck", net_cost=100000, lvc=rows), "2027-07-01"),
        "vehicle-rvc",
    )
    assert "lvc_credit_option" not in late.details


def test_zero_vnm_has_no_drivers_and_passes(run):
    rvc = result(run(bom([line("A", 5000, originating=True)])), "vehicle-rvc")
    assert rvc.value == Decimal(100)
    assert rvc.drivers == ()
    assert rvc.status is Status.PASS


def test_traced_assembly_never_counts_more_than_its_own_value(run):
    # components worth 1,500 of non-originating value inside an assembly of 1,000: a data
    # error, flagged; the assembly counts at most its own 1,000
    lines = [line("ASM", 1000), line("P", 1500, parent="ASM", originating=False)]
    report = run(bom(lines, net_cost=10000))
    rvc = result(report, "vehicle-rvc")
    assert rvc.details["vnm"] == Decimal(1000)
    assert rvc.drivers[0].part_number == "ASM"
    assert any("more than its unit cost" in n for n in report.assumptions)
