"""`rvc template`: an example workbook in the input format, ready to fill in.

It holds every sheet of the contract with a small worked example that `rvc check` evaluates,
drop-down lists on every coded column, and an Instructions sheet saying what each sheet and
column means (unknown sheets are ignored when checking). `as_of` is left blank (the report
then uses today and says so); its meaning cell shows an example date. `rvc template --csv DIR`
writes the same content as one CSV file per sheet. Files are written reproducibly: the same
content gives the same bytes (fixed timestamps), so generated examples diff cleanly.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rvc.contract import CHOICES, CONTRACT
from rvc.examples import BOM_ROWS, LVC_ROWS, METAL_ROWS

FIXED = dt.datetime(2020, 7, 1)

VEHICLE_ROWS: list[tuple[str, Any, str]] = [
    ("model_line", "Example Sedan 2.0", "free text shown in every report (required)"),
    ("vehicle_class", "passenger_vehicle", "passenger_vehicle, light_truck or heavy_truck"),
    ("hs_subheading", "8703.23", "optional; must agree with vehicle_class"),
    ("producer", "Example Motors", "optional"),
    ("plant", "Plant 1", "optional"),
    (
        "as_of",
        None,
        "optional: date whose thresholds apply, e.g. 2025-09-01 (YYYY-MM-DD); blank = today; "
        "--as-of overrides",
    ),
    ("currency", "USD", "ISO code (USD, CAD, MXN, ...); default USD"),
    ("net_cost", 24000, "net cost of one vehicle (required)"),
    ("lvc_formula", "net_cost", "net_cost or annual_purchase_value"),
    ("production_wages_total", 200000000, "for the technology credit"),
]
BOM_HEADER = CONTRACT["BOM"]
METAL_HEADER = CONTRACT["SteelAluminum"]
LVC_HEADER = CONTRACT["LVC"]
FREE_TYPING = frozenset(("currency",))
"""Coded columns whose drop-down list only suggests: any ISO currency code may be typed."""

INSTRUCTIONS: list[tuple[str, str, str, str]] = [
    ("Vehicle", "", "required", "One vehicle configuration: field names in column A, values in B."),
    ("Vehicle", "model_line", "required", "Free text naming the vehicle; shown in every report."),
    ("Vehicle", "vehicle_class", "required", "passenger_vehicle, light_truck or heavy_truck."),
    ("Vehicle", "net_cost", "required", "Net cost of one vehicle, in the workbook currency."),
    ("Vehicle", "hs_subheading", "optional", "e.g. 8703.23; must agree with vehicle_class."),
    ("Vehicle", "as_of", "optional", "Date whose thresholds apply, YYYY-MM-DD; blank = today."),
    ("Vehicle", "currency", "optional", "ISO code of every amount; default USD."),
    ("Vehicle", "lvc_formula", "optional", "net_cost (default) or annual_purchase_value."),
    ("Vehicle", "production_wages_total", "for technology rows", "Annual NA production wages."),
    ("BOM", "", "required", "One row per part or assembly of the vehicle."),
    ("BOM", "part_number", "required", "Identifier, unique in the sheet."),
    ("BOM", "parent", "optional", "part_number of the assembly it goes into; blank = vehicle."),
    ("BOM", "description", "optional", "Free text."),
    ("BOM", "hs_code", "optional", "4 to 10 digits, dots optional (8708.40)."),
    ("BOM", "quantity", "optional", "Per unit of the parent; default 1."),
    ("BOM", "unit_cost", "required", "Cost of one unit; a line's value is quantity x unit_cost."),
    (
        "BOM",
        "originating",
        "optional",
        "Y or N. Blank on an assembly: worked out from its components. Blank on a part: "
        "unknown, counted as non-originating and listed.",
    ),
    ("BOM", "core_part", "optional", "engine, transmission, body_chassis, axle, ... or blank."),
    ("BOM", "rvc_percent", "optional", "The part's RVC certified by its supplier, e.g. 78.5."),
    ("BOM", "supplier, country", "optional", "Information only."),
    (
        "SteelAluminum",
        "",
        "optional sheet",
        "Steel and aluminum purchases; absent = not evaluated.",
    ),
    ("SteelAluminum", "material", "required", "steel or aluminum."),
    ("SteelAluminum", "value", "required", "Purchase value."),
    ("SteelAluminum", "originating", "required", "Y or N."),
    ("SteelAluminum", "melted_and_poured", "optional", "Y or N; counts for steel from 2027-07-01."),
    ("LVC", "", "optional sheet", "Labor value content; absent = not evaluated."),
    ("LVC", "category", "required", "material, labor, technology or assembly_plant."),
    ("LVC", "amount", "material, labor, technology", "Expenditure."),
    ("LVC", "hourly_wage", "material, labor, assembly_plant", "Average base hourly wage."),
    ("LVC", "assembly_type", "assembly_plant", "engine, transmission or advanced_battery."),
    ("LVC", "annual_capacity", "assembly_plant", "Annual production capacity in units."),
    ("", "", "", ""),
    ("", "", "", "Headers match ignoring case, spaces, hyphens and underscores."),
    ("", "", "", "A header that looks like a misspelt column (orignating, qty) is an error."),
    ("", "", "", "Run: rvc check this-file.xlsx   (rvc check -h lists the options)"),
]
INSTRUCTIONS_HEADER = ("sheet", "column", "required", "meaning")


def _lvc_header() -> tuple[str, ...]:
    """The LVC columns; wage_currency once the reader knows it (contract v1.1)."""
    header = tuple(LVC_HEADER)
    if "wage_currency" in CONTRACT["LVC"] and "wage_currency" not in header:
        header += ("wage_currency",)
    return header


def template_sheets() -> list[tuple[str, Sequence[Sequence[Any]]]]:
    """The template's sheets as rows, the same for the workbook and the CSV files."""
    lvc_header = _lvc_header()
    lvc_rows = [tuple(row) + (None,) * (len(lvc_header) - len(row)) for row in LVC_ROWS]
    if "wage_currency" in lvc_header:
        at = lvc_header.index("wage_currency")
        lvc_rows = [
            row[:at] + (("USD",) if row[0] != "technology" else (None,)) + row[at + 1 :]
            for row in lvc_rows
        ]
    instructions = list(INSTRUCTIONS)
    if "wage_currency" in lvc_header:
        at = instructions.index(("", "", "", ""))
        instructions.insert(
            at, ("LVC", "wage_currency", "optional", "USD (default), CAD or MXN: hourly_wage's.")
        )
    return [
        ("Vehicle", [("field", "value", "meaning"), *VEHICLE_ROWS]),
        ("BOM", [BOM_HEADER, *BOM_ROWS]),
        ("SteelAluminum", [METAL_HEADER, *METAL_ROWS]),
        ("LVC", [lvc_header, *lvc_rows]),
        ("Instructions", [INSTRUCTIONS_HEADER, *instructions]),
    ]


