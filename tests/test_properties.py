"""Property tests (hypothesis): random BOM trees always evaluate; corruptions always give a
located input error and never a traceback; switching a line to originating never lowers
the RVC; the order of rows never changes the result; the VNM is fully attributed to lines."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import get_args

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from rvc import schedule
from rvc.engine import evaluate
from rvc.errors import InputError
from rvc.model import BomLine
from rvc.readers import read_bom
from rvc.reporters.template import write_workbook
from rvc.results import READINGS
from rvc.rulepack import default_rules_dir, load_rule_pack
from rvc.rulepack.schema import CoreCategory
from tests.conftest import bom

PACK = load_rule_pack(default_rules_dir())
CORE = list(get_args(CoreCategory))
HS = [None, "870829", "870830", "940120", "854430", "840734", "850760", "731815"]
DAYS = st.dates(dt.date(2020, 7, 1), dt.date(2030, 12, 31))
money = st.decimals(min_value=0, max_value=20000, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def trees(draw, max_lines: int = 25) -> list[BomLine]:
    count = draw(st.integers(1, max_lines))
    lines = []
    cores_used = 0
    for i in range(count):
        parent = draw(st.one_of(st.none(), st.integers(0, i - 1))) if i else None
        core = None
        if parent is None and cores_used < 5 and draw(st.booleans()):
            core = draw(st.sampled_from(CORE))
            cores_used += 1
        lines.append(
            BomLine(
                row=i + 2,
                part_number=f"P{i}",
                unit_cost=draw(money),
                quantity=Decimal(draw(st.integers(1, 5))),
                parent=None if parent is None else f"P{parent}",
                hs_code=draw(st.sampled_from(HS)),
                originating=draw(st.sampled_from([True, False, None])),
                core_part=core,
                rvc_percent=draw(st.one_of(st.none(), st.decimals(0, 100, places=1))),
            )
        )
    return lines


def _rvc(lines, on, reading="us-cbp", vehicle_class="passenger_vehicle"):
    report = evaluate(
        bom(lines, net_cost=500000, vehicle_class=vehicle_class), PACK, on, reading=reading
    )
    return next(r for r in report.requirements if r.id == "vehicle-rvc"), report


CLASSES = st.sampled_from(["passenger_vehicle", "light_truck", "heavy_truck"])


@settings(max_examples=150, deadline=None)
@given(trees(), DAYS, st.sampled_from(READINGS), CLASSES)
def test_random_trees_always_evaluate_and_vnm_is_fully_attributed(lines, on, reading, cls):
    from rvc.engine.facts import gather
    from rvc.engine.rollup import vnm_of
    from rvc.engine.vehicle_rvc import attribute

    rvc, report = _rvc(lines, on, reading, cls)
    expected = {"vehicle-rvc", "core-parts", "steel", "aluminum", "lvc"}
    if cls == "heavy_truck":
        expected.discard("core-parts")  # s. 15 has no core-parts requirement
    assert {r.id for r in report.requirements} == expected
    bill = bom(lines, net_cost=500000, vehicle_class=cls)
    facts = gather(bill, PACK.at(on, cls), reading)
    counting = facts.counting(reading)
    pieces = attribute(facts.tree, counting, facts.core_lines)
    vnm = vnm_of(facts.tree, counting)
    assert sum((amount for _, amount, _ in pieces), Decimal(0)) == vnm
    assert rvc.details["vnm"] == vnm
    # every line brings between nothing and its whole value into its parent
    for i, item in enumerate(facts.tree.lines):
        assert Decimal(0) <= counting.n[i] <= item.unit_cost


@settings(max_examples=150, deadline=None)
@given(trees(), DAYS, CLASSES)
def test_roll_up_rvc_is_never_below_the_us_reading(lines, on, cls):
    report = evaluate(bom(lines, net_cost=500000, vehicle_class=cls), PACK, on)
    us, roll = report.reading("us-cbp"), report.reading("roll-up")
    assert us is not None and roll is not None
    if us.vehicle_rvc is not None:
        assert roll.vehicle_rvc >= us.vehicle_rvc
    if cls == "heavy_truck":
        assert roll.vehicle_rvc == us.vehicle_rvc  # heavy trucks always roll up


@settings(max_examples=150, deadline=None)
@given(trees(), DAYS)
def test_a_passing_super_core_makes_every_averaged_core_part_originating(lines, on):
    report = evaluate(bom(lines, net_cost=500000), PACK, on)
    core = next(r for r in report.requirements if r.id == "core-parts")
    if core.status.value == "not_evaluated" or core.details["super_core"]["status"] != "pass":
        return
    parts = [
        p
        for name, c in core.details.items()
        if name != "super_core"
        for p in c["parts"]
        if not p["own_product_specific_rule"]
    ]
    assert parts and all(p["qualifies"] for p in parts)


@settings(max_examples=150, deadline=None)
@given(trees(), DAYS, st.data(), st.sampled_from(READINGS))
def test_switching_a_line_to_originating_never_lowers_the_rvc(lines, on, data, reading):
    index = data.draw(st.integers(0, len(lines) - 1))
    before, _ = _rvc(lines, on, reading)
    changed = list(lines)
    line = changed[index]
    changed[index] = BomLine(
        **{**{f: getattr(line, f) for f in BomLine.__slots__}, "originating": True}
    )
    after, _ = _rvc(changed, on, reading)
    assert after.value >= before.value


@settings(max_examples=100, deadline=None)
@given(trees(), DAYS, st.randoms(use_true_random=False))
def test_row_order_never_changes_the_result(lines, on, rng):
    shuffled = list(lines)
    rng.shuffle(shuffled)
    first = evaluate(bom(lines), PACK, on)
    second = evaluate(
        bom([BomLine(**{**{f: getattr(x, f) for f in BomLine.__slots__}}) for x in shuffled]),
        PACK,
        on,
    )
    for a, b in zip(first.requirements, second.requirements, strict=True):
        assert (a.id, a.status, a.value, a.threshold) == (b.id, b.status, b.value, b.threshold)


@settings(max_examples=200, deadline=None)
@given(st.lists(DAYS, min_size=1, max_size=6, unique=True), DAYS)
def test_schedule_is_piecewise_constant(starts, day):
    from types import SimpleNamespace

    entries = [SimpleNamespace(from_=d, value=i) for i, d in enumerate(sorted(starts))]
    if day < entries[0].from_:
        with pytest.raises(Exception, match="not in force"):
            schedule.at(entries, day)
        return
    found = schedule.at(entries, day)
    assert found.from_ <= day
    assert all(not (found.from_ < e.from_ <= day) for e in entries)


# --- through the workbook reader -------------------------------------------------------

COLUMNS = (
    "part_number",
    "parent",
    "hs_code",
    "quantity",
    "unit_cost",
    "originating",
    "core_part",
    "rvc_percent",
)


def _rows(lines: list[BomLine]) -> list[list[object]]:
    word = {True: "Y", False: "N", None: None}
    return [
        [
            x.part_number,
            x.parent,
            x.hs_code,
            int(x.quantity),
            float(x.unit_cost),
            word[x.originating],
            x.core_part,
            None if x.rvc_percent is None else float(x.rvc_percent),
        ]
        for x in lines
    ]


CORRUPTIONS = {
    "negative cost": (4, -1.5),
    "text cost": (4, "twelve"),
    "comma decimal": (4, "12,5"),
    "zero quantity": (3, 0),
    "bad origin": (5, "perhaps"),
    "bad core part": (6, "wheel"),
    "percent over 100": (7, 150),
    "unsaved formula": (4, "=A1*2"),
    "excel error": (4, "#REF!"),
    "bad hs": (2, "87.0"),
    "missing parent": (1, "NOPE"),
    "blank part number": (0, None),
    "infinite": (4, "inf"),
}


def _write(tmp_path, rows):
    path = tmp_path / "bom.xlsx"
    vehicle = [
        ("field", "value"),
        ("model_line", "P"),
        ("vehicle_class", "passenger_vehicle"),
        ("net_cost", 500000),
    ]
    write_workbook(path, [("Vehicle", vehicle), ("BOM", [COLUMNS, *rows])])
    return path


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(trees(max_lines=12), DAYS)
def test_valid_workbooks_always_evaluate(tmp_path, lines, on):
    path = _write(tmp_path, _rows(lines))
    bill = read_bom(path, today=on)
    assert len(bill.lines) == len(lines)
    evaluate(bill, PACK, on)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(trees(max_lines=12), st.sampled_from(sorted(CORRUPTIONS)), st.data())
def test_corrupt_workbooks_give_a_located_error_never_a_traceback(
    tmp_path, lines, corruption, data
):
    rows = _rows(lines)
    column, value = CORRUPTIONS[corruption]
    row = data.draw(st.integers(0, len(rows) - 1))
    rows[row][column] = value
    path = _write(tmp_path, rows)
    with pytest.raises(InputError) as caught:
        read_bom(path, today=dt.date(2025, 1, 1))
    message = str(caught.value)
    assert f"{path}: BOM!" in message, message
    assert "expected" in message


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(trees(max_lines=12), st.data())
def test_cycles_and_duplicates_give_a_located_error(tmp_path, lines, data):
    assume(len(lines) >= 2)
    rows = _rows(lines)
    kind = data.draw(st.sampled_from(["cycle", "duplicate"]))
    if kind == "duplicate":
        rows[-1][0] = rows[0][0]
    else:
        child = data.draw(st.integers(1, len(rows) - 1))
        ancestor = child
        while rows[ancestor][1] is not None:
            ancestor = int(rows[ancestor][1][1:])
        rows[ancestor][1] = rows[child][0]
    path = _write(tmp_path, rows)
    with pytest.raises(InputError) as caught:
        read_bom(path, today=dt.date(2025, 1, 1))
    message = str(caught.value)
    assert f"{path}: BOM!" in message
    assert ("cycle" in message) if kind == "cycle" else ("appears again" in message)
