"""Hand-computed acceptance cases for input format v1.1 (tests/cases_v11/*.yaml).

Written by an independent reviewer from the public contracts (workbook.md v1.1, report-json.md)
and SOR/2020-155 alone, without reading rvc's engine. Each case is run through the PUBLIC
interface only: a workbook is written, `python -m rvc check <file> --format json --as-of <date>`
runs in a subprocess, and the JSON document is compared with the case's `expect` block:

- `exit_code`, top-level `verdict`, `core_part_reading` (always the default, `us-cbp`),
  `readings.us-cbp` / `readings.roll-up` (`verdict`, `vehicle_rvc`);
- per requirement id (`vehicle-rvc`, `core-parts`, `steel`, `aluminum`, `lvc`): `status`,
  `value`, `threshold`; `absent: true` asserts the requirement is not in the report (heavy
  trucks have no `core-parts`);
- `core-parts`: `details[<category>]` `value` / `status` and `details.super_core`;
- `lvc`: `details.material_and_manufacturing`, `technology`, `assembly` (a number or an object
  with `value`);
- `error: true`: the input must be rejected (exit 2, a JSON error document on stdout);
- `excel_percent`: lines whose rvc_percent cell is written as an Excel percentage (0.72, 0.0%);
- `s18_22`: whether the s. 18(22) heavy-truck option is offered: the text "18(22)" in a
  requirement message or an assumption, or a details object citing 18(22) that is not marked
  `eligible: false`.

Numbers may be JSON numbers or decimal strings; they are compared with tolerance 1e-6 (a figure
rounded to 4 or 5 decimals, which report-json.md allows, may be off by half its last place). Where a
case is `ambiguous`, `value_alternatives` may list the other defensible figures; the status is
still asserted. Every mismatch of a case is reported at once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import yaml

from rvc.reporters.template import write_workbook

CASES_DIR = Path(__file__).resolve().parent / "cases_v11"
CASES = [
    case for path in sorted(CASES_DIR.glob("*.yaml")) for case in yaml.safe_load(path.read_text())
]
BOM_COLUMNS = (
    "part_number",
    "parent",
    "description",
    "hs_code",
    "quantity",
    "unit_cost",
    "originating",
    "core_part",
    "rvc_percent",
    "supplier",
    "country",
)
METAL_COLUMNS = (
    "material",
    "value",
    "originating",
    "melted_and_poured",
    "description",
    "supplier",
    "hs_code",
)
LVC_COLUMNS = (
    "category",
    "amount",
    "hourly_wage",
    "wage_currency",
    "assembly_type",
    "annual_capacity",
    "description",
    "plant",
    "country",
)
REQUIREMENTS = ("vehicle-rvc", "core-parts", "steel", "aluminum", "lvc")
LVC_PARTS = ("material_and_manufacturing", "technology", "assembly")
TOLERANCE = Decimal("1e-6")


def _rows(items: list[dict[str, Any]], columns: tuple[str, ...]) -> list[tuple[Any, ...]]:
    return [columns, *[tuple(item.get(c) for c in columns) for item in items]]


def _number(value: Any) -> Decimal | None:
    if isinstance(value, dict):
        value = value.get("value")
    if value is None or isinstance(value, bool):
        return None
    try:
        return Decimal(str(value))
    except ArithmeticError:
        return None


def _close(got: Any, want: Any) -> bool:
    """Within 1e-6; a figure rounded to k >= 4 decimals (report-json.md allows it) may also be off
    by half a unit of its last place."""
    number = _number(got)
    if number is None:
        return False
    allowed = TOLERANCE
    places = -number.normalize().as_tuple().exponent
    if 4 <= places < 6:
        allowed = max(allowed, Decimal(5) * Decimal(10) ** -(places + 1))
    return abs(number - Decimal(str(want))) <= allowed


def _workbook(case: dict[str, Any], path: Path) -> None:
    vehicle = [("field", "value")] + [(k, v) for k, v in case["vehicle"].items() if v is not None]
    columns = tuple(case.get("bom_columns", BOM_COLUMNS))
    sheets = [("Vehicle", vehicle), ("BOM", _rows(case["bom"], columns))]
    if "steel_aluminum" in case:
        sheets.append(("SteelAluminum", _rows(case["steel_aluminum"], METAL_COLUMNS)))
    if "lvc" in case:
        sheets.append(("LVC", _rows(case["lvc"], LVC_COLUMNS)))
    write_workbook(path, sheets)
    if case.get("excel_percent"):
        _as_excel_percent(path, set(case["excel_percent"]))


def _as_excel_percent(path: Path, parts: set[str]) -> None:
    """Store the rvc_percent cells of these lines as Excel percentages (72 -> 0.72, format 0.0%)."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    sheet = book["BOM"]
    header = [cell.value for cell in sheet[1]]
    part_col, pct_col = header.index("part_number") + 1, header.index("rvc_percent") + 1
    for row in range(2, sheet.max_row + 1):
        if sheet.cell(row, part_col).value in parts:
            cell = sheet.cell(row, pct_col)
            cell.value = float(Decimal(str(cell.value)) / 100)
            cell.number_format = "0.0%"
    book.save(path)


def _run(path: Path, as_of: str) -> tuple[int, dict[str, Any] | None, str]:
    done = subprocess.run(
        [sys.executable, "-m", "rvc", "check", str(path), "--format", "json", "--as-of", as_of],
        capture_output=True,
        text=True,
        cwd=path.parent,
        timeout=120,
    )
    try:
        document = json.loads(done.stdout)
    except json.JSONDecodeError:
        document = None
    return done.returncode, document, done.stderr


