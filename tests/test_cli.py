"""The command line: exit codes, stdout/stderr discipline, options."""

from __future__ import annotations

import json

from tests.conftest import EXAMPLES, ROOT

SEDAN = EXAMPLES / "sedan_pass.xlsx"
EV = EXAMPLES / "ev_crossover_fail_battery.xlsx"
TRUCK = EXAMPLES / "heavy_truck_2027.xlsx"


def test_pass_exits_0_and_prints_the_verdict(cli):
    done = cli("check", SEDAN)
    assert done.exit_code == 0
    assert "Verdict: PASS" in done.stdout
    assert "vehicle-rvc" in done.stdout and "85.00%" in done.stdout


def test_fail_exits_1(cli):
    done = cli("check", EV)
    assert done.exit_code == 1
    assert "Verdict: FAIL" in done.stdout
    assert "BAT-1000" in done.stdout


def test_json_stdout_is_only_json(cli):
    done = cli("check", EV, "--format", "json")
    assert done.exit_code == 1
    document = json.loads(done.stdout)
    assert document["verdict"] == "fail"
    assert [r["id"] for r in document["requirements"]] == [
        "vehicle-rvc",
        "core-parts",
        "steel",
        "aluminum",
        "lvc",
    ]
    assert done.stderr == ""


def test_bad_input_exits_2_with_one_located_message_and_no_traceback(cli, workbook):
    path = workbook({}, [{"part_number": "A", "unit_cost": -1}])
    done = cli("check", path, "--format", "json")
    assert done.exit_code == 2
    error = json.loads(done.stdout)["error"]  # the error document (tests/reporters/test_ci.py)
    assert error["where"] == "BOM!F2" and error["message"] in done.stderr
    assert done.stderr.startswith("rvc: error: ")
    assert "BOM!F2" in done.stderr and "negative" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.stderr.count("\n") == 1


def test_missing_file_exits_2(cli, tmp_path):
    done = cli("check", tmp_path / "nope.xlsx")
    assert done.exit_code == 2
    assert "does not exist" in done.stderr


def test_usage_error_exits_2(cli):
    done = cli("check", SEDAN, "--as-of", "01/07/2027")
    assert done.exit_code == 2
    done = cli("check", SEDAN, "--format", "xml")
    assert done.exit_code == 2


def test_as_of_option_overrides_the_workbook(cli):
    assert cli("check", TRUCK).exit_code == 0
    done = cli("check", TRUCK, "--as-of", "2027-07-01", "-f", "json")
    assert done.exit_code == 1
    document = json.loads(done.stdout)
    assert document["as_of"] == "2027-07-01" and document["as_of_source"] == "option"


def test_incomplete_exits_1(cli, workbook):
    path = workbook(
        {}, [{"part_number": "E", "unit_cost": 100, "originating": "Y", "core_part": "engine"}]
    )
    done = cli("check", path, "-f", "json")
    assert done.exit_code == 1
    assert json.loads(done.stdout)["verdict"] == "incomplete"


def test_today_is_used_and_printed_when_no_date_is_given(cli, workbook):
    path = workbook({}, [{"part_number": "E", "unit_cost": 100, "originating": "Y"}])
    done = cli("check", path)
    assert "today: no --as-of and no as_of in the workbook" in done.stdout


def test_output_file(cli, tmp_path):
    target = tmp_path / "report.json"
    done = cli("check", SEDAN, "-o", target)
    assert done.exit_code == 0
    assert done.stdout.startswith("Verdict: PASS") and done.stdout.count("\n") == 1
    assert json.loads(target.read_text())["verdict"] == "pass"
    assert "wrote" in done.stderr
    # --format still chooses standard output
    both = cli("check", SEDAN, "-f", "json", "-o", target)
    assert json.loads(both.stdout) == json.loads(target.read_text())


def test_core_reading_options(cli):
    def run(*options):
        return json.loads(cli("check", SEDAN, "-f", "json", *options).stdout)

    default, us, roll = run(), run("--core-reading", "us-cbp"), run("--core-roll-up")
    assert default["core_part_reading"] == "us-cbp" == us["core_part_reading"]
    assert roll["core_part_reading"] == "roll-up"
    assert run("--core-reading", "roll-up")["core_part_reading"] == "roll-up"
    assert run("--core-reading", "panel")["core_part_reading"] == "roll-up"  # alias
    value = {d["core_part_reading"]: d["requirements"][0]["value"] for d in (us, roll)}
    assert value["us-cbp"] < value["roll-up"]
    assert default["readings"] == {
        "us-cbp": {"verdict": "pass", "vehicle_rvc": value["us-cbp"], "vehicle_rvc_status": "pass"},
        "roll-up": {
            "verdict": "pass",
            "vehicle_rvc": value["roll-up"],
            "vehicle_rvc_status": "pass",
        },
    }
    others = default["requirements"][0]["details"]["other_readings"]
    assert others == {"roll-up": value["roll-up"]}
    conflict = cli("check", SEDAN, "--core-roll-up", "--core-reading", "us-cbp")
    assert conflict.exit_code == 2
    gone = cli("check", SEDAN, "--core-reading", "contract")  # the v1 reading is gone
    assert gone.exit_code == 2


def test_core_reading_from_the_settings_file(cli, tmp_path):
    import shutil

    shutil.copy(SEDAN, tmp_path / "bom.xlsx")
    (tmp_path / "rvc.toml").write_text('core_reading = "roll-up"\n')
    document = json.loads(cli("check", tmp_path / "bom.xlsx", "-f", "json").stdout)
    assert document["core_part_reading"] == "roll-up"
    flag = json.loads(
        cli("check", tmp_path / "bom.xlsx", "-f", "json", "--core-reading", "us-cbp").stdout
    )
    assert flag["core_part_reading"] == "us-cbp"
    (tmp_path / "rvc.toml").write_text('core_reading = "contract"\n')
    refused = cli("check", tmp_path / "bom.xlsx", "-f", "json")
    assert refused.exit_code == 2 and "core_reading" in refused.stderr


