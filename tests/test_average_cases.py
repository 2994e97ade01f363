"""The independent averaging cases (tests/cases_average/*.yaml): every figure worked out by hand
in the case (and by its own script, which does not import rvc), run through `rvc average`.

Each case lists variant workbooks (Vehicle fields, BOM lines, optional SteelAluminum and LVC
rows), the category and period, and what the average must give: the exit code and verdict,
each variant's own vehicle RVC (as `rvc check` gives it on its as_of), the workbooks left out,
and per group its members, the average under both readings, its status, the core-part and
super-core averages over the period, LVC, steel and aluminum, and the pull-down in money.
"""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from rvc.reporters.template import write_workbook
from tests.conftest import ROOT

CASES = sorted((ROOT / "tests" / "cases_average").glob("*.yaml"))
SCHEMA = json.loads((ROOT / "rvc" / "reporters" / "average.schema.json").read_text())
BOM = ("part_number", "parent", "description", "hs_code", "quantity", "unit_cost", "originating",
       "core_part", "rvc_percent")  # fmt: skip
METALS = ("material", "value", "originating", "melted_and_poured", "hs_code")
LVC = ("category", "amount", "hourly_wage", "wage_currency", "assembly_type", "annual_capacity")
TOLERANCE = Decimal("1e-9")


