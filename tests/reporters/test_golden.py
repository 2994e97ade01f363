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
    json_report.render(_report("sedan_pass", pack, monkeypatch, reading="roll-up"), stream)
    document = json.loads(stream.getvalue())
    jsonschema.validate(document, SCHEMA)
    assert document["core_part_reading"] == "roll-up"
    assert document["readings"]["roll-up"]["vehicle_rvc"] == document["requirements"][0]["value"]


@pytest.mark.parametrize("name", EXAMPLES)
@pytest.mark.parametrize("fmt", ["junit", "github"])
def test_ci_formats_golden(name, fmt, pack, monkeypatch, request):
    from rvc.reporters import RENDERERS

    stream = io.StringIO()
    RENDERERS[fmt](_report(name, pack, monkeypatch), stream)
    suffix = {"junit": "junit.xml", "github": "github.txt"}[fmt]
    _compare(request, GOLDEN / f"{name}.{suffix}", stream.getvalue())


def test_junit_counts_and_parses(pack, monkeypatch):
    from xml.etree import ElementTree

    from rvc.reporters import junit

    stream = io.StringIO()
    junit.render(_report("ev_crossover_fail_battery", pack, monkeypatch), stream)
    root = ElementTree.fromstring(stream.getvalue().encode())
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("5", "2", "0")
    failed = {c.get("name") for c in suite.iter("testcase") if c.find("failure") is not None}
    assert failed == {"vehicle-rvc", "core-parts"}


def test_junit_not_evaluated_is_skipped_never_passed(cli, workbook):
    from xml.etree import ElementTree

    path = workbook(
        {}, [{"part_number": "E", "unit_cost": 1, "originating": "Y", "core_part": "engine"}]
    )
    done = cli("check", path, "-f", "junit")
    assert done.exit_code == 1
    suite = ElementTree.fromstring(done.stdout.encode()).find("testsuite")
    skipped = {c.get("name") for c in suite.iter("testcase") if c.find("skipped") is not None}
    assert skipped == {"steel", "aluminum", "lvc"}


def test_github_annotations_escape_workflow_syntax():
    from rvc.reporters.github import _data, _property

    assert _data("75% done\nnext") == "75%25 done%0Anext"
    assert _property("a: b, c") == "a%3A b%2C c"
