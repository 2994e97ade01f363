"""The workbook contract (shared/spec/workbook.md) applied to a file: which sheets, in order.

Every cell rvc reads is checked; every failure is an `InputError` naming the file, sheet, cell
or row, what was found and what is expected. What rvc reads on a reasonable assumption (a
header row below row 1, hidden rows, HS codes stored as numbers) is noted for the report.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path

from rvc import examples
from rvc.contract import OPTIONAL_SHEETS, OTHER_SPELLINGS, REQUIRED_SHEETS, SHEETS
from rvc.errors import InputError
from rvc.model import BillOfMaterials, BomIndex, BomLine, LvcRow, MetalPurchase, Provenance
from rvc.money import ZERO, fmt_number
from rvc.readers import csv_folder, paths, xlsx, xlsx_guard
from rvc.readers import files as safe_files
from rvc.readers.bom_sheet import BomReader
from rvc.readers.config import Config
from rvc.readers.fx import Converter, read_fx
from rvc.readers.purchases import read_lvc, read_metals
from rvc.readers.raw import RawSheet, has_value, normalize_name
from rvc.readers.source import MemoryFile
from rvc.readers.suggest import sheet_looks_like
from rvc.readers.vehicle_sheet import (
    check_bom_value,
    check_lvc_inputs,
    check_vehicle,
    read_vehicle,
)
from rvc.text import snippet

__all__ = ["check_vehicle", "read_bom"]


def read_bom(
    path: Path | MemoryFile,
    config: Config | None = None,
    *,
    as_of: date | None = None,
    today: date,
    production: frozenset[str] | None = None,
) -> BillOfMaterials:
    """Read a workbook (.xlsx, or CSV files) into a `BillOfMaterials`, or raise `InputError`.

    `path` may be a `MemoryFile`: an .xlsx's bytes under the name it is reported by.
    `production`: also read the Vehicle sheet's period fields (`rvc average`), requiring those
    named; None (`rvc check`): they are ignored."""
    config = config or Config()
    notes: list[str] = []
    wanted: dict[str, str] = {name: sheet for sheet in SHEETS for name in config.sheet_names(sheet)}
    found, others, digest = _read_sheets(path, wanted, notes)
    sheets = _contract_sheets(found, wanted, notes)
    for label in REQUIRED_SHEETS:
        if label not in sheets:
            raise _missing_sheet(
                path, label, [_shown_as(v) for v in sheets.values()], others, config
            )
    _note_lookalike_sheets(sheets, others, notes, config)
    provenance = _provenance(path, digest, sheets, others, config, notes)
    vehicle, effective, source = read_vehicle(
        sheets["Vehicle"], config, notes, provenance, as_of, today, production
    )
    fx = sheets.get("FX")
    converter = Converter(
        vehicle.currency,
        (lambda: read_fx(fx, config, notes, provenance, vehicle.currency, effective))
        if fx is not None
        else None,
    )
    reader = BomReader(sheets["BOM"], config, notes, provenance, converter)
    lines, has_core = reader.read()
    _refuse_total_rows(lines, reader)
    _note_fractions(lines, reader, notes)
    check_bom_value(
        sum((line.value for line in lines if line.parent is None), ZERO), vehicle, provenance
    )
    metals = (
        read_metals(sheets["SteelAluminum"], config, notes, provenance, converter)
        if "SteelAluminum" in sheets
        else None
    )
    lvc = read_lvc(sheets["LVC"], config, notes, provenance, converter) if "LVC" in sheets else None
    _note_conversions(converter, provenance, notes)
    _refuse_template_examples(sheets, lines, metals, lvc)
    if lvc is not None:
        check_lvc_inputs(sheets["Vehicle"], vehicle, lvc, provenance)
    return BillOfMaterials(
        vehicle=vehicle,
        lines=lines,
        has_core_part_column=has_core,
        metals=metals,
        lvc=lvc,
        notes=notes,
        provenance=provenance,
        as_of=effective,
        as_of_source=source,
        index=BomIndex(lines, reader.parent_index),
    )


def _refuse_template_examples(
    sheets: dict[str, RawSheet],
    lines: list[BomLine],
    metals: list[MetalPurchase] | None,
    lvc: list[LvcRow] | None,
) -> None:
    """`rvc template`'s example purchases or LVC rows left in beside a BOM of the user's own
    would be evaluated as the producer's figures (steel, aluminum and LVC passing on the
    template's numbers). Refused at the first one; the template's own example vehicle, checked
    as it is, is not refused."""
    if {line.part_number for line in lines} == examples.TEMPLATE_PART_NUMBERS:
        return
    left: list[tuple[str, int, str]] = []
    for metal in metals or ():
        if examples.is_template_metal(
            metal.material, metal.value, metal.description, metal.supplier
        ):
            left.append(("SteelAluminum", metal.row, f"{metal.material} purchase"))
            break
    for entry in lvc or ():
        if examples.is_template_lvc(entry.category, entry.amount, entry.description, entry.plant):
            left.append(("LVC", entry.row, f"{entry.category} row"))
            break
    if not left:
        return
    label, row, what = left[0]
    raise InputError(
        sheets[label].where(row),
        f"is the example {what} of 'rvc template' (left in beside a BOM of your own, it would "
        "be evaluated as the producer's figures)",
        "the producer's own rows (replace or delete the template's example rows; a "
        "requirement left without rows is not evaluated)",
    )


def _is_csv(path: Path | MemoryFile) -> bool:
    """A folder of CSV files, or one CSV file standing for its folder."""
    return isinstance(path, Path) and (path.is_dir() or path.suffix.lower() == ".csv")


def _read_sheets(
    path: Path | MemoryFile, wanted: dict[str, str], notes: list[str]
) -> tuple[dict[str, RawSheet], list[str], str]:
    """The sheets (or CSV files) named in `wanted`, the names of the others, and the digest of
    what was read."""
    if isinstance(path, MemoryFile):
        found, others = xlsx.read_sheets(path, wanted)
        return found, others, hashlib.sha256(path.getbuffer()).hexdigest()
    paths.check_input(path)
    if _is_csv(path):
        found, others = csv_folder.read_sheets(path, wanted, notes)
        files = sorted((Path(sheet.file) for sheet in found.values()), key=lambda f: f.name)
        digest = safe_files.digest(files, csv_folder.MAX_CSV_BYTES, framed=True)
    else:
        found, others = xlsx.read_sheets(path, wanted)
        digest = safe_files.digest([path], xlsx_guard.MAX_FILE_BYTES)
    if (link := safe_files.link_note(path)) is not None:
        notes.append(link)
    return found, others, digest


def _contract_sheets(
    found: dict[str, RawSheet], wanted: dict[str, str], notes: list[str]
) -> dict[str, RawSheet]:
    """The sheets read, by contract name; an empty optional sheet is read as absent."""
    sheets = {wanted[k]: v for k, v in found.items()}
    for label in OPTIONAL_SHEETS:
        optional = sheets.get(label)
        if optional is not None and not any(has_value(v) for row in optional.rows for v in row):
            del sheets[label]
            notes.append(f"sheet '{optional.name}' is empty; read as if it were absent")
    return sheets


_CONTRACT_NAMES = {normalize_name(n) for names in OTHER_SPELLINGS.values() for n in names}
"""The contract's other spellings of sheet names: a sheet read under one is not mapped."""


