"""Each output format on the shipped examples, compared with golden files.

Regenerate after an intended change with `pytest tests/reporters --update-golden`, then
review the diff: golden files are never edited by hand.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import jsonschema
import pytest

from rvc.engine import evaluate
from rvc.readers import read_bom
from rvc.reporters import json_report, terminal
from tests.conftest import ROOT

GOLDEN = Path(__file__).resolve().parent.parent / "golden"
EXAMPLES = ["sedan_pass", "ev_crossover_fail_battery", "heavy_truck_2027"]
SCHEMA = json.loads((ROOT / "rvc" / "reporters" / "report.schema.json").read_text())


def _report(name, pack, monkeypatch, **options):
    import datetime as dt

    monkeypatch.chdir(ROOT)
    bill = read_bom(Path("bills_of_materials") / f"{name}.xlsx", today=dt.date(2026, 11, 23))
    return evaluate(bill, pack, bill.as_of, as_of_source=bill.as_of_source, **options)


def _compare(request, path: Path, text: str) -> None:
    if request.config.getoption("--update-golden"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {path.name}: run pytest --update-golden"
    assert text == path.read_text(encoding="utf-8"), f"{path.name} differs (pytest --update-golden)"


@pytest.mark.parametrize("name", EXAMPLES)
def test_json_golden_and_schema(name, pack, monkeypatch, request):
    stream = io.StringIO()
    json_report.render(_report(name, pack, monkeypatch), stream)
    document = json.loads(stream.getvalue())
    jsonschema.validate(document, SCHEMA)
    _compare(request, GOLDEN / f"{name}.json", stream.getvalue())


@pytest.mark.parametrize("name", EXAMPLES)
def test_table_golden(name, pack, monkeypatch, request):
    stream = io.StringIO()
    terminal.render(_report(name, pack, monkeypatch), stream, width=100, color=False)
    text = stream.getvalue()
    assert "\x1b[" not in text  # no colour codes when colour is off
    _compare(request, GOLDEN / f"{name}.txt", text)


def test_panel_reading_json_validates(pack, monkeypatch):
    stream = io.StringIO()
    json_report.render(_report("sedan_pass", pack, monkeypatch, panel_reading=True), stream)
    document = json.loads(stream.getvalue())
    jsonschema.validate(document, SCHEMA)
    assert document["core_part_reading"] == "panel_2022"
