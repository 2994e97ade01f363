"""Core parts: each part's RVC from its evidence, categories, super-core, both readings."""

from __future__ import annotations

from decimal import Decimal

from rvc.results import Status
from tests.conftest import bom, div, line, result

CORE = [
    line("ENG", 5000, core_part="engine"),  # blank: RVC from components
    line("BLK", 1000, parent="ENG", originating=False),
    line("PST", 100, parent="ENG", quantity=4, originating=True),
    line("TRN", 3000, core_part="transmission", originating=True, rvc_percent=70),
    line("BODY", 4000, core_part="body_chassis", originating=True),
    line("AXL", 1000, core_part="axle", originating=False),
    line("OTHER", 2000, originating=False),
]


def test_each_core_part_rvc_from_its_evidence(run):
    details = result(run(bom(CORE, net_cost=30000)), "core-parts").details
    parts = {
        p["part_number"]: p
        for c in details.values()
        if "parts" in c and isinstance(c["parts"], list)
        for p in c["parts"]
    }
    assert parts["ENG"]["rvc"] == Decimal(80)  # (5,000 - 1,000) / 5,000
    assert parts["ENG"]["rvc_source"] == "components"
    assert parts["TRN"]["rvc"] == Decimal(70)
    assert parts["TRN"]["rvc_source"] == "rvc_percent"
    assert parts["BODY"]["rvc"] == Decimal(100)
    assert parts["BODY"]["rvc_source"] == "declared originating"
    assert parts["AXL"]["rvc"] == Decimal(0)
    assert parts["AXL"]["rvc_source"] == "declared non-originating"


def test_super_core_rescues_weak_parts(run):
    # ENG blank, components (5,000 - 1,000) / 5,000 = 80% >= 75: originating on its own;
    # TRN and BODY declared Y: originating; AXL declared N, RVC 0: not on its own, and its
    # category average 0 does not exceed 75. Super-core = (5,000x80 + 3,000x70 + 4,000x100 +
    # 1,000x0) / 13,000 = 77.6923...% >= 75 (s. 14(10)): every core part originates, AXL too.
    core = result(run(bom(CORE, net_cost=30000)), "core-parts")
    assert core.status is Status.PASS
    assert core.value == div(1010000, 13000)
    assert core.details["super_core"]["status"] == "pass"
    assert core.details["transmission"]["status"] == "pass"  # declared originating
    assert core.details["axle"]["status"] == "fail"  # the category's own test fails
    axle = core.details["axle"]["parts"][0]
    assert axle["qualifies"] is True and axle["originating_by"] == "super_core"
    assert core.details["engine"] == {
        **core.details["engine"],
        "value": Decimal(80),
        "status": "pass",
    }
    assert "AXL only through the super-core" in core.message


def test_super_core_failing_fails_the_requirement(run):
    lines = [*CORE[:5], line("AXL", 3000, core_part="axle", originating=False)]
    # (400,000 + 210,000 + 400,000 + 0) / 15,000 = 67.333...% < 75: AXL stays non-originating
    core = result(run(bom(lines, net_cost=30000)), "core-parts")
    assert core.status is Status.FAIL
    assert core.value == div(1010000, 15000)
    assert "AXL (axle)" in core.message and "super-core 67.33% < 75%" in core.message


def test_vehicle_rvc_under_each_reading(run):
    # U.S. reading (default): ENG's content 1,000 + TRN 30% of 3,000 = 900 + BODY 0 + AXL
    # (originating through the super-core, RVC 0) 1,000 + OTHER 2,000 = 4,900:
    # (30,000 - 4,900) / 30,000 = 83.666...%.
    # Roll-up: every core part originates, so only OTHER counts: 2,000 -> 93.333...%.
    cbp = result(run(bom(CORE, net_cost=30000)), "vehicle-rvc")
    roll = result(run(bom(CORE, net_cost=30000), reading="roll-up"), "vehicle-rvc")
    assert cbp.details["vnm"] == Decimal(4900)
    assert cbp.value == div(25100 * 100, 30000)
    assert roll.details["vnm"] == Decimal(2000)
    assert roll.value == div(28000 * 100, 30000)
    assert cbp.details["other_readings"] == {"roll-up": roll.value}
    assert roll.details["other_readings"] == {"us-cbp": cbp.value}
    assert [r.details["core_part_reading"] for r in (cbp, roll)] == ["us-cbp", "roll-up"]