def csv_names() -> list[str]:
    """The files `rvc template --csv DIR` writes."""
    return [f"{name}.csv" for name, _ in template_sheets()]


def write_template(path: Path) -> None:
    """Write the template workbook."""
    write_workbook(path, template_sheets(), validations=True)


def write_template_csv(folder: Path) -> None:
    """Write the template as CSV files, one per sheet (UTF-8, comma-separated)."""
    import csv

    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in template_sheets():
        with (folder / f"{name}.csv").open("w", encoding="utf-8", newline="") as stream:
            writer = csv.writer(stream)
            for row in rows:
                writer.writerow(["" if v is None else _csv_value(v) for v in row])


def _csv_value(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _add_validations(sheet: Any, name: str) -> None:
    """A drop-down list on every coded column (Vehicle: on the value cell of coded fields)."""
    from openpyxl.worksheet.datavalidation import DataValidation

    targets: list[tuple[str, str]] = []
    if name == "Vehicle":
        for row in sheet.iter_rows(min_row=2, max_col=1):
            field = row[0].value
            if field in CHOICES:
                targets.append((field, f"B{row[0].row}"))
    else:
        for cell in sheet[1]:
            if cell.value in CHOICES:
                letter = cell.column_letter
                targets.append((cell.value, f"{letter}2:{letter}1000"))
    for field, ref in targets:
        free = field in FREE_TYPING
        validation = DataValidation(
            type="list",
            formula1='"' + ",".join(CHOICES[field]) + '"',
            allow_blank=True,
            showErrorMessage=not free,
            errorStyle="stop",
            errorTitle=f"{field}" if not free else None,
            error=f"Choose one of: {', '.join(CHOICES[field])}" if not free else None,
            showInputMessage=True,
            promptTitle=field[:32],
            prompt=(", ".join(CHOICES[field]) + (" (or another ISO code)" if free else ""))[:255],
        )
        validation.add(ref)
        sheet.add_data_validation(validation)


def write_workbook(
    path: Path,
    sheets: Iterable[tuple[str, Sequence[Sequence[Any]]]],
    *,
    validations: bool = False,
) -> None:
    """Write sheets of rows to an .xlsx, bold headers, dates formatted, reproducible bytes;
    `validations` adds the template's drop-down lists on coded columns."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        if rows:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            sheet.freeze_panes = "A2"
        if validations:
            _add_validations(sheet, name)
        for column in sheet.columns:
            width = max(len(str(c.value)) if c.value is not None else 0 for c in column)
            sheet.column_dimensions[column[0].column_letter].width = min(max(width + 2, 10), 60)
        for row in sheet.iter_rows():
            for cell in row:
                if isinstance(cell.value, dt.date):
                    cell.number_format = "yyyy-mm-dd"
    book.properties.created = FIXED
    book.properties.modified = FIXED
    book.properties.creator = "rvc"
    buffer = io.BytesIO()
    book.save(buffer)
    path.write_bytes(_fixed_timestamps(buffer.getvalue()))


_INLINE = re.compile(rb'<c ([^>]*?)t="inlineStr"([^>]*)><is><t(?: [^>]*)?>(.*?)</t></is></c>', re.S)
_SST_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"
_SST_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


def _fixed_timestamps(data: bytes) -> bytes:
    """Rewrite the zip as Excel would store it: a shared-string table, fixed timestamps.

    openpyxl writes every string inline; Excel keeps them in xl/sharedStrings.xml. Writing
    the Excel way means examples and tests exercise the layout real workbooks have, and equal
    content gives equal bytes.
    """
    source = zipfile.ZipFile(io.BytesIO(data))
    strings: dict[bytes, int] = {}

    def shared(match: re.Match[bytes]) -> bytes:
        index = strings.setdefault(match.group(3), len(strings))
        attrs = (match.group(1) + match.group(2)).strip()
        return b"<c " + attrs + b' t="s"><v>' + str(index).encode() + b"</v></c>"

    parts: dict[str, bytes] = {}
    for info in source.infolist():
        content = source.read(info.filename)
        if info.filename.startswith("xl/worksheets/sheet"):
            content = _INLINE.sub(shared, content)
        elif info.filename == "docProps/core.xml":
            content = _fix_core(content)
        parts[info.filename] = content
    if strings:
        items = b"".join(b'<si><t xml:space="preserve">' + text + b"</t></si>" for text in strings)
        parts["xl/sharedStrings.xml"] = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns='
            b'"http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="'
            + str(len(strings)).encode()
            + b'" uniqueCount="'
            + str(len(strings)).encode()
            + b'">'
            + items
            + b"</sst>"
        )
        parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
            b"</Types>",
            b'<Override PartName="/xl/sharedStrings.xml" ContentType="'
            + _SST_TYPE.encode()
            + b'"/></Types>',
        )
        parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
            b"</Relationships>",
            b'<Relationship Id="rIdSst" Type="'
            + _SST_REL.encode()
            + b'" Target="sharedStrings.xml"/></Relationships>',
        )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name, content in parts.items():
            fixed = zipfile.ZipInfo(name, date_time=(2020, 7, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, content)
    return out.getvalue()


def _fix_core(content: bytes) -> bytes:
    return re.sub(
        rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)",
        rb"\g<1>2020-07-01T00:00:00Z\g<3>",
        content,
    )
