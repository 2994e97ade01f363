"""The built-in example vehicle of `rvc explain`: a small BOM, its steel and aluminum
purchases and its LVC rows, as the readers would build them from a workbook.

Only inputs live here. Every figure `rvc explain` prints about it (VNM, RVC, shares, points,
pass or fail) is computed by the engine on the date asked for, against the rule pack loaded,
so the worked example follows the rules when they change and never shows a stale number.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from rvc.model import BillOfMaterials, BomLine, LvcRow, MetalPurchase, Vehicle

MODEL_LINE = "rvc explain example"


def _line(row: int, part: str, description: str, cost: str, **fields: object) -> BomLine:
    return BomLine(
        row=row,
        part_number=part,
        key=part,
        description=description,
        unit_cost=Decimal(cost),
        **fields,  # type: ignore[arg-type]
    )


def example_bom(vehicle_class: str) -> BillOfMaterials:
    """The example vehicle, as a vehicle of `vehicle_class`."""
    lines = [
        _line(
            2,
            "ENG-1",
            "Engine assembly (origin worked out from its components)",
            "6000",
            core_part="engine",
            hs_code="840734",
        ),
        _line(3, "ENG-1-BLK", "Cylinder block", "3500", parent="ENG-1", originating=True),
        _line(4, "ENG-1-TRB", "Turbocharger, imported", "1000", parent="ENG-1", originating=False),
        _line(
            5,
            "ENG-1-ECU",
            "Engine control unit, imported",
            "300",
            parent="ENG-1",
            originating=False,
        ),
        _line(
            6,
            "TRN-1",
            "Transmission, supplier-certified RVC 72%",
            "3000",
            core_part="transmission",
            hs_code="870840",
            originating=False,
            rvc_percent=Decimal(72),
        ),
        _line(7, "BDY-1", "Body panels", "9000", originating=True),
        _line(8, "SEAT-1", "Seats, origin not declared", "1200"),
        _line(9, "INF-1", "Infotainment unit, imported", "1500", originating=False),
        _line(10, "TIR-1", "Tyres", "800", originating=True),
    ]
    metals = [
        MetalPurchase(
            row=2,
            material="steel",
            value=Decimal(600000),
            originating=True,
            melted_and_poured=True,
            description="Coil, melted and poured in NA",
        ),
        MetalPurchase(
            row=3,
            material="steel",
            value=Decimal(150000),
            originating=True,
            melted_and_poured=None,
            description="Sheet, melting not shown",
        ),
        MetalPurchase(
            row=4,
            material="steel",
            value=Decimal(250000),
            originating=False,
            description="Imported sheet",
        ),
        MetalPurchase(
            row=5,
            material="aluminum",
            value=Decimal(400000),
            originating=True,
            description="Extrusions",
        ),
        MetalPurchase(
            row=6,
            material="aluminum",
            value=Decimal(100000),
            originating=False,
            description="Imported castings",
        ),
    ]
    lvc = [
        LvcRow(
            row=2,
            category="material",
            amount=Decimal(6000),
            hourly_wage=Decimal(20),
            description="Parts from high-wage plants",
        ),
        LvcRow(
            row=3,
            category="labor",
            amount=Decimal(2500),
            hourly_wage=Decimal(25),
            description="Assembly labor",
        ),
        LvcRow(
            row=4,
            category="material",
            amount=Decimal(1500),
            hourly_wage=Decimal(8),
            description="Parts from low-wage plants",
        ),
        LvcRow(
            row=5, category="technology", amount=Decimal(8000000), description="R&D and IT wages"
        ),
        LvcRow(
            row=6,
            category="assembly_plant",
            hourly_wage=Decimal(27),
            assembly_type="engine",
            annual_capacity=Decimal(150000),
            description="Engine plant",
        ),
    ]
    return BillOfMaterials(
        vehicle=Vehicle(
            model_line=MODEL_LINE,
            vehicle_class=vehicle_class,
            net_cost=Decimal(30000),
            production_wages_total=Decimal(100000000),
        ),
        lines=lines,
        has_core_part_column=True,
        metals=metals,
        lvc=lvc,
    )


# -- the example rows of `rvc template` ----------------------------------------------------
# The template's worked example, row by row in the contract's column order. They live here,
# below the readers and the reporters, because both need them: the template writes them, and
# the workbook reader refuses its example purchase and LVC rows when they are left in beside a
# BOM of the user's own (they would be evaluated as the producer's figures).

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
METAL_ROWS: list[tuple[Any, ...]] = [
    ("steel", 1200000, "Y", "Y", "Cold-rolled coil", "US Steel Works"),
    ("steel", 300000, "N", None, "Galvanized sheet", "Overseas Mill"),
    ("aluminum", 400000, "Y", None, "Sheet 6xxx", "Alcan Plant"),
]
LVC_ROWS: list[tuple[Any, ...]] = [
    ("labor", 2100, 28.40, None, None, "Vehicle assembly labor", "Plant 1", "US"),
    ("material", 4300, 24.10, None, None, "Parts from high-wage plants", "Various", "US"),
    ("material", 900, 6.10, None, None, "Parts from low-wage plants", "Various", "MX"),
    ("technology", 20000000, None, None, None, "R&D and IT wages", "HQ", "US"),
    ("assembly_plant", None, 27.00, "engine", 250000, "Engine plant", "Engine 1", "US"),
]
TEMPLATE_PART_NUMBERS = frozenset(row[0] for row in BOM_ROWS)


def is_template_metal(material: str, value: Decimal, description: str, supplier: str) -> bool:
    """Whether a SteelAluminum row is one of the template's example purchases."""
    return any(
        (material, value, description, supplier) == (row[0], row[1], row[4], row[5])
        for row in METAL_ROWS
    )


def is_template_lvc(category: str, amount: Decimal | None, description: str, plant: str) -> bool:
    """Whether an LVC row is one of the template's example rows."""
    return any(
        (category, amount, description, plant) == (row[0], row[1], row[5], row[6])
        for row in LVC_ROWS
    )
