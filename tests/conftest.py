"""Shared fixtures: the shipped rule pack, BOM builders (in memory and as workbooks), the CLI."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rvc.cli import app
from rvc.contract import CONTRACT
from rvc.engine import evaluate
from rvc.model import BillOfMaterials, BomLine, LvcRow, MetalPurchase, Vehicle
from rvc.reporters.template import write_workbook
from rvc.results import Report
from rvc.rulepack import default_rules_dir, load_rule_pack
from rvc.rulepack.schema import RulePack

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "bills_of_materials"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/* from current output"
    )


@pytest.fixture(scope="session")
def pack() -> RulePack:
    return load_rule_pack(default_rules_dir())


def D(value: Any) -> Decimal:  # noqa: N802 - reads like a literal
    return Decimal(str(value))


def div(numerator: Any, denominator: Any) -> Decimal:
    """Exact division at the engine's precision (40 digits)."""
    from decimal import localcontext

    with localcontext() as context:
        context.prec = 40
        return D(numerator) / D(denominator)


def line(part: str, cost: Any, **fields: Any) -> BomLine:
    """A BOM line for engine tests: `line("ENG", 5000, core_part="engine", originating=None)`."""
    values: dict[str, Any] = {
        "row": fields.pop("row", 0),
        "part_number": part,
        "unit_cost": D(cost),
    }
    if "quantity" in fields:
        fields["quantity"] = D(fields["quantity"])
    if fields.get("rvc_percent") is not None:
        fields["rvc_percent"] = D(fields["rvc_percent"])
    values.update(fields)
    return BomLine(**values)


def bom(
    lines: Iterable[BomLine],
    *,
    vehicle_class: str = "passenger_vehicle",
    net_cost: Any = 10000,
    core_column: bool = True,
    metals: list[MetalPurchase] | None = None,
    lvc: list[LvcRow] | None = None,
    **vehicle: Any,
) -> BillOfMaterials:
    numbered = []
    for i, item in enumerate(lines, start=2):
        numbered.append(item if item.row else BomLine(**{**_fields(item), "row": i}))
    for key in ("transaction_value", "total_annual_purchase_value", "production_wages_total"):
        if vehicle.get(key) is not None:
            vehicle[key] = D(vehicle[key])
    return BillOfMaterials(
        vehicle=Vehicle(
            model_line="Test vehicle", vehicle_class=vehicle_class, net_cost=D(net_cost), **vehicle
        ),
        lines=numbered,
        has_core_part_column=core_column,
        metals=metals,
        lvc=lvc,
    )


def _fields(item: BomLine) -> dict[str, Any]:
    return {name: getattr(item, name) for name in BomLine.__slots__}  # type: ignore[attr-defined]


def metal(
    material: str, value: Any, originating: bool, melted: bool | None = None, **kw: Any
) -> MetalPurchase:
    return MetalPurchase(
        row=kw.pop("row", 2),
        material=material,
        value=D(value),
        originating=originating,
        melted_and_poured=melted,
        **kw,
    )


def lvc_row(category: str, amount: Any = None, wage: Any = None, **kw: Any) -> LvcRow:
    if "annual_capacity" in kw:
        kw["annual_capacity"] = D(kw["annual_capacity"])
    return LvcRow(
        row=kw.pop("row", 2),
        category=category,
        amount=None if amount is None else D(amount),
        hourly_wage=None if wage is None else D(wage),
        **kw,
    )


@pytest.fixture
def run(pack: RulePack) -> Callable[..., Report]:
    """Evaluate an in-memory BOM on a date (default 2024-01-15) with the shipped pack."""

    def _run(bill: BillOfMaterials, on: str = "2024-01-15", **options: Any) -> Report:
        return evaluate(bill, pack, dt.date.fromisoformat(on), **options)

    return _run


def result(report: Report, requirement: str):  # type: ignore[no-untyped-def]
    """The result of one requirement id."""
    return next(r for r in report.requirements if r.id == requirement)


VEHICLE_DEFAULTS = {
    "model_line": "Test Sedan",
    "vehicle_class": "passenger_vehicle",
    "net_cost": 10000,
}
BOM_COLUMNS = CONTRACT["BOM"][:9]  # part_number ... rvc_percent: columns A to I


@pytest.fixture
def workbook(tmp_path: Path) -> Callable[..., Path]:
    """Write a workbook from plain data and return its path.

    `vehicle` is a mapping of fields (None values dropped); `bom` a list of row mappings or
    tuples; `sheets` extra sheets as {name: rows}; `raw` replaces a sheet's rows entirely.
    """

    def _write(
        vehicle: Mapping[str, Any] | None = None,
        bom: Iterable[Mapping[str, Any] | tuple[Any, ...]] = (),
        *,
        columns: tuple[str, ...] = BOM_COLUMNS,
        sheets: Mapping[str, list[tuple[Any, ...]]] | None = None,
        name: str = "bom.xlsx",
        omit: tuple[str, ...] = (),
    ) -> Path:
        fields = {**VEHICLE_DEFAULTS, **(vehicle or {})}
        vehicle_rows = [("field", "value")] + [(k, v) for k, v in fields.items() if v is not None]
        bom_rows: list[tuple[Any, ...]] = [columns]
        for row in bom:
            bom_rows.append(tuple(row.get(c) for c in columns) if isinstance(row, Mapping) else row)
        all_sheets = {"Vehicle": vehicle_rows, "BOM": bom_rows, **(sheets or {})}
        for sheet in omit:
            all_sheets.pop(sheet)
        path = tmp_path / name
        write_workbook(path, list(all_sheets.items()))
        return path

    return _write


@pytest.fixture
def cli() -> Callable[..., Any]:
    """Run the CLI in-process; returns click's Result (exit_code, stdout, stderr).

    Outside GitHub Actions whatever runs the tests: `--format auto` would otherwise switch
    to the github format there (pass env={"GITHUB_ACTIONS": "true"} to test that)."""
    runner = CliRunner()

    def _cli(*args: str, env: Mapping[str, str | None] | None = None) -> Any:
        environ: dict[str, str | None] = {"GITHUB_ACTIONS": None, "GITHUB_STEP_SUMMARY": None}
        return runner.invoke(
            app, [str(a) for a in args], env={**environ, **(env or {})}, catch_exceptions=False
        )

    return _cli


__all__ = ["D", "div", "bom", "line", "lvc_row", "metal", "result", "ROOT", "EXAMPLES"]
