"""Many workbooks in one run: `rvc check PATH...`, `--jobs`, `--output-dir`, Dask.

Workbooks are generated in tmp; the 1,000-workbook batch is marked slow (CI runs it).
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest

from rvc.batch import batch_members, collect, output_names
from tests.conftest import EXAMPLES, ROOT

SCHEMA = json.loads((ROOT / "rvc" / "reporters" / "report.schema.json").read_text())
PASSING = [
    {"part_number": "ENG", "unit_cost": 9000, "originating": "Y", "core_part": "engine"},
    {"part_number": "SEAT", "unit_cost": 1000, "originating": "Y"},
]
FAILING = [
    {"part_number": "ENG", "unit_cost": 9000, "originating": "N", "core_part": "engine"},
    {"part_number": "SEAT", "unit_cost": 1000, "originating": "Y"},
]
BAD = [{"part_number": "A", "unit_cost": -1}]


@pytest.fixture
def mixed(workbook, tmp_path) -> Path:
    """A folder of three workbooks: one passes (the shipped sedan), one fails, one is bad."""
    folder = tmp_path / "variants"
    folder.mkdir()
    shutil.copy(EXAMPLES / "sedan_pass.xlsx", folder / "a_pass.xlsx")
    for name, rows in (("b_fail.xlsx", FAILING), ("c_bad.xlsx", BAD)):
        shutil.move(workbook({}, rows, name=name), folder / name)
    return folder


def _single(cli, path: Path, *options: str) -> str:
    done = cli("check", path, *options)
    return done.stdout


def test_mixed_batch_exit_2_sorted_with_one_located_error_document(cli, mixed):
    done = cli("check", mixed, "-f", "json", "--jobs", "1")
    assert done.exit_code == 2
    assert done.stderr == ""
    document = json.loads(done.stdout)
    jsonschema.validate(document, SCHEMA)
    reports = document["reports"]
    assert document["schema_version"] == 1 and len(reports) == 3
    assert [r.get("input", {}).get("path") for r in reports[:2]] == [
        str(mixed / "a_pass.xlsx"),
        str(mixed / "b_fail.xlsx"),
    ]
    error = reports[2]["error"]
    assert error["file"] == str(mixed / "c_bad.xlsx")
    assert error["where"] == "BOM!F2" and "negative" in error["found"]
    assert error["message"].startswith(f"{mixed / 'c_bad.xlsx'}: BOM!F2: ")
    assert reports[2]["tool"]["name"] == "rvc"
    # each item is exactly the single run's document
    assert reports[0] == json.loads(_single(cli, mixed / "a_pass.xlsx", "-f", "json"))
    assert reports[1] == json.loads(_single(cli, mixed / "b_fail.xlsx", "-f", "json"))


def test_batch_exit_1_when_one_fails_and_0_when_all_pass(cli, mixed):
    (mixed / "c_bad.xlsx").unlink()
    assert cli("check", mixed, "-f", "json", "--jobs", "1").exit_code == 1
    (mixed / "b_fail.xlsx").unlink()
    # a batch folder of one workbook is still a batch: the batch shape, exit 0
    done = cli("check", mixed, "-f", "json", "--jobs", "1")
    assert done.exit_code == 0
    assert len(json.loads(done.stdout)["reports"]) == 1


def test_processes_give_the_same_output_in_the_same_order(cli, mixed):
    one = cli("check", mixed, "-f", "json", "--jobs", "1")
    two = cli("check", mixed, "-f", "json", "--jobs", "2")
    assert (one.exit_code, one.stdout) == (two.exit_code, two.stdout)


def test_several_paths_and_a_glob_are_a_batch(cli, mixed):
    done = cli("check", mixed / "b_fail.xlsx", mixed / "a_pass.xlsx", "-f", "json", "-j", "1")
    paths = [r["input"]["path"] for r in json.loads(done.stdout)["reports"]]
    assert paths == sorted(paths) and len(paths) == 2
    # the glob is expanded by rvc (CliRunner, like some shells, passes it through as is)
    done = cli("check", f"{mixed}/*_*.xlsx", "-f", "json", "-j", "1")
    assert done.exit_code == 2
    assert len(json.loads(done.stdout)["reports"]) == 3
    # the same file twice is checked once
    assert collect([mixed / "a_pass.xlsx", f"{mixed}/a_*.xlsx"]) == ([mixed / "a_pass.xlsx"], True)


def test_a_glob_matching_nothing_is_reported_as_that_input(cli, tmp_path):
    done = cli("check", f"{tmp_path}/*.xlsx", "-f", "json")
    assert done.exit_code == 2
    assert "does not exist" in done.stderr


def test_csv_folder_stays_one_vehicle_and_csv_subfolders_are_a_batch(cli, tmp_path):
    csv = EXAMPLES / "sedan_pass_csv"
    assert batch_members(csv) is None  # a folder holding BOM.csv is one CSV vehicle
    assert collect([csv]) == ([csv], False)
    single = cli("check", csv, "-f", "json")
    assert json.loads(single.stdout)["input"]["path"] == str(csv)  # today's single output
    fleet = tmp_path / "fleet"
    shutil.copytree(csv, fleet / "sedan_csv")
    shutil.copy(EXAMPLES / "ev_crossover_fail_battery.xlsx", fleet / "ev.xlsx")
    (fleet / "notes.txt").write_text("not a workbook")
    (fleet / "~$ev.xlsx").write_bytes(b"Excel lock file")
    assert batch_members(fleet) == [fleet / "ev.xlsx", fleet / "sedan_csv"]
    done = cli("check", fleet, "-f", "json", "-j", "1")
    assert done.exit_code == 1
    reports = json.loads(done.stdout)["reports"]
    assert [r["input"]["path"] for r in reports] == [
        str(fleet / "ev.xlsx"),
        str(fleet / "sedan_csv"),
    ]
    assert reports[1]["requirements"] == json.loads(single.stdout)["requirements"]


def test_output_dir_one_json_per_workbook_with_colliding_names(cli, workbook, tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    shutil.move(workbook({}, PASSING, name="x.xlsx"), a / "x.xlsx")
    shutil.move(workbook({}, BAD, name="y.xlsx"), b / "y.xlsx")
    shutil.copy(a / "x.xlsx", b / "x.xlsx")
    out = tmp_path / "reports"
    done = cli("check", a / "x.xlsx", b / "x.xlsx", b / "y.xlsx", "--output-dir", out, "-j", "1")
    assert done.exit_code == 2
    files = sorted(p.name for p in out.iterdir())
    assert len(files) == 3 and "y.json" in files
    assert all(name.startswith("x-") for name in files if name != "y.json")
    for path in out.iterdir():
        jsonschema.validate(json.loads(path.read_text(encoding="utf-8")), SCHEMA)
    assert "error" in json.loads((out / "y.json").read_text())
    by_input = {
        json.loads(p.read_text()).get("input", {}).get("path"): p
        for p in out.iterdir()
        if p.name != "y.json"
    }
    assert set(by_input) == {str(a / "x.xlsx"), str(b / "x.xlsx")}
    assert json.loads(by_input[str(a / "x.xlsx")].read_text()) == json.loads(
        _single(cli, a / "x.xlsx", "-f", "json")
    )


@pytest.mark.parametrize("fmt", ["table", "json"])
def test_a_closed_pipe_keeps_the_batch_exit_code(mixed, fmt):
    # `rvc check DIR | head -1`: the reader is gone before the batch report is written
    proc = subprocess.Popen(
        [sys.executable, "-m", "rvc", "check", str(mixed), "-f", fmt, "--jobs", "1"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")},
    )
    proc.stdout.close()
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 2, stderr  # a bad workbook in it: exit 2, never 141
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_head_1_on_a_batch_keeps_its_exit_code(mixed):
    (mixed / "c_bad.xlsx").unlink()
    script = f'"{sys.executable}" -m rvc check "{mixed}" | head -1; exit ${{PIPESTATUS[0]}}'
    done = subprocess.run(["bash", "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr  # one workbook fails
    assert done.stdout.count("\n") == 1 and "BrokenPipe" not in done.stderr


def test_output_dir_writes_audit_workbooks_too(cli, mixed, tmp_path):
    from openpyxl import load_workbook

    out = tmp_path / "reports"
    out.mkdir()
    (out / "c_bad.xlsx").write_bytes(b"an earlier run's audit workbook")
    done = cli(
        "check", mixed, "-f", "json", "-j", "1", "--output-dir", out,
        "--output-dir-format", "json,xlsx",
    )  # fmt: skip
    assert done.exit_code == 2
    assert sorted(p.name for p in out.iterdir()) == [
        "a_pass.json", "a_pass.xlsx", "b_fail.json", "b_fail.xlsx", "c_bad.json",
    ]  # fmt: skip
    assert f"removed {out / 'c_bad.xlsx'}" in done.stderr  # bad input: no stale workbook
    # each audit workbook is the one `-o` writes for that workbook alone
    single = tmp_path / "single.xlsx"
    cli("check", mixed / "b_fail.xlsx", "-o", single)
    batch_book, single_book = load_workbook(out / "b_fail.xlsx"), load_workbook(single)
    assert batch_book.sheetnames == single_book.sheetnames
    for name in batch_book.sheetnames:  # in one process both record the same command line
        assert [[c.value for c in row] for row in batch_book[name].iter_rows()] == [
            [c.value for c in row] for row in single_book[name].iter_rows()
        ]
    # only the audit workbooks, from worker processes, each recording the batch's command line
    only = tmp_path / "only"
    command = ["check", str(mixed), "-j", "2", "--output-dir", str(only)]
    command += ["--output-dir-format", "xlsx"]
    subprocess.run([sys.executable, "-m", "rvc", *command], capture_output=True, timeout=120)
    assert sorted(p.name for p in only.iterdir()) == ["a_pass.xlsx", "b_fail.xlsx"]
    recorded = [
        c.value
        for row in load_workbook(only / "b_fail.xlsx")["Provenance"].iter_rows()
        for c in row
    ]
    assert shlex.join(["rvc", *command]) in recorded


def test_output_dir_format_is_checked(cli, mixed, tmp_path):
    done = cli("check", mixed, "--output-dir", tmp_path, "--output-dir-format", "pdf")
    assert done.exit_code == 2
    assert "--output-dir-format: 'pdf' is not a list of output-dir formats" in done.stderr
    alone = cli("check", mixed, "--output-dir-format", "xlsx")
    assert alone.exit_code == 2 and "without --output-dir" in alone.stderr


def test_output_names_are_unique_case_insensitively():
    names = output_names(["A/Car.xlsx", "b/car.xlsx", "c/truck.xlsx", "d/van"])
    assert len({n.casefold() for n in names}) == 4
    assert names[2:] == ["truck.json", "van.json"]


def test_single_path_with_output_dir_keeps_the_single_output(cli, tmp_path):
    sedan = EXAMPLES / "sedan_pass.xlsx"
    plain = cli("check", sedan, "-f", "json")
    done = cli("check", sedan, "-f", "json", "--output-dir", tmp_path / "out")
    assert (done.exit_code, done.stdout) == (plain.exit_code, plain.stdout)
    assert (tmp_path / "out" / "sedan_pass.json").read_text() == plain.stdout
    table = cli("check", sedan, "--output-dir", tmp_path / "out2")
    assert table.stdout == cli("check", sedan).stdout


def test_junit_batch_one_suite_per_workbook_and_an_error_case(cli, mixed):
    done = cli("check", mixed, "-f", "junit", "-j", "1")
    assert done.exit_code == 2
    root = ElementTree.fromstring(done.stdout.encode())
    suites = root.findall("testsuite")
    assert len(suites) == 3
    assert root.get("errors") == "1"
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in suites)
    error = suites[2].find("testcase/error")
    assert error is not None and "BOM!F2" in error.get("message")
    single = ElementTree.fromstring(_single(cli, mixed / "a_pass.xlsx", "-f", "junit").encode())
    alone = single.find("testsuite")
    suites[0].tail = alone.tail = None
    assert ElementTree.tostring(suites[0]) == ElementTree.tostring(alone)


def test_github_batch_annotates_each_file(cli, mixed):
    done = cli("check", mixed, "-f", "github", "-j", "1")
    lines = done.stdout.splitlines()
    assert any(f"file={mixed / 'b_fail.xlsx'}" in line and "::error" in line for line in lines)
    bad = [line for line in lines if f"file={mixed / 'c_bad.xlsx'}" in line]
    assert len(bad) == 1 and bad[0].startswith("::error") and "BOM!F2" in bad[0]
    assert lines[-1].startswith("::error title=rvc batch::3 workbooks: 1 pass, 1 fail")
    single = _single(cli, mixed / "a_pass.xlsx", "-f", "github")
    assert single in done.stdout


def test_table_summary_rows_totals_and_no_progress_off_a_terminal(cli, mixed):
    done = cli("check", mixed, "-j", "1")
    assert done.exit_code == 2
    assert done.stderr == ""  # no progress bar when standard error is not a terminal
    out = done.stdout
    assert out.index("a_pass.xlsx") < out.index("b_fail.xlsx") < out.index("c_bad.xlsx")
    assert "BAD INPUT" in out and "FAIL" in out and "us-cbp" in out
    assert "BOM!F2" in out
    assert "3 workbooks: 1 pass, 1 fail, 0 incomplete, 1 bad input (exit 2)" in out


def test_input_text_is_not_read_as_markup(cli, workbook, tmp_path):
    folder = tmp_path / "markup"
    folder.mkdir()
    rows = [{"part_number": "[bold red]X[/]", "unit_cost": "[blink]oops"}]
    shutil.move(workbook({}, rows, name="m.xlsx"), folder / "m.xlsx")
    shutil.move(workbook({}, PASSING, name="n.xlsx"), folder / "n.xlsx")
    done = cli("check", folder, "-j", "1")
    assert "[blink]oops" in done.stdout


def test_an_internal_error_is_exit_3_for_that_workbook_only(cli, mixed, monkeypatch):
    import rvc.batch

    real = rvc.batch.evaluate_bom

    def buggy(source, *args, **kwargs):
        if "b_fail" in str(source):
            raise ZeroDivisionError("a bug")
        return real(source, *args, **kwargs)

    monkeypatch.setattr(rvc.batch, "evaluate_bom", buggy)
    done = cli("check", mixed, "-f", "json", "-j", "1")
    assert done.exit_code == 3
    reports = json.loads(done.stdout)["reports"]
    assert "internal error of rvc (ZeroDivisionError: a bug)" in reports[1]["error"]["message"]
    assert reports[0]["verdict"] == "pass" and "error" in reports[2]


def test_memory_file_gets_the_same_checks_as_a_path(tmp_path, workbook):
    """The bytes sent to a Dask worker are refused exactly as the file would be, in a child
    process with its address space capped (as tests/readers/test_hostile.py does)."""
    from tests.readers.test_hostile import MEMORY_CAP, _sheet_part, mutate

    good = workbook({}, [{"part_number": "A", "unit_cost": 100, "originating": "Y"}])
    part = _sheet_part(good)
    cases = {
        "far.xlsx": {
            part: lambda d: d.replace(
                b"</sheetData>",
                b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
            )
        },
        "dtd.xlsx": {
            part: lambda d: d.replace(b"<worksheet", b'<!DOCTYPE x [<!ENTITY a "b">]><worksheet', 1)
        },
        "bomb.xlsx": {part: b"<worksheet>" + b"0" * 200_000_000 + b"</worksheet>"},
    }
    script = (
        "import resource, sys, datetime as dt\n"
        f"resource.setrlimit(resource.RLIMIT_AS, ({MEMORY_CAP}, {MEMORY_CAP}))\n"
        "from pathlib import Path\n"
        "from rvc.errors import RvcError\n"
        "from rvc.readers import read_bom\n"
        "from rvc.readers.source import MemoryFile\n"
        "p = Path(sys.argv[1])\n"
        "for source in (p, MemoryFile(p.read_bytes(), str(p))):\n"
        "    try:\n"
        "        read_bom(source, today=dt.date(2026, 1, 1))\n"
        "        print('read')\n"
        "    except RvcError as e:\n"
        "        print(e.message)\n"
    )
    for name, changes in cases.items():
        path = mutate(good, tmp_path / name, changes)
        done = subprocess.run(
            [sys.executable, "-c", script, str(path)], capture_output=True, text=True, timeout=60
        )
        assert done.returncode == 0, done.stderr
        by_path, by_bytes = done.stdout.splitlines()
        assert by_path == by_bytes and str(path) in by_path and by_path != "read"


def test_version_and_help_are_answered_without_typer():
    from rvc.entry import RVC_HELP

    typer_help = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.argv[0] = 'rvc'; from rvc.cli import main; main()",
            "--help",
        ],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "80"},
    ).stdout
    assert typer_help == RVC_HELP, "update rvc.entry.RVC_HELP to typer's rvc --help"
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; sys.argv = ['rvc', '--version']; from rvc.entry import main; main(); "
            "print(sorted(m for m in ('typer', 'rich', 'pydantic') if m in sys.modules))",
        ],
        capture_output=True,
        text=True,
    )
    from rvc import __version__

    assert done.stdout.splitlines() == [f"rvc {__version__}", "[]"]


@pytest.mark.slow
def test_a_thousand_workbooks_with_one_corrupt_report_999_results_and_one_error(workbook, tmp_path):
    folder = tmp_path / "fleet"
    folder.mkdir()
    rows = [
        {"part_number": f"P{n:04d}", "unit_cost": 1 + n % 7, "originating": "YN"[n % 2]}
        for n in range(1, 40)
    ]
    source = workbook({"net_cost": 12000}, [PASSING[0], *rows])
    for n in range(1000):
        shutil.copy(source, folder / f"variant_{n:04d}.xlsx")
    corrupt = folder / "variant_0500.xlsx"
    corrupt.write_bytes(corrupt.read_bytes()[:3000])  # a truncated upload
    done = subprocess.run(
        [sys.executable, "-m", "rvc", "check", str(folder), "-f", "json", "--jobs", "2"],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 2, done.stderr
    reports = json.loads(done.stdout)["reports"]
    assert len(reports) == 1000
    errors = [r for r in reports if "error" in r]
    assert len(errors) == 1 and len([r for r in reports if "verdict" in r]) == 999
    assert errors[0]["error"]["file"] == str(corrupt) == reports[500]["error"]["file"]
    assert "damaged" in errors[0]["error"]["message"]
    assert [r.get("input", {}).get("path", str(corrupt)) for r in reports] == sorted(
        str(p) for p in folder.iterdir()
    )


@pytest.mark.slow
def test_dask_cluster_gives_the_same_batch_as_the_local_run(cli, mixed):
    distributed = pytest.importorskip(
        "distributed", reason="the Dask extra is not installed: pip install -e '.[dask]'"
    )
    shutil.copytree(EXAMPLES / "sedan_pass_csv", mixed / "sedan_csv")
    local = cli("check", mixed, "-f", "json", "-j", "1")
    with distributed.LocalCluster(
        n_workers=2, processes=True, dashboard_address=None, host="127.0.0.1"
    ) as cluster:
        remote = cli("check", mixed, "-f", "json", "--dask-scheduler", cluster.scheduler_address)
        junit_local = cli("check", mixed, "-f", "junit", "-j", "1")
        junit_remote = cli(
            "check", mixed, "-f", "junit", "--dask-scheduler", cluster.scheduler_address
        )
    assert (remote.exit_code, remote.stdout) == (local.exit_code, local.stdout)
    assert local.exit_code == 2 and len(json.loads(local.stdout)["reports"]) == 4
    assert junit_remote.stdout == junit_local.stdout


def test_dask_scheduler_unreachable_is_a_located_usage_error(cli, mixed, monkeypatch):
    pytest.importorskip("distributed", reason="the Dask extra is not installed")
    monkeypatch.setattr("rvc.batch.DASK_CONNECT_TIMEOUT", "2s")
    done = cli("check", mixed, "--dask-scheduler", "tcp://127.0.0.1:9", "-f", "json")
    assert done.exit_code == 2
    assert "--dask-scheduler tcp://127.0.0.1:9: cannot be reached" in done.stderr


def test_a_workbook_that_kills_its_worker_is_reported_and_the_others_finish(mixed, monkeypatch):
    """A reader that crashed the interpreter would break the process pool: the workbooks
    not finished are checked again one per process, and only the culprit is reported."""
    import datetime as dt
    import multiprocessing

    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the crash is patched into this process; workers see it only when forked")

    import rvc.batch

    real = rvc.batch.check_one

    def crashing(source, *args, **kwargs):
        if "b_fail" in str(source):
            os._exit(134)  # as an abort in native code would
        return real(source, *args, **kwargs)

    monkeypatch.setattr(rvc.batch, "check_one", crashing)
    paths, _ = collect([mixed])
    tasks = rvc.batch.plan(paths, None, None)
    options = rvc.batch.Options(None, dt.date(2026, 1, 1), None, frozenset({"json"}))
    outcomes = rvc.batch.run_local(tasks, options, 2, lambda index, outcome: outcome)
    assert [o.exit_code for o in outcomes] == [0, 3, 2]
    assert "ended the process reading it" in outcomes[1].error["message"]


def test_control_characters_from_input_never_reach_the_terminal(cli, workbook, tmp_path):
    folder = tmp_path / "esc"
    folder.mkdir()
    name = "bad\x1b[2J.xlsx"  # a file name is input too
    shutil.move(workbook({}, BAD, name=name), folder / name)
    shutil.copy(EXAMPLES / "sedan_pass.xlsx", folder / "f.xlsx")
    done = cli("check", folder, "-j", "1")
    assert done.exit_code == 2
    assert "\x1b" not in done.stdout and "bad\\x1b[2J.xlsx" in done.stdout


@pytest.mark.parametrize("width", [60, 200])
def test_the_summary_never_cuts_a_number_on_a_narrow_terminal(width):
    """Too narrow for the table: each workbook on its own lines, every figure whole."""
    import io
    from datetime import date

    from rvc.batch import Options, check_one
    from rvc.readers.config import Config
    from rvc.reporters.batch import write_table
    from rvc.rulepack import default_rules_dir, load_rule_pack

    pack = load_rule_pack(default_rules_dir())
    options = Options(None, date(2026, 12, 1), None, frozenset())
    outcomes = [
        check_one(EXAMPLES / name, Config(), pack, options)
        for name in ("ev_crossover_fail_battery.xlsx", "sedan_pass.xlsx")
    ]
    stream = io.StringIO()
    write_table(outcomes, stream, width=width, color=False)
    text = stream.getvalue()
    for figure in ("59.98%", "87.55%", "40.31%", "85.00%", "51.64%", "us-cbp"):
        assert figure in text, (figure, text)
    assert max(len(line) for line in text.splitlines()) <= width
    assert ("vehicle-rvc FAIL 59.98%" in text) is (width == 60)