def test_readings_outcome_names_both_verdicts(run):
    # net cost 18,000: U.S. (18,000 - 4,900) / 18,000 = 72.8% < 75 fails; roll-up
    # (18,000 - 2,000) / 18,000 = 88.9% passes: the verdict depends on the reading.
    report = run(bom(CORE, net_cost=18000))
    us, roll = report.reading("us-cbp"), report.reading("roll-up")
    assert us is not None and roll is not None
    assert us.vehicle_rvc == div(13100 * 100, 18000) and us.vehicle_rvc_status is Status.FAIL
    assert roll.vehicle_rvc == div(16000 * 100, 18000) and roll.vehicle_rvc_status is Status.PASS
    assert report.verdict_depends_on_reading
    assert us.verdict.value == "fail" and roll.verdict.value == "incomplete"  # no metals, LVC


def test_roll_up_reading_only_clears_originating_core_parts(run):
    # ENG blank, rvc_percent 100 >= 75: originating; AXL blank, rvc_percent 0: not, and the
    # super-core (4,000x100 + 4,000x0) / 8,000 = 50% < 75 does not rescue it. AXL is blank with
    # a known RVC, so only its content counts: 100% of 4,000 under both readings.
    lines = [
        line("ENG", 4000, core_part="engine", rvc_percent=100),
        line("AXL", 4000, core_part="axle", rvc_percent=0),
    ]
    roll = result(run(bom(lines, net_cost=20000), reading="roll-up"), "vehicle-rvc")
    cbp = result(run(bom(lines, net_cost=20000)), "vehicle-rvc")
    assert roll.details["vnm"] == Decimal(4000)
    assert cbp.details["vnm"] == Decimal(4000)  # ENG brings (100 - 100)% = 0


def test_ev_battery_follows_its_own_rule(run):
    lines = [
        line(
            "BAT",
            8000,
            core_part="advanced_battery",
            hs_code="850760",
            originating=True,
            rvc_percent=40,
        ),
        line("BODY", 2000, core_part="body_chassis", originating=True),
    ]
    report = run(bom(lines, net_cost=20000))
    core = result(report, "core-parts")
    assert core.details["advanced_battery"]["status"] == "pass"  # declared originating decides
    assert core.details["advanced_battery"]["parts"][0]["own_product_specific_rule"] is True
    # U.S. reading: the battery's own content 60% of 8,000 = 4,800; roll-up: 0
    assert result(report, "vehicle-rvc").details["vnm"] == Decimal(4800)
    lines[0] = line("BAT", 8000, core_part="advanced_battery", hs_code="850760", originating=False)
    core = result(run(bom(lines, net_cost=20000)), "core-parts")
    assert core.details["advanced_battery"]["status"] == "fail"
    # The battery is under its own rule, so it is left out of the super-core average:
    # (100 x 2,000) / 2,000 = 100% >= 75 covers BODY, but the battery stays non-originating.
    assert core.value == Decimal(100)
    assert core.details["super_core"]["status"] == "pass"
    assert core.details["super_core"]["parts"] == 1
    assert core.status is Status.FAIL
    assert (
        "BAT (advanced_battery) is non-originating under its own product-specific" in core.message
    )
    assert "which the averages do not cover" in core.message


def test_no_core_parts_is_not_evaluated(run):
    core = result(run(bom([line("A", 100, originating=True)])), "core-parts")
    assert core.status is Status.NOT_EVALUATED
    assert "no core parts" in core.message


def test_core_parts_inferred_from_hs_without_column(run):
    lines = [
        line("ENG", 5000, hs_code="840734", originating=True),
        line("BLOCK", 800, parent="ENG", hs_code="840991", originating=True),
    ]
    report = run(bom(lines, core_column=False))
    core = result(report, "core-parts")
    assert list(core.details) == ["engine", "super_core"]  # 8409.91 is a column-2 component
    assert [p["part_number"] for p in core.details["engine"]["parts"]] == ["ENG"]
    assert any("inferred core part 'engine' from HS 8407.34" in n for n in report.assumptions)