def _check_value(errors: list[str], where: str, got: Any, want: dict[str, Any]) -> None:
    if want.get("value") is None:
        return
    allowed = [want["value"], *want.get("value_alternatives", [])]
    if not any(_close(got, v) for v in allowed):
        wanted = " or ".join(map(str, allowed))
        errors.append(f"{where} value: got {_number(got)}, expected {wanted}")


def _check_equal(errors: list[str], where: str, got: Any, want: Any) -> None:
    if got != want:
        errors.append(f"{where}: got {got}, expected {want}")


def _s18_22_offers(value: Any) -> list[bool]:
    """Every object citing s. 18(22) found in a details tree, as offered (its `eligible` flag,
    when it has one) or merely cited."""
    found: list[bool] = []
    if isinstance(value, dict):
        if "18(22)" in json.dumps(value.get("citation", "")):
            found.append(bool(value.get("eligible", True)))
        for item in value.values():
            found.extend(_s18_22_offers(item))
    elif isinstance(value, list):
        for item in value:
            found.extend(_s18_22_offers(item))
    return found


def _s18_22_mentioned(document: dict[str, Any]) -> bool:
    """The s. 18(22) option is offered: a details object citing it that is not marked
    `eligible: false`, or the text "18(22)" in a requirement message or an assumption."""
    texts = [json.dumps(document.get("assumptions", []))]
    offers: list[bool] = []
    for requirement in document.get("requirements", []):
        texts.append(str(requirement.get("message", "")))
        offers.extend(_s18_22_offers(requirement.get("details", {})))
    return any(offers) or any("18(22)" in text for text in texts)


def _compare_readings(errors: list[str], expect: dict[str, Any], document: dict[str, Any]) -> None:
    _check_equal(errors, "core_part_reading", document.get("core_part_reading"), "us-cbp")
    readings = document.get("readings") or {}
    for name, want in expect["readings"].items():
        got = readings.get(name)
        if not isinstance(got, dict):
            errors.append(f"readings.{name}: missing")
            continue
        _check_equal(errors, f"readings.{name}.verdict", got.get("verdict"), want["verdict"])
        figure = {
            "value": want["vehicle_rvc"],
            "value_alternatives": want.get("vehicle_rvc_alternatives", []),
        }
        _check_value(errors, f"readings.{name}.vehicle_rvc", got.get("vehicle_rvc"), figure)


def _compare_details(
    errors: list[str], rid: str, want: dict[str, Any], details: dict[str, Any]
) -> None:
    entries = dict(want.get("categories", {}))
    if "super_core" in want:
        entries["super_core"] = want["super_core"]
    for name, entry in entries.items():
        got = details.get(name)
        if not isinstance(got, dict):
            errors.append(f"{rid}.details.{name}: missing")
            continue
        if "status" in entry:
            _check_equal(errors, f"{rid}.details.{name} status", got.get("status"), entry["status"])
        _check_value(errors, f"{rid}.details.{name}", got.get("value"), entry)
    if rid != "lvc":
        return
    for name in LVC_PARTS:
        if name in want and not _close(details.get(name), want[name]):
            got = _number(details.get(name))
            errors.append(f"lvc.details.{name}: got {got}, expected {want[name]}")


def _compare_requirement(errors: list[str], rid: str, want: dict[str, Any], result: Any) -> None:
    if want.get("absent"):
        if result is not None:
            errors.append(f"{rid}: present ({result.get('status')}), expected no such requirement")
        return
    if result is None:
        errors.append(f"{rid}: missing from the report")
        return
    if result.get("status") != want["status"]:
        errors.append(
            f"{rid} status: got {result.get('status')}, expected {want['status']}"
            f" ({result.get('message')})"
        )
    _check_value(errors, rid, result.get("value"), want)
    threshold = want.get("threshold")
    if threshold is not None and not _close(result.get("threshold"), threshold):
        errors.append(f"{rid} threshold: got {result.get('threshold')}, expected {threshold}")
    _compare_details(errors, rid, want, result.get("details") or {})


def _compare(case: dict[str, Any], code: int, document: dict[str, Any]) -> list[str]:
    expect = case["expect"]
    errors: list[str] = []
    _check_equal(errors, "exit code", code, expect["exit_code"])
    _check_equal(errors, "verdict", document.get("verdict"), expect["verdict"])
    if "readings" in expect:
        _compare_readings(errors, expect, document)
    found = {r.get("id"): r for r in document.get("requirements", [])}
    for rid in REQUIREMENTS:
        if expect.get(rid) is not None:
            _compare_requirement(errors, rid, expect[rid], found.get(rid))
    if "s18_22" in expect:
        mentioned = _s18_22_mentioned(document)
        _check_equal(errors, "s. 18(22) option mentioned", mentioned, expect["s18_22"])
    return errors


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_case_v11(case: dict[str, Any], tmp_path: Path) -> None:
    path = tmp_path / f"{case['name']}.xlsx"
    _workbook(case, path)
    code, document, stderr = _run(path, str(case["as_of"]))
    if case["expect"].get("error"):
        assert code == case["expect"]["exit_code"], f"exit {code}: {stderr.strip()[-800:]}"
        assert document is not None and "error" in document, f"no JSON error document: {document}"
        return
    assert document is not None, f"no JSON document (exit {code}): {stderr.strip()[-800:]}"
    assert "error" not in document, f"input rejected (exit {code}): {document['error']}"
    errors = _compare(case, code, document)
    assert not errors, case["name"] + ":\n  " + "\n  ".join(errors)