def _provenance(
    path: Path | MemoryFile,
    digest: str,
    sheets: dict[str, RawSheet],
    others: list[str],
    config: Config,
    notes: list[str],
) -> Provenance:
    """What was read from where: the settings used, each sheet read under another name, the
    sheets ignored; a hidden sheet is read, and noted."""
    provenance = Provenance(path=str(path), sha256=digest)
    provenance.ignored_sheets = others
    if config.source is not None:
        provenance.mapping.append(f"settings from {config.label}")
    for label, read in sheets.items():
        provenance.sheets[label] = read.name
        if normalize_name(read.name) not in _CONTRACT_NAMES | {normalize_name(label)}:
            provenance.mapping.append(f"sheet '{read.name}' read as {label}")
        if read.hidden:
            notes.append(f"sheet '{read.name}' is hidden in the workbook; it was read anyway")
    return provenance


def _note_conversions(converter: Converter, provenance: Provenance, notes: list[str]) -> None:
    """Only the FX rates a line used stay in the provenance; the conversion is noted."""
    provenance.fx_rates = [r for r in provenance.fx_rates if r.currency in converter.used]
    if converter.used:
        notes.append(
            f"amounts in {', '.join(sorted(converter.used))} converted to {converter.base} at "
            "the FX sheet's rates"
        )


def _shown_as(sheet: RawSheet) -> str:
    """A sheet read, as a message lists it: its name, or a CSV file's own name (with the
    sheet it stands for when the names differ: `mybom.csv (read as BOM)`)."""
    if sheet.kind != "csv":
        return sheet.name
    name = Path(sheet.file).name
    return name if Path(name).stem == sheet.name else f"{name} (read as {sheet.name})"


def _missing_sheet(
    path: Path | MemoryFile, label: str, read: list[str], others: list[str], config: Config
) -> InputError:
    """A required sheet (or CSV file) is missing: say which, suggest the closest name, the
    `[sheets]` mapping, and `--config` for an export away from its settings file."""
    csv = _is_csv(path)
    guess = next((name for name in others if sheet_looks_like(_stem(name, csv), label)), None)
    erp_hint = ""
    if config.source is None and others and guess is None:
        erp_hint = (
            "; an ERP export with its own sheet names needs its rvc.toml (put it beside the "
            "file, or pass --config FILE)"
        )
    if isinstance(path, Path) and csv:
        return _missing_csv_file(path, label, read, others, guess, config, erp_hint)
    have = ", ".join(repr(name) for name in [*read, *others])
    expected = f"a sheet named {label} as in the workbook contract (`rvc template` writes one)"
    if guess is not None:
        expected = (
            f"a sheet named {label}: did you mean {snippet(guess)}? rename it to {label}, or map "
            f"it in {config.mapping_hint('sheets', label, guess)}"
        )
    return InputError(
        str(path), f"has no '{label}' sheet (found: {have or 'none'})", expected + erp_hint
    )


