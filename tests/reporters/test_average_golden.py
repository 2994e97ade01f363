"""Every output format of `rvc average` on one period of variants, compared with golden files.

The variants (written here, in a fixed temporary folder under relative paths so that the
reports do not depend on where the tests run):

* Aster, Oshawa (CA), passenger vehicles, fiscal year 2024: `aster_base` (1,000 units, RVC
  80%), `aster_sport` (200 units, 70%: fails alone), `aster_hybrid` (100 units, engine and
  body at the suppliers' 70% and 60%: its super-core 66% fails core parts alone; the period's
  engine and body averages, 97.7% and 96.9%, rescue them); the same SteelAluminum list (the
  producer's) in each, and LVC rows (45 points).
* Boreal, Oshawa, a light truck at 76% (its own group: another model line), no LVC sheet.
* `aster_2023`: a workbook of the previous fiscal year, left out.

Regenerate after an intended change with `pytest tests/reporters --update-golden`, then review
the diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import ROOT
from tests.test_average import variant

GOLDEN = ROOT / "tests" / "golden"
SCHEMA = json.loads((ROOT / "rvc" / "reporters" / "average.schema.json").read_text())
SUFFIX = {"table": "txt", "json": "json", "junit": "junit.xml", "github": "github.txt",
          "markdown": "md"}  # fmt: skip
STEEL = [("material", "value", "originating", "melted_and_poured"),
         ("steel", 700000, "Y", "Y"), ("steel", 200000, "N", "N"),
         ("aluminum", 90000, "Y", None), ("aluminum", 10000, "N", None)]  # fmt: skip
LVC = [("category", "amount", "hourly_wage", "wage_currency"),
       ("material", 3600, 24, "USD"), ("labor", 900, 30, "CAD")]  # fmt: skip


def write_period(folder: Path) -> None:
    """The variants of the docstring."""
    sheets = {"SteelAluminum": STEEL, "LVC": LVC}
    eng, body = ("ENG", 3000, "Y", "engine", None), ("BODY", 2000, "Y", "body_chassis", None)
    variant(folder, "aster_base.xlsx", [eng, body, ("SEATS", 2000, "N", None, None)],
            volume=1000, sheets=sheets, as_of="2024-06-15")  # fmt: skip
    variant(folder, "aster_sport.xlsx", [eng, body, ("SEATS", 2000, "N", None, None),
                                         ("AUDIO", 1000, "N", None, None)],
            volume=200, sheets=sheets, as_of="2024-06-15")  # fmt: skip
    variant(folder, "aster_hybrid.xlsx", [("ENG", 3000, None, "engine", 70),
                                          ("BODY", 2000, None, "body_chassis", 60),
                                          ("SEATS", 1500, "N", None, None)],
            volume=100, sheets=sheets, as_of="2024-06-15")  # fmt: skip
    variant(folder, "boreal.xlsx", [eng, body, ("BED", 2400, "N", None, None)],
            model_line="Boreal", vehicle_class="light_truck", volume=400,
            sheets={"SteelAluminum": STEEL}, as_of="2024-06-15")  # fmt: skip
    variant(folder, "aster_2023.xlsx", [eng, body, ("SEATS", 5000, "N", None, None)],
            period={"period_start": "2023-01-01", "period_end": "2023-12-31"},
            as_of="2023-06-15")  # fmt: skip


@pytest.fixture
def period(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write_period(Path("variants"))
    return Path("variants")


def _compare(request: Any, path: Path, text: str) -> None:
    if request.config.getoption("--update-golden"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path.name}: run pytest --update-golden"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs (pytest --update-golden)"


@pytest.mark.parametrize("fmt", list(SUFFIX))
def test_average_formats_golden(fmt: str, period: Path, cli: Any, request: Any) -> None:
    done = cli("average", period, "--category", "model-line-plant", "--period",
               "2024-01-01..2024-12-31", "-f", fmt, "-j", "1")  # fmt: skip
    assert done.exit_code == 1  # Boreal has no LVC sheet: incomplete
    if fmt == "json":
        jsonschema.validate(json.loads(done.stdout), SCHEMA)
    _compare(request, GOLDEN / f"average.{SUFFIX[fmt]}", done.stdout)


def test_files_by_suffix_and_the_verdict_line(period: Path, cli: Any, tmp_path: Path) -> None:
    outputs = [tmp_path / f"out.{s}" for s in ("json", "xml", "md", "txt", "xlsx")]
    args = [a for path in outputs for a in ("-o", path)]
    done = cli("average", period, "--category", "model-line-plant", "--period",
               "2024-01-01..2024-12-31", "-j", "1", *args)  # fmt: skip
    assert done.exit_code == 1
    assert done.stdout.startswith("Verdict: INCOMPLETE - 2 averages of 4 workbooks")
    for path in outputs:
        assert f"rvc: wrote {path} (verdict incomplete)" in done.stderr
    assert json.loads(outputs[0].read_text())["kind"] == "average"
    assert outputs[1].read_text().startswith('<?xml version="1.0" encoding="UTF-8"?>')


def test_bad_input_in_every_format(period: Path, cli: Any, tmp_path: Path) -> None:
    variant(period, "zz_bad.xlsx", [("ENG", 3000, "Y", "engine", None)], volume=None)
    report = tmp_path / "stale.xlsx"
    report.write_bytes(b"an earlier run's workbook")
    for fmt in ("json", "junit", "github", "markdown"):
        done = cli("average", period, "--category", "class", "-f", fmt, "-o", report, "-j", "1")
        assert done.exit_code == 2
        assert done.stderr.startswith(
            "rvc: error: variants/zz_bad.xlsx: sheet 'Vehicle': volume is missing"
        )
        assert "zz_bad.xlsx" in done.stdout
        assert not report.exists()  # an xlsx cannot say "bad input": no stale report is left
    table = cli("average", period, "--category", "class", "-j", "1")
    assert table.exit_code == 2 and table.stdout == ""
