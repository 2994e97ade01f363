"""`rvc diff`: hand-computed comparisons of small workbooks, exit codes, errors, the formats.

The base vehicle (net cost 40,000, on 2024-01-15: vehicle RVC 75% required) has six core
parts declared originating (21,500, each a leaf: 0 non-originating under both readings),
purchases and LVC that pass, and non-core lines declared non-originating:

    SEATS 2,000 + WHEELS 4 x 250 + HARNESS 800 + TRIM 8,200 = 12,000 VNM
    RVC = (40,000 - 12,000) / 40,000 = 70%  -> vehicle-rvc fails, verdict fail

Re-sourcing SEATS from N to Y takes 2,000 off the VNM: (40,000 - 10,000) / 40,000 = 75%,
vehicle-rvc passes (>= 75), verdict pass.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from rvc.contract import CONTRACT
from tests.conftest import ROOT

SCHEMA = json.loads((ROOT / "rvc" / "reporters" / "diff.schema.json").read_text())
COLUMNS = CONTRACT["BOM"]
VEHICLE = {
    "model_line": "Diff Sedan",
    "vehicle_class": "passenger_vehicle",
    "hs_subheading": "8703.23",
    "as_of": "2024-01-15",
    "net_cost": 40000,
}
CORE = [
    {"part_number": "ENG", "unit_cost": 6000, "originating": "Y", "core_part": "engine"},
    {"part_number": "TRN", "unit_cost": 3000, "originating": "Y", "core_part": "transmission"},
    {"part_number": "BODY", "unit_cost": 8000, "originating": "Y", "core_part": "body_chassis"},
    {
        "part_number": "AXL",
        "quantity": 2,
        "unit_cost": 1000,
        "originating": "Y",
        "core_part": "axle",
    },
    {"part_number": "SUSP", "unit_cost": 1500, "originating": "Y", "core_part": "suspension"},
    {"part_number": "STEER", "unit_cost": 1000, "originating": "Y", "core_part": "steering"},
]
SEATS = {
    "part_number": "SEATS",
    "description": "Front seats",
    "unit_cost": 2000,
    "originating": "N",
    "supplier": "Asientos Import",
    "country": "CN",
}
WHEELS = {"part_number": "WHEELS", "quantity": 4, "unit_cost": 250, "originating": "N"}
HARNESS = {"part_number": "HARNESS", "unit_cost": 800, "originating": "N"}
TRIM = {"part_number": "TRIM", "unit_cost": 8200, "originating": "N"}
GLASS = {"part_number": "GLASS", "unit_cost": 700, "originating": "Y"}
PURCHASES = {
    "SteelAluminum": [
        ("material", "value", "originating", "melted_and_poured"),
        ("steel", 800000, "Y", "Y"),
        ("steel", 200000, "N", "N"),
        ("aluminum", 300000, "Y", None),
        ("aluminum", 100000, "N", None),
    ],
    "LVC": [
        ("category", "amount", "hourly_wage"),
        ("material", 16000, 20),
        ("labor", 2000, 25),
    ],
}
BASE = [*CORE, SEATS, WHEELS, HARNESS, TRIM]
RESOURCED = [
    *CORE,
    {**SEATS, "originating": "Y", "supplier": "Asientos del Norte", "country": "MX"},
    WHEELS,
    HARNESS,
    TRIM,
]


@pytest.fixture
def write(workbook):
    def _write(name: str, lines: list[dict[str, Any]], **vehicle: Any) -> Path:
        return workbook({**VEHICLE, **vehicle}, lines, columns=COLUMNS, sheets=PURCHASES, name=name)

    return _write


def _json(cli, old: Path, new: Path, *options: str) -> tuple[int, dict[str, Any]]:
    done = cli("diff", old, new, "-f", "json", *options)
    assert done.exit_code in (0, 1), done.stderr
    document = json.loads(done.stdout)
    jsonschema.validate(document, SCHEMA)
    return done.exit_code, document


def _requirement(document: dict[str, Any], rid: str) -> dict[str, Any]:
    return next(r for r in document["requirements"] if r["id"] == rid)


def test_one_line_resourced_from_n_to_y_moves_the_rvc_from_70_to_75(cli, write):
    old = write("old.xlsx", BASE)
    new = write("new.xlsx", RESOURCED)
    code, document = _json(cli, old, new)
    assert code == 0  # the new BOM passes
    rvc = _requirement(document, "vehicle-rvc")
    assert rvc["value"] == {"old": 70, "new": 75}
    assert rvc["delta_points"] == 5
    assert rvc["status"] == {"old": "fail", "new": "pass"}
    assert rvc["regressed"] is False
    assert document["verdict"] == {"old": "fail", "new": "pass"}
    for reading in ("us-cbp", "roll-up"):  # declared-Y leaf core parts: the same both ways
        assert document["readings"][reading]["vehicle_rvc"] == {"old": 70, "new": 75}
        assert document["readings"][reading]["verdict"] == {"old": "fail", "new": "pass"}
    lines = document["lines"]
    assert [c["key"] for c in lines["resourced"]] == ["SEATS"]
    assert lines["added"] == lines["removed"] == lines["repriced"] == lines["other"] == []
    assert lines["unchanged"] == 9
    seats = lines["resourced"][0]
    assert {c["field"]: (c["old"], c["new"]) for c in seats["changes"]} == {
        "originating": (False, True),
        "supplier": ("Asientos Import", "Asientos del Norte"),
        "country": ("CN", "MX"),
    }
    assert seats["non_originating_delta"] == -2000  # its whole value leaves the VNM
    assert seats["value_in_vehicle_delta"] == 0
    assert seats["old"]["origin"] == "non_originating" and seats["new"]["origin"] == "originating"
    assert document["old"]["non_originating_value"] == 12000
    assert document["new"]["non_originating_value"] == 10000
    assert document["summary"] == (
        "vehicle-rvc 70.00% -> 75.00% (+5.00 pts): PASS now (was FAIL); verdict fail -> pass; "
        "1 line re-sourced"
    )


def test_added_removed_and_repriced_lines_sorted_by_effect(cli, write):
    """From the 75% BOM: HARNESS (800, N) removed; MIRROR (2 x 150, N) added; WHEELS
    re-priced 250 -> 300 (x4: +200, N); GLASS (Y) quantity 1 -> 2 (+700 of value, no VNM).
    VNM 10,000 - 800 + 300 + 200 = 9,700: RVC (40,000 - 9,700) / 40,000 = 75.75%."""
    old = write("old.xlsx", RESOURCED + [GLASS])
    mirror = {"part_number": "MIRROR", "quantity": 2, "unit_cost": 150, "originating": "N"}
    new_lines = [
        *CORE,
        RESOURCED[6],
        {**WHEELS, "unit_cost": 300},
        TRIM,
        {**GLASS, "quantity": 2},
        mirror,
    ]
    new = write("new.xlsx", new_lines)
    code, document = _json(cli, old, new)
    assert code == 0
    rvc = _requirement(document, "vehicle-rvc")
    assert rvc["value"] == {"old": 75, "new": 75.75}
    assert rvc["delta_points"] == 0.75
    lines = document["lines"]
    assert [c["key"] for c in lines["removed"]] == ["HARNESS"]
    assert [c["key"] for c in lines["added"]] == ["MIRROR"]
    assert [c["key"] for c in lines["repriced"]] == ["WHEELS", "GLASS"]
    assert lines["removed"][0]["non_originating_delta"] == -800
    assert lines["removed"][0]["value_in_vehicle_delta"] == -800
    assert lines["added"][0]["non_originating_delta"] == 300
    wheels, glass = lines["repriced"]
    assert wheels["changes"] == [{"field": "unit_cost", "old": 250, "new": 300}]
    assert (wheels["value_in_vehicle_delta"], wheels["non_originating_delta"]) == (200, 200)
    assert glass["changes"] == [{"field": "quantity", "old": 1, "new": 2}]
    assert (glass["value_in_vehicle_delta"], glass["non_originating_delta"]) == (700, 0)
    assert lines["unchanged"] == 8
    assert lines["unchanged_non_originating_delta"] == 0
    # the table lists them largest effect first: -800, +300, +200, then 0 (by value, +700)
    done = cli("diff", old, new)
    order = [done.stdout.index(f"{name} ") for name in ("HARNESS", "MIRROR", "WHEELS", "GLASS")]
    assert order == sorted(order)
    assert document["summary"].endswith("; 2 lines re-priced, 1 added, 1 removed")


def test_a_changed_parent_quantity_moves_unchanged_lines_as_a_knock_on(cli, write):
    """ASSY (blank, no HS code: no threshold applies, so its components' content counts)
    holds C1 (N, 100) and C2 (Y, 50). ASSY's quantity 1 -> 2: the VNM rises by 100, all of it
    attributed to C1, which did not change: the knock-on. RVC (40,000 - 10,100)/40,000."""
    assy = [
        {"part_number": "ASSY", "unit_cost": 200},
        {"part_number": "C1", "parent": "ASSY", "unit_cost": 100, "originating": "N"},
        {"part_number": "C2", "parent": "ASSY", "unit_cost": 50, "originating": "Y"},
    ]
    old = write("old.xlsx", RESOURCED + assy)
    new = write("new.xlsx", RESOURCED + [{**assy[0], "quantity": 2}, *assy[1:]])
    _, document = _json(cli, old, new)
    assert _requirement(document, "vehicle-rvc")["value"] == {"old": 74.75, "new": 74.5}
    changed = document["lines"]["repriced"]
    assert [c["key"] for c in changed] == ["ASSY"]
    assert changed[0]["value_in_vehicle_delta"] == 200
    assert changed[0]["non_originating_delta"] == 0  # its content is its components'
    assert document["lines"]["unchanged_non_originating_delta"] == 100
    total = document["new"]["non_originating_value"] - document["old"]["non_originating_value"]
    assert total == 100


def test_identical_files_report_nothing_and_exit_by_verdict(cli, write):
    for lines, verdict, code in ((BASE, "fail", 1), (RESOURCED, "pass", 0)):
        old = write("old.xlsx", lines)
        new = write("new.xlsx", lines)
        got, document = _json(cli, old, new)
        assert got == code
        assert document["verdict"] == {"old": verdict, "new": verdict}
        assert all(document["lines"][k] == [] for k in ("added", "removed", "resourced"))
        assert document["lines"]["unchanged"] == 10
        assert all(
            r["delta_points"] == 0
            for r in document["requirements"]
            if r["delta_points"] is not None
        )
        assert document["summary"].endswith(f"verdict {verdict}; no line changed")
        table = cli("diff", old, new)
        assert table.exit_code == code
        assert "Lines changed: none; 10 unchanged" in table.stdout


def test_fail_on_regression_exits_1_only_when_a_status_got_worse(cli, write):
    passing, failing = write("pass.xlsx", RESOURCED), write("fail.xlsx", BASE)
    assert cli("diff", passing, failing, "--fail-on-regression").exit_code == 1
    assert cli("diff", failing, failing, "--fail-on-regression").exit_code == 0
    assert cli("diff", failing, passing, "--fail-on-regression").exit_code == 0
    assert cli("diff", failing, failing).exit_code == 1


def test_a_bad_second_file_exits_2_naming_it(cli, write):
    old = write("old.xlsx", BASE)
    new = write("new.xlsx", [*BASE[:-1], {**TRIM, "unit_cost": -5}])
    done = cli("diff", old, new, "-f", "json")
    assert done.exit_code == 2
    assert done.stdout == ""
    assert done.stderr.startswith(f"rvc: error: {new}: BOM!F")
    assert "negative" in done.stderr and done.stderr.count("\n") == 1
    done = cli("diff", new, old)
    assert done.exit_code == 2 and done.stderr.startswith(f"rvc: error: {new}: ")
    missing = old.parent / "missing.xlsx"
    done = cli("diff", old, missing)
    assert done.exit_code == 2 and str(missing) in done.stderr


def test_workbooks_in_different_currencies_are_refused(cli, write):
    old = write("old.xlsx", BASE)
    new = write("new.xlsx", BASE, currency="CAD")
    done = cli("diff", old, new)
    assert done.exit_code == 2
    assert done.stderr.startswith(f"rvc: error: {new}: Vehicle: currency: is CAD but {old}")


def test_both_are_evaluated_on_the_new_workbooks_date_or_the_option(cli, write):
    old = write("old.xlsx", BASE, as_of="2020-08-01")  # 62.5% then: it would pass alone
    new = write("new.xlsx", BASE)
    _, document = _json(cli, old, new)
    assert document["as_of"] == "2024-01-15" and document["as_of_source"] == "new"
    assert document["old"]["workbook_as_of"] == "2020-08-01"
    assert _requirement(document, "vehicle-rvc")["threshold"] == {"old": 75, "new": 75}
    _, document = _json(cli, old, new, "--as-of", "2020-08-01")
    assert document["as_of_source"] == "option"
    assert document["verdict"] == {"old": "pass", "new": "pass"}
    done = cli("diff", old, new)
    assert "As of:  2024-01-15 (the new workbook's as_of), for both" in done.stdout


def test_vehicle_sheet_changes_are_reported(cli, write):
    old = write("old.xlsx", RESOURCED)
    new = write("new.xlsx", RESOURCED, net_cost=50000)  # VNM 10,000: RVC 80%
    _, document = _json(cli, old, new)
    assert document["vehicle_changes"] == [{"field": "net_cost", "old": 40000, "new": 50000}]
    assert _requirement(document, "vehicle-rvc")["value"] == {"old": 75, "new": 80}
    assert "vehicle: net_cost 40000 -> 50000" in document["summary"]


def test_level_coded_lines_match_by_path_not_by_row(cli, workbook):
    """An inserted row shifts every row key (#row12) of a level-coded BOM; lines still match
    by their path of part numbers, so only the inserted line shows."""
    columns = ("level", "part_number", "quantity", "unit_cost", "originating", "core_part")
    core = [
        (1, c["part_number"], c.get("quantity", 1), c["unit_cost"], "Y", c["core_part"])
        for c in CORE
    ]
    body = [
        (1, "DOOR", 2, 400, None, None),
        (2, "HINGE", 2, 10, "N", None),
        (2, "PANEL", 1, 100, "Y", None),
        (1, "TRIM", 1, 8200, "N", None),
    ]
    old = workbook(VEHICLE, core + body, columns=columns, sheets=PURCHASES, name="old.xlsx")
    inserted = [*body[:1], (2, "SEAL", 1, 5, "N", None), *body[1:]]
    new = workbook(VEHICLE, core + inserted, columns=columns, sheets=PURCHASES, name="new.xlsx")
    _, document = _json(cli, old, new)
    lines = document["lines"]
    assert [c["key"] for c in lines["added"]] == ["DOOR > SEAL"]
    assert lines["added"][0]["non_originating_delta"] == 10  # 2 doors x 1 x 5
    assert lines["removed"] == lines["resourced"] == lines["repriced"] == lines["other"] == []
    assert lines["unchanged"] == 10


def test_table_and_markdown_never_interpret_input_text(cli, write):
    old = write("old.xlsx", BASE)
    new = write(
        "new.xlsx",
        [
            *BASE,
            {
                "part_number": "X|1",
                "description": "[bold]cam[/bold] <b>*x*</b>",
                "unit_cost": 10,
                "originating": "N",
            },
        ],
    )
    table = cli("diff", old, new)
    assert "[bold]cam[/bold]" in table.stdout
    markdown = cli("diff", old, new, "-f", "markdown")
    assert r"X\|1 \[bold\]cam\[/bold\] \<b>\*x\*\</b>" in markdown.stdout
    assert markdown.stdout.startswith("### rvc diff: ")


def test_markdown_caps_the_changed_lines_at_50(cli, write):
    extra = [{"part_number": f"P{i:03}", "unit_cost": 1 + i, "originating": "N"} for i in range(60)]
    old = write("old.xlsx", BASE)
    new = write("new.xlsx", BASE + extra)
    markdown = cli("diff", old, new, "-f", "markdown").stdout
    assert markdown.count("| added |") == 50
    assert "... and 10 more changed lines" in markdown
    assert "| P059 | added |" in markdown  # the largest first
    assert "| P000 |" not in markdown


def test_output_file(cli, write, tmp_path):
    old = write("old.xlsx", BASE)
    new = write("new.xlsx", RESOURCED)
    target = tmp_path / "diff.md"
    done = cli("diff", old, new, "-f", "markdown", "-o", target)
    assert done.exit_code == 0 and done.stdout == ""
    assert "new verdict pass" in done.stderr
    assert target.read_text(encoding="utf-8").startswith("### rvc diff")
    done = cli("diff", old, new, "-o", new)
    assert done.exit_code == 2 and "is one of the BOMs" in done.stderr


def test_attribution_sums_to_the_vnm_on_the_shipped_sedan(pack):
    """The changed lines' effects plus the knock-on add up to the VNM's change."""
    import datetime as dt

    from rvc.engine import evaluate
    from rvc.engine.diff import compare
    from rvc.readers import read_bom
    from tests.conftest import EXAMPLES

    bill = read_bom(EXAMPLES / "sedan_pass.xlsx", today=dt.date(2026, 11, 23))
    empty = read_bom(EXAMPLES / "sedan_pass.xlsx", today=dt.date(2026, 11, 23))
    empty.lines = [line for line in empty.lines if line.parent is None and not line.core_part][:1]
    on = bill.as_of
    diff = compare(
        empty, evaluate(empty, pack, on), bill, evaluate(bill, pack, on), as_of_source="new"
    )
    added = sum((c.non_originating_delta for c in diff.lines), Decimal(0)) + diff.knock_on
    assert added == diff.new.vnm - diff.old.vnm


# --- golden files: a pair derived from the shipped sedan ------------------------------------

GOLDEN = Path(__file__).resolve().parent / "golden"


def _sedan_pair(directory: Path) -> tuple[Path, Path]:
    """The shipped sedan, and a copy with the BOM edited (written reproducibly):

    - ENG-1100 cylinder block re-sourced: Y, Fundidora del Norte (MX) -> N, Kolben AG (DE);
    - ENG-1230 fuel injector re-priced 38 -> 52 (x4), which takes the cylinder head assembly
      ENG-1200 below its threshold: it counts differently now, unchanged itself;
    - ENG-VLV-005 removed; NAV-1 added (its description holds Markdown and rich markup).
    """
    import shutil

    from openpyxl import load_workbook

    from rvc.reporters.template import write_workbook
    from tests.conftest import EXAMPLES

    old = directory / "sedan_pass.xlsx"
    shutil.copyfile(EXAMPLES / "sedan_pass.xlsx", old)
    book = load_workbook(old)
    sheets = {
        name: [list(r) for r in book[name].iter_rows(values_only=True)] for name in book.sheetnames
    }
    bom = sheets["BOM"]
    header = bom[0]
    col = {name: header.index(name) for name in header}
    rows = {r[col["part_number"]]: r for r in bom[1:]}
    block = rows["ENG-1100"]
    block[col["originating"]], block[col["supplier"]], block[col["country"]] = (
        "N",
        "Kolben AG",
        "DE",
    )
    rows["ENG-1230"][col["unit_cost"]] = 52
    bom.remove(rows["ENG-VLV-005"])
    added = [None] * len(header)
    for name, value in (
        ("part_number", "NAV-1"),
        ("description", "Navigation unit [v2] | *EU* <b>"),
        ("hs_code", "8526.91"),
        ("quantity", 1),
        ("unit_cost", 350),
        ("originating", "N"),
        ("supplier", "Navi|Tech"),
        ("country", "CN"),
    ):
        added[col[name]] = value
    bom.append(added)
    new = directory / "sedan_changed.xlsx"
    write_workbook(new, list(sheets.items()))
    return old, new


def _compare_golden(request, name: str, text: str) -> None:
    path = GOLDEN / name
    if request.config.getoption("--update-golden"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden file {name}: run pytest --update-golden"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs (pytest --update-golden)"


@pytest.fixture
def sedan_diff(tmp_path, monkeypatch):
    import datetime as dt

    from rvc.commands import compare_boms

    old, new = _sedan_pair(tmp_path)
    monkeypatch.chdir(tmp_path)
    return compare_boms(
        old=Path(old.name),
        new=Path(new.name),
        rules=None,
        as_of=None,
        today=dt.date(2026, 11, 23),
        core_reading=None,
        config=None,
    )


def test_sedan_diff_golden_json(sedan_diff, request):
    import io

    from rvc.reporters.diff import render_json

    stream = io.StringIO()
    render_json(sedan_diff, stream)
    document = json.loads(stream.getvalue())
    jsonschema.validate(document, SCHEMA)
    lines = document["lines"]
    assert [c["key"] for c in lines["resourced"]] == ["ENG-1100"]
    assert [c["key"] for c in lines["repriced"]] == ["ENG-1230"]
    assert [c["key"] for c in lines["removed"]] == ["ENG-VLV-005"]
    assert [c["key"] for c in lines["added"]] == ["NAV-1"]
    assert [c["key"] for c in lines["recounted"]] == ["ENG-1200"]
    changed = sum(
        Decimal(str(c["non_originating_delta"]))
        for k in ("added", "removed", "resourced", "repriced", "other")
        for c in lines[k]
    )
    total = Decimal(str(document["new"]["non_originating_value"])) - Decimal(
        str(document["old"]["non_originating_value"])
    )
    assert changed + Decimal(str(lines["unchanged_non_originating_delta"])) == total
    _compare_golden(request, "diff_sedan.json", stream.getvalue())


def test_sedan_diff_golden_table(sedan_diff, request):
    import io

    from rvc.reporters.diff_table import render

    stream = io.StringIO()
    render(sedan_diff, stream, width=100, color=False)
    assert "\x1b[" not in stream.getvalue()
    assert "[v2]" in stream.getvalue() and "Navi|Tech" in stream.getvalue()
    _compare_golden(request, "diff_sedan.txt", stream.getvalue())


def test_sedan_diff_golden_markdown(sedan_diff, request):
    import io

    from rvc.reporters.diff import render_markdown

    stream = io.StringIO()
    render_markdown(sedan_diff, stream)
    _compare_golden(request, "diff_sedan.md", stream.getvalue())


def test_an_xlsx_and_its_csv_export_do_not_differ(cli):
    from tests.conftest import EXAMPLES

    code, document = _json(cli, EXAMPLES / "sedan_pass.xlsx", EXAMPLES / "sedan_pass_csv")
    assert code == 0
    assert document["lines"]["unchanged"] == 348
    assert document["summary"].endswith("verdict pass; no line changed")
    assert document["vehicle_changes"] == []


def test_a_level_coded_bom_matches_the_same_bom_with_a_parent_column(cli, workbook, write):
    columns = ("level", "part_number", "quantity", "unit_cost", "originating", "core_part")
    core = [
        (1, c["part_number"], c.get("quantity", 1), c["unit_cost"], "Y", c["core_part"])
        for c in CORE
    ]
    body = [
        (1, "DOOR", 2, 400, None, None),
        (2, "HINGE", 2, 10, "N", None),
        (1, "TRIM", 1, 8200, "N", None),
    ]
    old = workbook(VEHICLE, core + body, columns=columns, sheets=PURCHASES, name="old.xlsx")
    door = [
        {"part_number": "DOOR", "quantity": 2, "unit_cost": 400},
        {
            "part_number": "HINGE",
            "parent": "DOOR",
            "quantity": 2,
            "unit_cost": 10,
            "originating": "N",
        },
        TRIM,
    ]
    new = write("new.xlsx", [*CORE, *door])
    _, document = _json(cli, old, new)
    assert document["lines"]["unchanged"] == 9
    assert document["summary"].endswith("no line changed")


def test_a_change_of_vehicle_class_shows_requirements_on_one_side_only(cli, write):
    old = write("old.xlsx", RESOURCED)
    new = write("new.xlsx", RESOURCED, vehicle_class="heavy_truck", hs_subheading=None)
    _, document = _json(cli, old, new)
    core = _requirement(document, "core-parts")
    assert core["status"]["old"] == "pass" and core["status"]["new"] is None
    assert core["delta_points"] is None and core["regressed"] is False
    assert "core-parts no longer applies (was PASS)" in document["summary"]
    assert {"field": "vehicle_class", "old": "passenger_vehicle", "new": "heavy_truck"} in document[
        "vehicle_changes"
    ]


def test_a_line_moved_or_reclassified_is_an_other_change(cli, write):
    """HINGE (N, 2 x 10) moves from DOOR (2 per vehicle) to the vehicle: 40 -> 20 of VNM;
    TRIM gets an HS code and a description: listed, no effect."""
    door = [
        {"part_number": "DOOR", "quantity": 2, "unit_cost": 400, "originating": "N"},
        {
            "part_number": "HINGE",
            "parent": "DOOR",
            "quantity": 2,
            "unit_cost": 10,
            "originating": "N",
        },
    ]
    old = write("old.xlsx", [*RESOURCED, *door])
    moved = [door[0], {**door[1], "parent": None}]
    trim = {**TRIM, "hs_code": "8708.29", "description": "Interior trim"}
    new = write("new.xlsx", [*RESOURCED[:-1], trim, *moved])
    _, document = _json(cli, old, new)
    other = {c["key"]: c for c in document["lines"]["other"]}
    assert set(other) == {"HINGE", "TRIM"}
    assert other["HINGE"]["changes"] == [{"field": "parent", "old": "DOOR", "new": None}]
    # DOOR is declared N: its whole value counts, the hinge inside it adds nothing; on its
    # own at the top the hinge brings 2 x 10
    assert other["HINGE"]["non_originating_delta"] == 20
    assert other["HINGE"]["value_in_vehicle_delta"] == -20  # 4 x 10 -> 2 x 10
    assert [c["field"] for c in other["TRIM"]["changes"]] == ["hs_code", "description"]
    assert other["TRIM"]["non_originating_delta"] == 0