def test_nested_core_part_is_a_material_of_its_parent(run):
    lines = [
        line("ENG", 5000, core_part="engine", originating=True),
        line("TRN", 900, parent="ENG", core_part="transmission", originating=True),
    ]
    report = run(bom(lines))
    assert list(result(report, "core-parts").details) == ["engine", "super_core"]
    assert any("inside another core part" in n for n in report.assumptions)


def test_core_stage_boundary(run):
    lines = [line("ENG", 1000, core_part="engine", rvc_percent=73)]
    assert result(run(bom(lines), "2023-06-30"), "core-parts").status is Status.PASS  # 72
    assert result(run(bom(lines), "2023-07-01"), "core-parts").status is Status.FAIL  # 75


def test_heavy_truck_has_no_core_parts_requirement_and_decides_its_engine_at_table_d(run):
    # s. 15(4): ENG (blank, rvc_percent 65) originates only at the Table D threshold: 64 on
    # 2026-01-01 (originating, 0), 70 from 2027-07-01 (not: its content 35% of 20,000 = 7,000
    # counts). TRN rvc_percent 80 originates on both dates. AXL: no rule for trucks, declared Y.
    lines = [
        line("ENG", 20000, core_part="engine", rvc_percent=65),
        line("TRN", 9000, core_part="transmission", rvc_percent=80),
        line("AXL", 5000, core_part="axle", originating=True),
    ]
    now = run(bom(lines, vehicle_class="heavy_truck", net_cost=100000), "2026-01-01")
    assert "core-parts" not in [r.id for r in now.requirements]
    assert result(now, "vehicle-rvc").details["vnm"] == Decimal(0)
    assert any("'axle': heavy trucks have no core-parts requirement" in n for n in now.assumptions)
    later = run(bom(lines, vehicle_class="heavy_truck", net_cost=100000), "2027-07-01")
    rvc = result(later, "vehicle-rvc")
    assert rvc.details["vnm"] == Decimal(7000)
    assert rvc.value == Decimal(93)
    assert later.reading("roll-up").vehicle_rvc == Decimal(93)  # trucks always roll up
    # an imported engine (declared N) never fails a requirement the law does not have
    imported = [line("ENG", 20000, hs_code="840820", originating=False)]
    report = run(bom(imported, vehicle_class="heavy_truck", net_cost=100000), "2027-07-01")
    assert result(report, "vehicle-rvc").value == Decimal(80)
    assert result(report, "vehicle-rvc").status is Status.PASS


def test_blank_core_part_that_does_not_originate_counts_its_content(run):
    # ENG blank, components give (1,000 - 600) / 1,000 = 40% < 75, super-core 40% < 75: not
    # originating; its content is known, so only that counts (600), under both readings.
    lines = [
        line("ENG", 1000, core_part="engine"),
        line("P", 600, parent="ENG", originating=False),
    ]
    report = run(bom(lines, net_cost=10000))
    rvc = result(report, "vehicle-rvc")
    assert rvc.details["vnm"] == Decimal(600)
    assert rvc.details["other_readings"] == {"roll-up": Decimal(94)}
    assert rvc.drivers[0].part_number == "P"
    assert any(
        "ENG): origin left blank; its components give RVC 40.00% < 75%" in n
        for n in report.assumptions
    )


def test_declared_non_originating_core_part_counts_wholly_whatever_its_components(run):
    # BAT declared N with components worth 700 of 1,000: wholly non-originating (1,000) in the
    # vehicle; its own RVC for the core-part test still comes from its components (30%).
    lines = [
        line("BAT", 1000, core_part="advanced_battery", hs_code="850760", originating=False),
        line("CELLS", 700, parent="BAT", originating=False),
    ]
    report = run(bom(lines, net_cost=10000))
    assert result(report, "vehicle-rvc").details["vnm"] == Decimal(1000)
    part = result(report, "core-parts").details["advanced_battery"]["parts"][0]
    assert part["rvc"] == Decimal(30)


MODULE = [
    line("PT", 6000, hs_code="870899"),  # blank powertrain module, Table A.1 ex 8708.99 (75%)
    line("E1", 3000, parent="PT", core_part="engine", originating=True, rvc_percent=90),
    line("T1", 2000, parent="PT", core_part="transmission"),
    line("T1a", 600, parent="T1", originating=False),
    line("PTx", 500, parent="PT", originating=False),
]


