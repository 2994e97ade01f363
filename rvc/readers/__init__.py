"""Readers: files in, `BillOfMaterials` out (xlsx via a guarded python-calamine, or CSV)."""

from rvc.readers.workbook import check_vehicle, read_bom

__all__ = ["check_vehicle", "read_bom"]
