"""The GitHub Action (action.yml) and the pre-commit hook (.pre-commit-hooks.yaml)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml

from tests.conftest import EXAMPLES, ROOT

SEDAN = EXAMPLES / "sedan_pass.xlsx"
TRUCK = EXAMPLES / "heavy_truck_2027.xlsx"


def _action():
    return yaml.safe_load((ROOT / "action.yml").read_text())


def _check_step(action):
    return next(s for s in action["runs"]["steps"] if s.get("id") == "check")


def test_action_is_a_composite_that_installs_and_runs_rvc():
    action = _action()
    assert action["runs"]["using"] == "composite"
    assert set(action["inputs"]) >= {"paths", "args", "python-version"}
    assert action["inputs"]["paths"]["required"] is True
    steps = action["runs"]["steps"]
    assert steps[0]["uses"].startswith("actions/setup-python@")
    assert steps[0]["with"]["python-version"] == "${{ inputs.python-version }}"
    install = steps[1]
    assert install["env"]["RVC_ACTION_PATH"] == "${{ github.action_path }}"
    assert "pip install" in install["run"] and '"$RVC_ACTION_PATH"' in install["run"]
    run = _check_step(action)["run"]
    assert re.search(
        r'rvc check "\$path" .*-o "rvc-junit\$suffix\.xml" -o "rvc-report\$suffix\.json"', run
    )
    upload = steps[-1]
    assert upload["uses"].startswith("actions/upload-artifact@") and upload["if"] == "always()"
    assert (
        "rvc-junit*.xml" in upload["with"]["path"] and "rvc-report*.json" in upload["with"]["path"]
    )
    # no input is pasted into a script (script injection): they come in through env
    for step in steps:
        assert "${{" not in step.get("run", ""), step.get("name")


def test_action_script_checks_each_path_and_returns_the_worst_code(tmp_path):
    step = _check_step(_action())
    script = tmp_path / "run.sh"
    script.write_text(step["run"])
    outputs = tmp_path / "github_output"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_OUTPUT": str(outputs),
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "RVC_PATHS": f'"{SEDAN}"\n{TRUCK}',
        "RVC_ARGS": "--as-of 2027-07-01",
    }
    done = subprocess.run(
        ["bash", "-eo", "pipefail", str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1, done.stderr
    assert outputs.read_text() == "exit-code=1\n"
    assert sorted(p.name for p in tmp_path.glob("rvc-*")) == [
        "rvc-junit-1.xml",
        "rvc-junit-2.xml",
        "rvc-report-1.json",
        "rvc-report-2.json",
    ]
    assert "::error file=" in done.stdout  # annotations: github is the default format there
    summary = (tmp_path / "summary.md").read_text().splitlines()
    assert sum(line.startswith("## ") for line in summary) == 2


def test_pre_commit_hook_definition():
    hooks = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    (hook,) = hooks
    assert hook["id"] == "rvc-check" and hook["language"] == "python"
    assert hook["files"] == r"\.(xlsx|csv)$"
    pattern = re.compile(hook["files"])
    assert pattern.search("boms/sedan.xlsx") and pattern.search("csv/BOM.csv")
    assert not pattern.search("notes.md")
    scripts = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]
    assert scripts[hook["entry"]] == "rvc.hook:entry"


def test_pre_commit_hook_checks_each_bom_once(capfd, monkeypatch):
    from rvc.hook import main

    monkeypatch.delenv("GITHUB_ACTIONS", raising=False)  # the table, wherever the tests run

    csv = EXAMPLES / "sedan_pass_csv"
    code = main([str(csv / "BOM.csv"), str(csv / "Vehicle.csv"), str(SEDAN)])
    out = capfd.readouterr().out
    assert code == 0
    assert out.count("rvc check ") == 2 and out.count("Verdict: PASS") == 2
    assert main([str(SEDAN), str(TRUCK), "--as-of", "2027-07-01"]) == 1
    assert main([str(SEDAN), "--no-such-option"]) == 2
