"""The built-in example vehicle of `rvc explain`: a small BOM, its steel and aluminum
purchases and its LVC rows, as the readers would build them from a workbook.

Only inputs live here. Every figure `rvc explain` prints about it (VNM, RVC, shares, points,
pass or fail) is computed by the engine on the date asked for, against the rule pack loaded,
so the worked example follows the rules when they change and never shows a stale number.
"""

from __future__ import annotations

from decimal import Decimal

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