def _missing_csv_file(
    path: Path,
    label: str,
    read: list[str],
    others: list[str],
    guess: str | None,
    config: Config,
    erp_hint: str,
) -> InputError:
    """A contract file (`Vehicle.csv`) is missing from a CSV folder, or the folder holds none."""
    folder = path if path.is_dir() else path.parent
    shown = ", ".join(read)
    listing = ", ".join(x for x in (shown, ", ".join(others)) if x)
    if not listing:
        return _no_csv_files(folder)
    place = "this folder" if path.is_dir() else f"folder {folder}, beside it"
    expected = f"a file {label}.csv in that folder (`rvc template --csv DIR` writes one)"
    if guess is not None:
        expected = (
            f"{label}.csv: rename {guess} to {label}.csv, or map it in "
            f"{config.mapping_hint('sheets', label, Path(guess).stem)}"
        )
    return InputError(
        str(path),
        f"{label}.csv is missing from {place} (found: {listing})",
        expected + erp_hint,
    )


def _no_csv_files(folder: Path) -> InputError:
    """A folder with no CSV files: what to put there, or the workbook to name instead."""
    workbooks = sorted(p.name for p in folder.iterdir() if p.suffix.lower() == ".xlsx")
    expected = (
        "a folder with Vehicle.csv and BOM.csv (SteelAluminum.csv, LVC.csv and FX.csv "
        "optional; `rvc template --csv DIR` writes them), or an .xlsx workbook"
    )
    if workbooks:
        expected += f": to check the workbook here, name it (rvc check {workbooks[0]})"
    return InputError(str(folder), "holds no .csv files", expected)


def _stem(name: str, csv: bool) -> str:
    return Path(name).stem if csv and name.lower().endswith(".csv") else name


def _note_lookalike_sheets(
    sheets: dict[str, RawSheet], others: list[str], notes: list[str], config: Config
) -> None:
    """An optional sheet under another name (`Steel`, `LVCs`) would leave its requirement not
    evaluated: say which sheet was ignored and how to have it read."""
    for label in OPTIONAL_SHEETS:
        if label in sheets:
            continue
        for name in others:
            stem = Path(name).stem if name.lower().endswith(".csv") else name
            if sheet_looks_like(stem, label):
                notes.append(
                    f"sheet {snippet(name)} was not read: it is not named {label}; rename it, or "
                    f"map it in {config.mapping_hint('sheets', label, stem)}"
                )


TOTAL_WORDS = frozenset(("total", "totals", "subtotal", "grandtotal", "sum", "bomtotal"))
"""Part numbers (normalised) of a row that adds up the others: a copy of a spreadsheet's
total row would count the vehicle twice."""


def _refuse_total_rows(lines: list[BomLine], reader: BomReader) -> None:
    """A top-level line named `Total` (or `Sum`, `Subtotal`, ...) is a total row, not a part."""
    for line in lines:
        if line.parent is None and normalize_name(line.part_number) in TOTAL_WORDS:
            column = reader.table.columns["part_number"].col
            raise InputError(
                reader.table.sheet.where(line.row, column),
                f"part_number {snippet(line.part_number)} (unit_cost "
                f"{fmt_number(line.unit_cost)}) looks like a total row, not a part",
                "one row per part: delete the total row (rvc adds the lines up itself)",
            )


def _note_fractions(lines: list[BomLine], reader: BomReader, notes: list[str]) -> None:
    """An `rvc_percent` above 0 and below 1 is read as that many percent (0.8 is 0.8%), as the
    contract says; it is most often a percentage typed as a fraction, so the report says so."""
    fractions = [
        line for line in lines if line.rvc_percent is not None and 0 < line.rvc_percent < 1
    ]
    if not fractions:
        return
    column = reader.table.columns["rvc_percent"].col
    shown = ", ".join(
        f"{reader.table.sheet.where(line.row, column).rsplit(': ', 1)[-1]} "
        f"({fmt_number(line.rvc_percent or ZERO)})"
        for line in fractions[:5]
    ) + (f" and {len(fractions) - 5} more" if len(fractions) > 5 else "")
    notes.append(
        f"rvc_percent below 1 read as under 1% (not as a fraction): {shown}; if 0.8 meant 80%, "
        "type 80 or format the cell as a percentage"
    )
