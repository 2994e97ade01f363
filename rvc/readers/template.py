"""`rvc template`: an example workbook in the input format, ready to fill in.

It holds every sheet of the contract with a small worked example that `rvc check` evaluates,
and a ReadMe sheet (unknown sheets are ignored when checking). Files are written reproducibly:
the same content gives the same bytes (fixed timestamps), so generated examples diff cleanly.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rvc.readers.config import CONTRACT

FIXED = dt.datetime(2020, 7, 1)

VEHICLE_ROWS: list[tuple[str, Any, str]] = [
    ("model_line", "Example Sedan 2.0", "free text shown in every report (required)"),
    ("vehicle_class", "passenger_vehicle", "passenger_vehicle, light_truck or heavy_truck"),
    ("hs_subheading", "8703.23", "optional; must agree with vehicle_class"),
    ("producer", "Example Motors", "optional"),
    ("plant", "Plant 1", "optional"),
    ("as_of", dt.date(2025, 1, 15), "date whose thresholds apply; --as-of overrides"),
    ("currency", "USD", "ISO code; default USD"),
    ("net_cost", 24000, "net cost of one vehicle (required)"),
    ("lvc_formula", "net_cost", "net_cost or annual_purchase_value"),
    ("production_wages_total", 200000000, "for the technology credit"),
]
BOM_HEADER = CONTRACT["BOM"]
BOM_ROWS: list[tuple[Any, ...]] = [
    (
        "ENG-100",
        None,
        "Engine assembly",
        "8407.34",
        1,
        4200,
        None,
        "engine",
        None,
        "Own plant",
        "US",
    ),
    ("ENG-110", "ENG-100", "Cylinder block", "8409.91", 1, 900, "Y", None, None, "Foundry", "MX"),
    ("ENG-120", "ENG-100", "Turbocharger", "8414.59", 1, 450, "N", None, None, "Turbo KK", "JP"),
    ("TRN-200", None, "Transmission", "8708.40", 1, 2600, "Y", "transmission", 88, "Gearco", "US"),
    ("BDY-300", None, "Body in white", "8707.10", 1, 5200, "Y", "body_chassis", None, "Own", "US"),
    ("AXL-400", None, "Rear axle", "8708.50", 1, 1100, "Y", "axle", 81.5, "Axleco", "CA"),
    (
        "SUS-500",
        None,
        "Suspension module",
        "8708.80",
        1,
        900,
        "Y",
        "suspension",
        79,
        "Sus SA",
        "MX",
    ),
    ("STR-600", None, "Steering gear", "8708.94", 1, 600, "Y", "steering", 77, "Steer Inc", "US"),
    ("SEA-700", None, "Front seats", "9401.20", 2, 650, "Y", None, None, "Seatco", "MX"),
    ("ELE-800", None, "Infotainment unit", "8528.59", 1, 700, "N", None, None, "Display", "KR"),
    ("TIR-900", None, "Tyres", "4011.10", 5, 90, None, None, None, "Tyre Co", "TH"),
]
METAL_HEADER = CONTRACT["SteelAluminum"]
METAL_ROWS: list[tuple[Any, ...]] = [
    ("steel", 1200000, "Y", "Y", "Cold-rolled coil", "US Steel Works"),
    ("steel", 300000, "N", None, "Galvanized sheet", "Overseas Mill"),
    ("aluminum", 400000, "Y", None, "Sheet 6xxx", "Alcan Plant"),
]
LVC_HEADER = CONTRACT["LVC"]
LVC_ROWS: list[tuple[Any, ...]] = [
    ("labor", 2100, 28.40, None, None, "Vehicle assembly labor", "Plant 1", "US"),
    ("material", 4300, 24.10, None, None, "Parts from high-wage plants", "Various", "US"),
    ("material", 900, 6.10, None, None, "Parts from low-wage plants", "Various", "MX"),
    ("technology", 20000000, None, None, None, "R&D and IT wages", "HQ", "US"),
    ("assembly_plant", None, 27.00, "engine", 250000, "Engine plant", "Engine 1", "US"),
]
README = [
    "rvc input workbook (format v1). Sheets: Vehicle (required), BOM (required),",
    "SteelAluminum and LVC (optional: without them those requirements are not evaluated).",
    "Headers match case-insensitively; spaces, hyphens and underscores are alike.",
    "A line's value is quantity x unit_cost. Blank originating on a line with components:",
    "worked out from them. Blank on a part without components: unknown, counted as",
    "non-originating and listed as an assumption. Run: rvc check this-file.xlsx",
]


def write_template(path: Path) -> None:
    """Write the template workbook."""
    sheets: list[tuple[str, Sequence[Sequence[Any]]]] = [
        ("Vehicle", [("field", "value", "meaning"), *VEHICLE_ROWS]),
        ("BOM", [BOM_HEADER, *BOM_ROWS]),
        ("SteelAluminum", [METAL_HEADER, *METAL_ROWS]),
        ("LVC", [LVC_HEADER, *LVC_ROWS]),
        ("ReadMe", [(line,) for line in README]),
    ]
    write_workbook(path, sheets)


def write_workbook(path: Path, sheets: Iterable[tuple[str, Sequence[Sequence[Any]]]]) -> None:
    """Write sheets of rows to an .xlsx, bold headers, dates formatted, reproducible bytes."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    book.remove(book.active)
    for name, rows in sheets:
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        if name != "ReadMe" and rows:
            for cell in sheet[1]:
                cell.font = Font(bold=True)
            sheet.freeze_panes = "A2"
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
