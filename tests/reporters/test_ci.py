"""CI outputs: several -o files by suffix, Markdown, SARIF, GitHub job summaries, --fail-on,
the bad-input document in every format, and a closed pipe.

Golden files as in test_golden.py (`pytest tests/reporters --update-golden`, then review).
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from xml.etree import ElementTree

import jsonschema
import pytest

from rvc.errors import InputError, RvcError
from rvc.reporters import RENDERERS, input_error, markdown, outputs, sarif
from tests.conftest import EXAMPLES, ROOT
from tests.reporters.test_golden import EXAMPLES as NAMES
from tests.reporters.test_golden import GOLDEN, SCHEMA, _compare, _report

SEDAN = EXAMPLES / "sedan_pass.xlsx"
EV = EXAMPLES / "ev_crossover_fail_battery.xlsx"
SUFFIXES = {"json": "json", "junit": "junit.xml", "github": "github.txt", "markdown": "md"}
ERROR_FILES = {
    "json": ".json",
    "junit": ".xml",
    "markdown": ".md",
    "sarif": ".sarif",
    "txt": ".txt",
}
INCOMPLETE_BOM = [{"part_number": "E", "unit_cost": 1, "originating": "Y", "core_part": "engine"}]


# --- Markdown and SARIF on the shipped examples ----------------------------------------------


@pytest.mark.parametrize("name", NAMES)
def test_markdown_golden(name, pack, monkeypatch, request):
    stream = io.StringIO()
    RENDERERS["markdown"](_report(name, pack, monkeypatch), stream)
    _compare(request, GOLDEN / f"{name}.md", stream.getvalue())


@pytest.mark.parametrize("name", NAMES)
def test_sarif_golden_and_structure(name, pack, monkeypatch, request):
    report = _report(name, pack, monkeypatch)
    stream = io.StringIO()
    RENDERERS["sarif"](report, stream)
    log = json.loads(stream.getvalue())
    _check_sarif(log)
    run = log["runs"][0]
    not_passing = [r.id for r in report.requirements if r.status.value != "pass"]
    assert [r["ruleId"] for r in run["results"]] == not_passing
    for result in run["results"]:
        assert result["level"] == "error"
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri == f"bills_of_materials/{name}.xlsx"
    assert run["invocations"][0]["exitCode"] == report.exit_code
    _compare(request, GOLDEN / f"{name}.sarif", stream.getvalue())


def _check_sarif(log):
    """The parts of SARIF 2.1.0 (OASIS schema, required properties and enums) rvc writes;
    the full OASIS schema validated these outputs when the writer was built."""
    assert log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    assert isinstance(log["runs"], list) and len(log["runs"]) == 1
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "rvc" and isinstance(driver["version"], str)
    rule_ids = [rule["id"] for rule in driver["rules"]]
    assert len(set(rule_ids)) == len(rule_ids)
    for rule in driver["rules"]:
        assert isinstance(rule["shortDescription"]["text"], str)
    for invocation in run["invocations"]:
        assert isinstance(invocation["executionSuccessful"], bool)
        for note in invocation.get("toolExecutionNotifications", []):
            assert note["level"] in ("none", "note", "warning", "error")
            assert note["message"]["text"]
    for result in run["results"]:
        assert result["message"]["text"]
        assert result["level"] in ("none", "note", "warning", "error")
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]
        for location in result["locations"]:
            uri = location["physicalLocation"]["artifactLocation"]["uri"]
            assert uri and " " not in uri and "\\" not in uri
        for value in result.get("partialFingerprints", {}).values():
            assert isinstance(value, str)


def test_sarif_uri_encodes_paths():
    assert sarif.uri("my boms/a#1.xlsx") == "my%20boms/a%231.xlsx"
    assert sarif.uri("/abs/b.xlsx") == "file:///abs/b.xlsx"
    assert sarif.uri("C:\\boms\\b.xlsx") == "file:///C:/boms/b.xlsx"


def test_markdown_escapes_input_text(cli, workbook, tmp_path):
    hostile = "Sedan | <img src=x onerror=alert(1)> **bold** [link](http://x) `code`\nsecond"
    path = workbook({"model_line": hostile}, INCOMPLETE_BOM)
    text = cli("check", path, "-f", "markdown").stdout
    heading = text.splitlines()[0]
    import re

    assert not re.search(r"(?<!\\)(<img|\*\*bold|\[link)", text)
    assert "\\<img" in heading and "\\|" in heading and "\\*\\*bold\\*\\*" in heading
    assert "second" in heading  # the newline did not end the heading
    rows = [line for line in text.splitlines() if line.startswith("| ")]
    assert all(line.count(" | ") == 4 for line in rows), rows


def test_markdown_lists_failures_and_counts_assumptions(pack, monkeypatch):
    report = _report("ev_crossover_fail_battery", pack, monkeypatch)
    text = markdown.text(report)
    assert text.startswith("## ❌ rvc: FAIL - ")
    assert "### Failing requirements" in text and "- **core-parts**: BAT-1000" in text
    count = len(report.assumptions)
    assert f"<summary>{count} assumptions and notes</summary>" in text
    assert "exit 1." in text
    # never FAIL beside a positive margin without saying why
    for row in (line for line in text.splitlines() if line.startswith("| ❌ FAIL |")):
        margin = row.rstrip(" |").rsplit(" | ", 1)[1]
        assert not margin.startswith("+") or " but " in margin, row
    assert "What it would take: " in text


# --- several outputs, suffixes, standard output -----------------------------------------------


def test_several_outputs_in_one_run(cli, tmp_path):
    names = ["r.json", "r.xml", "r.md", "r.txt", "r.sarif"]
    done = cli("check", EV, *[a for n in names for a in ("-o", tmp_path / n)])
    assert done.exit_code == 1
    # -o without --format: standard output holds only the verdict line
    assert done.stdout == "Verdict: FAIL - fails vehicle-rvc, core-parts (exit 1)\n"
    for name in names:
        assert f"rvc: wrote {tmp_path / name} (verdict fail)" in done.stderr
    document = json.loads((tmp_path / "r.json").read_text())
    jsonschema.validate(document, SCHEMA)
    assert document["verdict"] == "fail"
    suite = ElementTree.parse(tmp_path / "r.xml").getroot().find("testsuite")
    assert suite.get("failures") == "2"
    assert (tmp_path / "r.md").read_text().startswith("## ❌ rvc: FAIL")
    assert "Verdict: FAIL" in (tmp_path / "r.txt").read_text()
    _check_sarif(json.loads((tmp_path / "r.sarif").read_text()))
    # --format still chooses standard output
    again = cli("check", EV, "-f", "json", "-o", tmp_path / "r.md")
    assert json.loads(again.stdout)["verdict"] == "fail"


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("report.foo", "suffix '.foo' names no report format"),
        ("report", "suffix (none) names no report format"),
    ],
)
def test_a_suffix_naming_no_format_is_a_usage_error(cli, tmp_path, name, problem):
    target = tmp_path / name
    done = cli("check", SEDAN, "-o", tmp_path / "ok.json", "-o", target)
    assert done.exit_code == 2
    assert done.stderr == (
        f"rvc: error: {target}: {problem}; expected one of .json, .xml, .md, .txt, .sarif, .xlsx\n"
    )
    assert done.stdout == ""
    assert not target.exists() and not (tmp_path / "ok.json").exists()  # checked first


def test_the_same_file_twice_or_the_bom_is_a_usage_error(cli, tmp_path):
    twice = cli("check", SEDAN, "-o", tmp_path / "a.json", "-o", tmp_path / "a.json")
    assert twice.exit_code == 2 and "is named twice with -o" in twice.stderr
    import shutil

    bom = tmp_path / "bom.xlsx"
    shutil.copy(SEDAN, bom)
    itself = cli("check", bom, "-o", bom)
    assert itself.exit_code == 2 and "is the BOM itself" in itself.stderr


def test_a_missing_output_folder_is_refused_before_anything_is_written(cli, tmp_path):
    first, missing = tmp_path / "ok.json", tmp_path / "no" / "such" / "rvc.xml"
    done = cli("check", SEDAN, "-o", first, "-o", missing)
    assert done.exit_code == 2 and not first.exists()
    assert done.stderr == (
        f"rvc: error: {missing}: cannot be written: folder {missing.parent} does not exist; "
        "expected a report file in an existing folder\n"
    )


def test_register_plugs_a_writer_into_a_suffix(monkeypatch, tmp_path, pack, capsys):
    monkeypatch.setattr(outputs, "FILE_WRITERS", dict(outputs.FILE_WRITERS))
    monkeypatch.setattr(outputs, "PLANNED", dict(outputs.PLANNED))
    written = []

    def write(path, report, fail_on):
        path.write_bytes(b"PK")  # a binary writer takes the path and writes what it likes
        written.append((path, report.verdict.value, fail_on))

    writer = outputs.FileWriter("xlsx", write, None)
    outputs.register(".XLSX", writer)
    target = tmp_path / "audit.xlsx"
    planned = outputs.plan([target])
    assert planned == [(target, writer)]
    report = _report("sedan_pass", pack, monkeypatch)
    outputs.write_report(report, "verdict", planned, fail_on="fail", environ={})
    assert written == [(target, "pass", "fail")] and target.read_bytes() == b"PK"
    assert capsys.readouterr().out.startswith("Verdict: PASS")
    # a writer without an error renderer: on bad input no file, and no stale one either
    outputs.write_error(input_error.document(RvcError("bom.xlsx", "x")), "table", planned)
    assert not target.exists()
    assert f"rvc: removed {target}: this run has no xlsx report" in capsys.readouterr().err


def test_auto_format(monkeypatch):
    assert outputs.stdout_format("auto", files=False, environ={}) == "table"
    assert outputs.stdout_format("auto", files=True, environ={}) == "verdict"
    assert outputs.stdout_format("auto", files=True, environ={"GITHUB_ACTIONS": "true"}) == "github"
    assert outputs.stdout_format("json", files=True, environ={"GITHUB_ACTIONS": "true"}) == "json"


# --- GitHub ------------------------------------------------------------------------------------


def test_github_actions_default_and_job_summary(cli, tmp_path, pack, monkeypatch):
    summary = tmp_path / "summary.md"
    summary.write_text("# an earlier step\n", encoding="utf-8")
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    done = cli("check", EV, env=env)
    assert done.exit_code == 1
    assert done.stdout.startswith("::error file=")  # auto picked the github format
    text = summary.read_text(encoding="utf-8")
    assert text.startswith("# an earlier step\n## ❌ rvc: FAIL")  # appended, as GitHub expects
    expected = markdown.text(_report("ev_crossover_fail_battery", pack, monkeypatch))
    assert text.count("| ❌ FAIL |") == expected.count("| ❌ FAIL |") == 2
    # a second step appends again
    cli("check", SEDAN, "-f", "github", env=env)
    lines = summary.read_text(encoding="utf-8").splitlines()
    assert sum(line.startswith("## ") for line in lines) == 2
    assert lines.count("# an earlier step") == 1
    # outside GitHub Actions: no summary, and auto means the table
    plain = cli("check", SEDAN, env={"GITHUB_STEP_SUMMARY": str(tmp_path / "none.md")})
    assert "Verdict: PASS" in plain.stdout and not (tmp_path / "none.md").exists()


def test_github_annotation_escaping():
    from rvc.reporters.github import render_error

    doc = input_error.document(InputError("a,b:c.xlsx: BOM!A1", "100% bad\nreally"), "a,b:c.xlsx")
    stream = io.StringIO()
    render_error(doc, stream)
    assert stream.getvalue() == (
        "::error file=a%2Cb%3Ac.xlsx,title=rvc%3A bad input::"
        "a,b:c.xlsx: BOM!A1: 100%25 bad%0Areally\n"
    )


# --- --fail-on ---------------------------------------------------------------------------------


def test_fail_on(cli, workbook, tmp_path):
    path = workbook({}, INCOMPLETE_BOM)
    assert cli("check", path).exit_code == 1
    assert cli("check", path, "--fail-on", "incomplete").exit_code == 1
    lenient = cli("check", path, "--fail-on", "fail")
    assert lenient.exit_code == 0
    assert "Verdict: INCOMPLETE" in lenient.stdout and "(exit 0)" in lenient.stdout
    github = cli("check", path, "-f", "github", "--fail-on", "fail").stdout
    assert "::error" not in github and github.count("::warning") == 4  # 3 + the verdict
    strict = cli("check", path, "-f", "github").stdout
    assert strict.count("::error") == 4 and "::warning" not in strict
    log = json.loads(cli("check", path, "-f", "sarif", "--fail-on", "fail").stdout)
    assert {r["level"] for r in log["runs"][0]["results"]} == {"warning"}
    assert log["runs"][0]["invocations"][0]["exitCode"] == 0
    # a failure still fails
    assert cli("check", EV, "--fail-on", "fail").exit_code == 1
    assert cli("check", path, "--fail-on", "never").exit_code == 2


# --- bad input in every format -----------------------------------------------------------------


@pytest.fixture
def bad_bom(workbook, tmp_path, monkeypatch):
    workbook({}, [{"part_number": "A", "unit_cost": -1}])
    monkeypatch.chdir(tmp_path)
    return "bom.xlsx"


MESSAGE = "bom.xlsx: BOM!F2: unit_cost is negative (-1.0); expected a number >= 0, e.g. 1234.50"


@pytest.mark.parametrize("fmt", ["json", "junit", "github", "markdown", "sarif"])
def test_bad_input_on_stdout_golden(cli, bad_bom, fmt, request):
    done = cli("check", bad_bom, "-f", fmt)
    assert done.exit_code == 2
    assert done.stderr == f"rvc: error: {MESSAGE}\n"
    suffix = SUFFIXES.get(fmt, fmt)
    _compare(request, GOLDEN / f"bad_input.{suffix}", done.stdout)


def test_bad_input_table_prints_only_the_message(cli, bad_bom):
    done = cli("check", bad_bom)
    assert done.exit_code == 2 and done.stdout == ""
    assert done.stderr == f"rvc: error: {MESSAGE}\n"


def test_bad_input_in_every_output_file(cli, bad_bom, tmp_path):
    args = [a for kind, suffix in ERROR_FILES.items() for a in ("-o", f"e-{kind}{suffix}")]
    done = cli("check", bad_bom, *args)
    assert done.exit_code == 2 and done.stdout == ""
    assert done.stderr == f"rvc: error: {MESSAGE}\n"
    for kind, suffix in ERROR_FILES.items():
        text = (tmp_path / f"e-{kind}{suffix}").read_text(encoding="utf-8")
        golden = {"junit": "junit.xml", "markdown": "md"}.get(kind, kind)
        assert text == (GOLDEN / f"bad_input.{golden}").read_text(encoding="utf-8"), kind


def test_bad_input_txt_golden(cli, bad_bom, request, tmp_path):
    cli("check", bad_bom, "-o", "e.txt")
    _compare(request, GOLDEN / "bad_input.txt", (tmp_path / "e.txt").read_text())


def test_error_document_schema_and_fields(cli, bad_bom):
    document = json.loads(cli("check", bad_bom, "-f", "json").stdout)
    jsonschema.validate(document, SCHEMA)
    assert document["error"] == {
        "file": "bom.xlsx",
        "where": "BOM!F2",
        "found": "unit_cost is negative (-1.0)",
        "expected": "a number >= 0, e.g. 1234.50",
        "message": MESSAGE,
    }
    # the schema is not vacuous: a half error document or a report-and-error mix fails
    for broken in (
        {**document, "error": {"message": "x"}},
        {**document, "verdict": "pass"},
        {"schema_version": 1, "tool": document["tool"]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, SCHEMA)


def test_junit_error_case(cli, bad_bom):
    root = ElementTree.fromstring(cli("check", bad_bom, "-f", "junit").stdout.encode())
    suite = root.find("testsuite")
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("1", "1", "0")
    (case,) = suite.iter("testcase")
    error = case.find("error")
    assert error.get("type") == "input" and error.get("message") == MESSAGE


def test_bad_settings_and_missing_file_are_documented_too(cli, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    missing = json.loads(cli("check", "nope.xlsx", "-f", "json").stdout)["error"]
    assert missing["file"] == "nope.xlsx" and missing["where"] is None
    assert missing["found"] == "does not exist"
    import shutil

    shutil.copy(SEDAN, tmp_path / "bom.xlsx")
    (tmp_path / "rvc.toml").write_text("colour = 1\n")
    done = cli("check", "bom.xlsx", "-f", "json")
    assert done.exit_code == 2
    error = json.loads(done.stdout)["error"]
    assert error["file"].endswith("rvc.toml") and error["message"] in done.stderr


def test_junit_output_is_valid_xml_whatever_the_input(pack, monkeypatch):
    import dataclasses

    report = _report("sedan_pass", pack, monkeypatch)
    # a CSV can carry control characters that XML 1.0 cannot hold even escaped
    report = dataclasses.replace(report, vehicle={"model_line": 'Sedan \x01 <&> "q"\ud800'})
    stream = io.StringIO()
    RENDERERS["junit"](report, stream)
    root = ElementTree.fromstring(stream.getvalue().encode())
    # shown as visible escapes (rvc.text.escape), never raw and never silently dropped
    assert root.find("testsuite").get("name").startswith('rvc Sedan \\x01 <&> "q"\\ud800')


def test_locate_splits_where():
    assert input_error.locate("dir/BOM.csv: row 3, column unit_cost", "dir") == (
        "dir/BOM.csv",
        "row 3, column unit_cost",
    )
    assert input_error.locate("", "bom.xlsx") == ("bom.xlsx", None)
    doc = input_error.document(RvcError("rule pack x", "has no requirement 'y'"))
    assert doc["error"]["file"] == "rule pack x" and doc["error"]["expected"] is None


# --- a closed pipe -----------------------------------------------------------------------------


def _outside_github():
    import os

    return {k: v for k, v in os.environ.items() if not k.startswith("GITHUB_")}


@pytest.mark.parametrize(("bom", "code"), [(SEDAN, 0), (EV, 1)])
@pytest.mark.parametrize("fmt", ["table", "json"])
def test_closed_pipe_keeps_the_verdicts_exit_code(bom, code, fmt):
    proc = subprocess.Popen(
        [sys.executable, "-m", "rvc", "check", str(bom), "-f", fmt],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        env=_outside_github(),
    )
    proc.stdout.close()  # the reader is gone before rvc writes a byte
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == code, stderr
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


def test_head_1(tmp_path):
    script = f'"{sys.executable}" -m rvc check "{SEDAN}" | head -1; exit ${{PIPESTATUS[0]}}'
    done = subprocess.run(
        ["bash", "-c", script], capture_output=True, text=True, cwd=ROOT, env=_outside_github()
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("\n") == 1


def test_bad_input_in_github_actions_annotates_and_summarizes(cli, bad_bom, tmp_path):
    summary = tmp_path / "summary.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    done = cli("check", bad_bom, "-o", "rvc-junit.xml", env=env)
    assert done.exit_code == 2
    assert done.stdout == (GOLDEN / "bad_input.github.txt").read_text()
    assert summary.read_text(encoding="utf-8") == (GOLDEN / "bad_input.md").read_text()
    assert (tmp_path / "rvc-junit.xml").read_text() == (GOLDEN / "bad_input.junit.xml").read_text()


def test_markdown_warns_when_the_verdict_depends_on_the_reading(pack, monkeypatch):
    import dataclasses

    from rvc.results import ReadingOutcome, Status, Verdict

    report = _report("sedan_pass", pack, monkeypatch)
    text = markdown.text(report)
    assert "Readings of core parts: us-cbp: pass" in text and "[!WARNING]" not in text
    split = dataclasses.replace(
        report,
        readings=(
            ReadingOutcome("us-cbp", report.requirements[0].value, Status.FAIL, Verdict.FAIL),
            ReadingOutcome("roll-up", report.requirements[0].value, Status.PASS, Verdict.PASS),
        ),
    )
    assert split.verdict_depends_on_reading
    text = markdown.text(split)
    assert "> **The verdict depends on the reading of core parts**" in text
    assert "us-cbp: fail" in text and "roll-up: pass" in text
