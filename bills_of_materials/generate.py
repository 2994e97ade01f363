"""Generate the example workbooks from their readable sources (sources/*.yaml).

    python bills_of_materials/generate.py          # rewrite every example
    python bills_of_materials/generate.py --check  # fail if a committed workbook is stale

A source describes the vehicle, the BOM as a tree of assemblies (`components:`), families of
small parts (`family:`, expanded deterministically), and the optional SteelAluminum and LVC
rows. The same source always gives the same bytes.
"""

from __future__ import annotations

import argparse
import random
import sys
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

import yaml

from rvc.contract import CONTRACT
from rvc.reporters.template import write_workbook

HERE = Path(__file__).resolve().parent
BOM_COLUMNS = CONTRACT["BOM"]
METAL_COLUMNS = CONTRACT["SteelAluminum"]
LVC_COLUMNS = CONTRACT["LVC"]


def _cents(value: float) -> float:
    return float(Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def _family(spec: dict[str, Any], parent: str | None, seed: str) -> list[dict[str, Any]]:
    """Expand `family:` into `count` parts with costs spread deterministically over a range."""
    rng = random.Random(f"{seed}:{spec['prefix']}")
    low, high = spec["cost"]
    origins = spec.get("origins", "Y")
    countries = spec.get("countries", ["US"])
    rows = []
    for n in range(1, spec["count"] + 1):
        origin = origins[(n - 1) % len(origins)]
        rows.append(
            {
                "part_number": f"{spec['prefix']}-{n:03d}",
                "parent": parent,
                "description": spec["description"].format(n=n),
                "hs_code": spec.get("hs"),
                "quantity": spec.get("quantity", 1),
                "unit_cost": _cents(rng.uniform(low, high)),
                "originating": None if origin == "?" else origin,
                "supplier": spec.get("supplier"),
                "country": countries[(n - 1) % len(countries)],
            }
        )
    return rows


def _flatten(items: list[dict[str, Any]], parent: str | None, seed: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for item in items:
        if "family" in item:
            rows.extend(_family(item["family"], parent, seed))
            continue
        row = {
            "part_number": item["part"],
            "parent": parent,
            "description": item.get("description"),
            "hs_code": item.get("hs"),
            "quantity": item.get("qty", 1),
            "unit_cost": item["cost"],
            "originating": item.get("origin"),
            "core_part": item.get("core"),
            "rvc_percent": item.get("rvc"),
            "supplier": item.get("supplier"),
            "country": item.get("country"),
        }
        rows.append(row)
        rows.extend(_flatten(item.get("components", []), item["part"], seed))
    return rows


def _raw_sheets(spec: dict[str, Any], seed: str) -> list[tuple[str, list[tuple[Any, ...]]]]:
    """A source that spells out its sheets (an ERP export layout, mapped by a settings file).

    Rows may include `family:` entries expanded like BOM families, with a `level` column.
    """
    sheets = []
    for name, sheet in spec["sheets"].items():
        columns = tuple(sheet["columns"])
        rows: list[tuple[Any, ...]] = [*[tuple(r) for r in sheet.get("title_rows", [])], columns]
        for row in sheet["rows"]:
            if isinstance(row, dict) and "family" in row:
                family = row["family"]
                for item in _family(family, None, seed):
                    values = {
                        **family.get("fixed", {}),
                        **{k: item[v] for k, v in family["map"].items()},
                    }
                    rows.append(tuple(values.get(c) for c in columns))
            else:
                rows.append(tuple(row))
        sheets.append((name, rows))
    return sheets


def build(source: Path) -> tuple[str, list[tuple[str, list[tuple[Any, ...]]]]]:
    """Read a source; return the workbook file name and its sheets."""
    spec = yaml.safe_load(source.read_text(encoding="utf-8"))
    if "sheets" in spec:
        return spec["file"], _raw_sheets(spec, source.stem)
    vehicle = [("field", "value")] + [(k, v) for k, v in spec["vehicle"].items()]
    bom = _flatten(spec["bom"], None, source.stem)
    sheets = [
        ("Vehicle", vehicle),
        ("BOM", [BOM_COLUMNS, *[tuple(r.get(c) for c in BOM_COLUMNS) for r in bom]]),
    ]
    if "steel_aluminum" in spec:
        rows = [tuple(r.get(c) for c in METAL_COLUMNS) for r in spec["steel_aluminum"]]
        sheets.append(("SteelAluminum", [METAL_COLUMNS, *rows]))
    if "lvc" in spec:
        rows = [tuple(r.get(c) for c in LVC_COLUMNS) for r in spec["lvc"]]
        sheets.append(("LVC", [LVC_COLUMNS, *rows]))
    return spec["file"], sheets


def write_csv_folder(folder: Path, sheets: list[tuple[str, list[tuple[Any, ...]]]]) -> None:
    """The same sheets as one UTF-8 CSV file each (Vehicle.csv, BOM.csv, ...)."""
    import csv

    folder.mkdir(exist_ok=True)
    for name, rows in sheets:
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            for row in rows:
                writer.writerow(["" if v is None else v for v in row])


def main() -> int:
    """Write (or with --check, compare) every example workbook."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if a workbook is stale")
    args = parser.parse_args()
    stale = []
    for source in sorted((HERE / "sources").glob("*.yaml")):
        name, sheets = build(source)
        target = HERE / name
        target.parent.mkdir(exist_ok=True)
        if args.check:
            scratch = target.with_suffix(".check.xlsx")
            write_workbook(scratch, sheets)
            same = target.exists() and target.read_bytes() == scratch.read_bytes()
            scratch.unlink()
            if not same:
                stale.append(name)
        else:
            write_workbook(target, sheets)
            print(f"wrote {target.relative_to(HERE.parent)}")
            folder = yaml.safe_load(source.read_text(encoding="utf-8")).get("csv_folder")
            if folder:
                write_csv_folder(HERE / folder, sheets)
                print(f"wrote {folder}/")
    if stale:
        print(f"stale: {', '.join(stale)} (run python bills_of_materials/generate.py)")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