def _cell(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _write(variant: dict[str, Any], folder: Path) -> Path:
    vehicle = [("field", "value")] + [(k, _cell(v)) for k, v in variant["vehicle"].items()]
    sheets: list[tuple[str, list[tuple[Any, ...]]]] = [
        ("Vehicle", vehicle),
        ("BOM", [BOM] + [tuple(row.get(c) for c in BOM) for row in variant["bom"]]),
    ]
    if variant.get("steel_aluminum"):
        rows = [tuple(r.get(c) for c in METALS) for r in variant["steel_aluminum"]]
        sheets.append(("SteelAluminum", [METALS, *rows]))
    if variant.get("lvc"):
        sheets.append(("LVC", [LVC, *(tuple(r.get(c) for c in LVC) for r in variant["lvc"])]))
    path = folder / variant.get("file", f"{variant['id']}.xlsx")
    write_workbook(path, sheets)
    return path


def _close(found: Any, expected: Any, what: str) -> None:
    assert found is not None, f"{what}: missing, expected {expected}"
    assert abs(Decimal(str(found)) - Decimal(str(expected))) <= TOLERANCE, (
        f"{what}: {found} != {expected}"
    )


def _run(case: dict[str, Any], tmp_path: Path, cli: Any) -> tuple[Any, dict[str, str]]:
    folder = tmp_path / "variants"
    folder.mkdir()
    names = {}
    for variant in case["variants"]:
        names[variant["id"]] = _write(variant, folder).name
    args = ["average", folder, "--category", case["category"], "-f", "json", "-j", "1"]
    if case.get("period"):
        args += ["--period", case["period"]]
    if case.get("exported_only"):
        args.append("--exported-only")
    return cli(*args), names


def _requirement(doc: dict[str, Any], requirement: str) -> dict[str, Any] | None:
    return next((r for r in doc["requirements"] if r["id"] == requirement), None)


def _check_variant(doc: dict[str, Any], want: dict[str, Any], name: str) -> None:
    for reading in ("us-cbp", "roll-up"):
        if reading in want:
            _close(doc["readings"][reading]["vehicle_rvc"], want[reading], f"{name} {reading}")
    rvc = _requirement(doc, "vehicle-rvc")
    assert rvc is not None
    _close(rvc["threshold"], want["threshold"], f"{name} threshold")
    assert rvc["status"] == want["status"], name
    core = _requirement(doc, "core-parts")
    if want.get("core_parts") == "absent":
        assert core is None, name
    elif "core_parts" in want:
        assert core is not None and core["status"] == want["core_parts"], name
        _close(core["details"]["super_core"]["value"], want["super_core"], f"{name} super-core")
        for category, value in want.get("categories", {}).items():
            _close(core["details"][category]["value"], value, f"{name} {category}")
    for requirement in ("lvc", "steel", "aluminum"):
        if requirement in want:
            found = _requirement(doc, requirement)
            assert found is not None
            _close(found["value"], want[requirement], f"{name} {requirement}")
            assert found["status"] == want[f"{requirement}_status"], f"{name} {requirement}"
    if "verdict" in want:
        assert doc["verdict"] == want["verdict"], name


def _check_group(doc: dict[str, Any], want: dict[str, Any], names: dict[str, str]) -> None:
    label = want["name"]
    rvc = _requirement(doc, "vehicle-rvc")
    assert rvc is not None, label
    _close(rvc["threshold"], want["threshold"], f"{label} threshold")
    for reading, value in want["vehicle_rvc"].items():
        _close(doc["readings"][reading]["vehicle_rvc"], value, f"{label} {reading}")
        if want.get("exact"):
            assert Decimal(str(doc["readings"][reading]["vehicle_rvc"])) == Decimal(str(value))
    for reading, status in want["status"].items():
        assert doc["readings"][reading]["vehicle_rvc_status"] == status, f"{label} {reading}"
    assert doc["verdict"] == want["verdict"], label
    if "verdict_roll_up" in want:
        assert doc["readings"]["roll-up"]["verdict"] == want["verdict_roll_up"], label
    _check_core(doc, want, label, names)
    for requirement in ("lvc", "steel", "aluminum"):
        if requirement in want:
            found = _requirement(doc, requirement)
            assert found is not None, label
            _close(found["value"], want[requirement]["value"], f"{label} {requirement}")
            _close(found["threshold"], want[requirement]["threshold"], f"{label} {requirement}")
            assert found["status"] == want[requirement]["status"], f"{label} {requirement}"
            if "material_and_manufacturing" in want[requirement]:
                mm = found["details"]["material_and_manufacturing"]
                _close(mm["value"], want[requirement]["material_and_manufacturing"], label)
                _close(mm["minimum"], want[requirement]["minimum"], label)
    if "pull_down_us_cbp" in want:
        contributions = rvc["details"]["contributions"]
        found = [(c["path"], c["above_allowance"]["us-cbp"]) for c in contributions]
        assert [Path(p).name for p, _ in found] == [names[i] for i, _ in want["pull_down_us_cbp"]]
        for (_, amount), (_, expected) in zip(found, want["pull_down_us_cbp"], strict=True):
            _close(amount, expected, f"{label} pull-down")
    if "shortfall_us_cbp" in want and doc["readings"]:
        details = rvc["details"]
        shortfall = Decimal(str(details["readings"]["us-cbp"]["vnm_total"])) - Decimal(
            str(details["allowed_vnm_total"])
        )
        _close(shortfall, want["shortfall_us_cbp"], f"{label} shortfall")


def _check_core(
    doc: dict[str, Any], want: dict[str, Any], label: str, names: dict[str, str]
) -> None:
    core = _requirement(doc, "core-parts")
    if want.get("core_parts") == "absent":
        assert core is None, label
        return
    expected = want["core_parts"]
    assert core is not None, label
    _close(core["threshold"], want["core_threshold"], f"{label} core threshold")
    assert core["status"] == expected["status"], label
    details = core["details"]
    _close(details["super_core"]["value"], expected["super_core"], f"{label} super-core")
    for category, value in expected.get("categories", {}).items():
        _close(details["categories"][category]["value"], value, f"{label} {category}")
    rescued = expected.get("rescued", [])
    exceeds = details["super_core"]["exceeds_threshold"]
    if expected.get("rescued_by") == "super_core":
        assert exceeds, label
    if not rescued:
        assert details["not_originating"] or core["status"] != "fail", label
    for variant, parts in expected.get("failing", {}).items():
        failing = [g["part_number"] for g in details["not_originating"]
                   if Path(g["path"]).name == names[variant]]  # fmt: skip
        assert failing == parts, label


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_average_case(path: Path, tmp_path: Path, cli: Any) -> None:
    case = yaml.safe_load(path.read_text())
    done, names = _run(case, tmp_path, cli)
    expected = case["expected"]
    assert done.exit_code == expected["exit_code"], done.stdout + done.stderr
    document = json.loads(done.stdout)
    jsonschema.validate(document, SCHEMA)
    if expected["exit_code"] == 2:
        error = document["error"]
        assert Path(error["file"]).name == expected["error"]["file"]
        assert "volume" in error["found"] and "Vehicle" in (error["where"] or "")
        assert "Traceback" not in done.stderr and done.stderr.startswith("rvc: error: ")
        assert "groups" not in document
        return
    assert document["verdict"] == expected["verdict"]
    left = sorted(Path(e["path"]).name for e in document["excluded"])
    assert left == sorted(names[e["variant"]] for e in expected["left_out"])
    variants = {Path(v["input"]["path"]).name: v for g in document["groups"] for v in g["variants"]}
    for name in left:  # a workbook left out is in no group
        assert name not in variants
    groups = {
        frozenset(Path(v["input"]["path"]).name for v in g["variants"]): g
        for g in document["groups"]
    }
    assert set(groups) == {frozenset(names[m] for m in g["members"]) for g in expected["groups"]}
    for variant, want in expected["variants"].items():
        if names[variant] in variants:
            _check_variant(variants[names[variant]], want, variant)
    for want in expected["groups"]:
        _check_group(groups[frozenset(names[m] for m in want["members"])], want, names)