def test_us_reading_carries_core_content_through_an_originating_module(run):
    # Core RVCs: E1 90% (declared Y), T1 (2,000 - 600) / 2,000 = 70% (blank); super-core
    # (3,000x90 + 2,000x70) / 5,000 = 82% >= 75, so T1 originates too.
    # U.S. reading: E1 brings 300, T1 600; PT's own RVC (6,000 - 300 - 600 - 500) / 6,000 =
    # 76.67% >= 75 (Table A.1 ex 8708.99): PT originates, PTx's 500 rolls up, but the core
    # parts' 900 still reaches the vehicle.
    report = run(bom(MODULE, net_cost=10000))
    rvc = result(report, "vehicle-rvc")
    assert rvc.details["vnm"] == Decimal(900)
    assert {d.part_number: d.amount for d in rvc.drivers} == {"T1a": 600, "E1": 300}
    assert any(
        "PT): counts as originating, but under the U.S. reading" in n for n in report.assumptions
    )
    # Roll-up: E1 and T1 count 0; PT's own RVC (6,000 - 500) / 6,000 = 91.7% >= 75: 0.
    roll = result(run(bom(MODULE, net_cost=10000), reading="roll-up"), "vehicle-rvc")
    assert roll.details["vnm"] == Decimal(0)


def test_declared_originating_core_parts_under_both_readings(run):
    # TRN declared Y with rvc_percent 60, AXL declared Y with 70: both originate by
    # declaration; roll-up counts nothing, the U.S. reading their content 400 + 300.
    lines = [
        line("TRN", 1000, core_part="transmission", originating=True, rvc_percent=60),
        line("AXL", 1000, core_part="axle", originating=True, rvc_percent=70),
    ]
    roll = result(run(bom(lines, net_cost=10000), reading="roll-up"), "vehicle-rvc")
    cbp = result(run(bom(lines, net_cost=10000)), "vehicle-rvc")
    assert roll.details["vnm"] == Decimal(0)
    assert cbp.details["vnm"] == Decimal(700)


def test_category_average_must_exceed_the_threshold(run):
    # Two axles, blank: A1 rvc_percent 80, A2 70 (fails alone). Category average
    # (1,000x80 + 1,000x70) / 2,000 = 75%: not above 75, so A2 is not rescued by its category;
    # ENG (RVC 50, 8,000) keeps the super-core at (80,000 + 70,000 + 400,000) / 10,000 = 55%.
    lines = [
        line("A1", 1000, core_part="axle", rvc_percent=80),
        line("A2", 1000, core_part="axle", rvc_percent=70),
        line("ENG", 8000, core_part="engine", rvc_percent=50),
    ]
    core = result(run(bom(lines, net_cost=20000)), "core-parts")
    assert core.details["axle"]["value"] == Decimal(75)
    assert core.details["axle"]["status"] == "fail"
    # one hundredth of a point more on A2: (80 + 70.01) / 2 = 75.005 > 75 rescues A2
    lines[1] = line("A2", 1000, core_part="axle", rvc_percent="70.01")
    core = result(run(bom(lines, net_cost=20000)), "core-parts")
    assert core.details["axle"]["status"] == "pass"
    assert core.details["axle"]["parts"][1]["originating_by"] == "category_average"


def test_super_core_exactly_at_the_threshold_passes(run):
    # (1,000x100 + 1,000x50) / 2,000 = 75% >= 75 (s. 14(10)): AXL (blank, 50) originates.
    lines = [
        line("ENG", 1000, core_part="engine", rvc_percent=100),
        line("AXL", 1000, core_part="axle", rvc_percent=50),
    ]
    core = result(run(bom(lines, net_cost=20000)), "core-parts")
    assert core.details["super_core"]["value"] == Decimal(75)
    assert core.status is Status.PASS
    # just under: 49.999 -> 74.9995% < 75 fails
    lines[1] = line("AXL", 1000, core_part="axle", rvc_percent="49.999")
    assert result(run(bom(lines, net_cost=20000)), "core-parts").status is Status.FAIL