def test_verbose_lists_ignored_columns(cli, workbook):
    path = workbook({}, [("A", 1, "blue")], columns=("part_number", "unit_cost", "Colour"))
    done = cli("check", path, "--verbose")
    assert "ignored column: BOM: C (Colour)" in done.stderr


def test_rules_validate_list_show(cli):
    done = cli("rules", "validate")
    assert done.exit_code == 0 and "valid rule pack usmca-automotive" in done.stdout
    listing = cli("rules", "list").stdout
    assert "Heavy truck" in listing and "vehicle-rvc" in listing
    shown = cli("rules", "show", "vehicle-rvc").stdout
    for text in (
        "from 2020-07-01: minimum: 66%",
        "from 2023-07-01: minimum: 75%",
        "from 2027-07-01: minimum: 70%",
        "SOR/2020-155 s. 13",
        "[status C]",
    ):
        assert text in shown
    unknown = cli("rules", "show", "nope")
    assert unknown.exit_code == 2 and "has no requirement 'nope'" in unknown.stderr


def test_rules_validate_bad_folder_exits_2(cli, tmp_path):
    (tmp_path / "pack.yaml").write_text("pack:\n  id: x\n  id: y\n")
    done = cli("rules", "validate", tmp_path)
    assert done.exit_code == 2
    assert "duplicate key 'id'" in done.stderr and "pack.yaml:3" in done.stderr


def test_rules_schema_is_the_committed_file(cli):
    assert cli("rules", "schema").stdout == (ROOT / "rules" / "schema.json").read_text()


def test_template_round_trip(cli, tmp_path):
    target = tmp_path / "bom.xlsx"
    assert cli("template", target).exit_code == 0
    again = cli("template", target)
    assert again.exit_code == 2 and "already exists" in again.stderr
    done = cli("check", target)
    assert done.exit_code == 0, done.stdout


def test_version(cli):
    from rvc import __version__

    assert cli("--version").stdout.strip() == f"rvc {__version__}"


def test_custom_rules_folder(cli, tmp_path):
    import shutil

    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    text = (rules / "vehicle-rvc.yaml").read_text()
    stricter = text.replace(
        "        status: C\n        note: a rise to 85%",
        "        status: C\n      - from: 2024-01-01\n        min_percent: 95\n"
        "        citation: internal stricter policy\n        status: R\n        note: a rise to 85%",
    )
    (rules / "vehicle-rvc.yaml").write_text(stricter)
    done = cli("check", EV, "--rules", rules, "-f", "json")
    rvc = json.loads(done.stdout)["requirements"][0]
    assert rvc["threshold"] == 95 and rvc["status"] == "fail"
    assert rvc["citation"] == "internal stricter policy"
    # under the roll-up reading the sedan's non-originating value is 6.6% of its net cost: de
    # minimis (s. 5(4)) passes it
    done = cli("check", SEDAN, "--rules", rules, "-f", "json", "--core-reading", "roll-up")
    sedan = json.loads(done.stdout)["requirements"][0]
    assert sedan["status"] == "pass" and sedan["details"]["de_minimis"] is True
    assert "de minimis, s. 5(4)" in sedan["message"]


def test_rules_list_and_show_name_the_pack_loaded_and_take_a_date(cli, tmp_path):
    import hashlib
    import shutil

    import jsonschema

    schema = json.loads((ROOT / "rvc" / "reporters" / "rules-output.schema.json").read_text())
    rules = tmp_path / "rules"
    shutil.copytree(ROOT / "rules", rules)
    listing = json.loads(
        cli("rules", "list", "--rules", rules, "-f", "json", "--as-of", "2027-07-01").stdout
    )
    jsonschema.validate(listing, schema)
    digest = hashlib.sha256()
    for path in sorted(rules.glob("*.yaml")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    assert listing["rules"]["path"] == str(rules.resolve())
    assert listing["rules"]["sha256"] == digest.hexdigest()
    assert listing["as_of"] == "2027-07-01"
    truck = next(c for c in listing["vehicle_classes"] if c["id"] == "heavy_truck")
    rvc = next(r for r in truck["requirements"] if r["id"] == "vehicle-rvc")
    assert rvc["in_force"]["min_percent"] == 70 and rvc["in_force"]["from"] == "2027-07-01"
    early = json.loads(cli("rules", "list", "-f", "json", "--as-of", "2020-06-30").stdout)
    jsonschema.validate(early, schema)
    assert all(r["in_force"] is None for c in early["vehicle_classes"] for r in c["requirements"])
    assert "not in force on 2020-06-30" in cli("rules", "list", "--as-of", "2020-06-30").stdout
    # the same sha256 as a check report records
    report = json.loads(cli("check", EV, "--rules", rules, "-f", "json").stdout)
    assert report["rules"]["sha256"] == listing["rules"]["sha256"]

    shown = json.loads(cli("rules", "show", "steel", "-f", "json", "--as-of", "2027-07-01").stdout)
    jsonschema.validate(shown, schema)
    (steel,) = shown["definitions"]
    assert [e["in_force"] for e in steel["thresholds"]] == [False, True]
    assert steel["thresholds"][1]["melted_and_poured_required"] is True
    text = cli("rules", "show", "steel", "--as-of", "2026-01-01").stdout
    assert "Loaded from " in text and "sha256 " in text
    assert "melted and poured in North America required: no   <- in force on 2026-01-01" in text
    bad = cli("rules", "show", "steel", "--as-of", "2026-13-01")
    assert bad.exit_code == 2
