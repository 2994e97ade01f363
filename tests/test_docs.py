"""The README's promises: the example report is what rvc prints, and the quick start works in
a fresh virtual environment."""

from __future__ import annotations

import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys

import pytest

from tests.conftest import ROOT


def _example_script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location(
        "example_report", ROOT / "scripts" / "example_report.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_example_report_is_current():
    """docs/example-report.txt is regenerated here; when this fails, run
    `python scripts/example_report.py` and review the diff."""
    script = _example_script()
    assert script.TARGET.read_text(encoding="utf-8") == script.render(), (
        "docs/example-report.txt is stale: run python scripts/example_report.py"
    )


def test_the_example_report_is_what_rvc_check_prints(cli, monkeypatch):
    script = _example_script()
    monkeypatch.chdir(ROOT)
    done = cli("check", script.EXAMPLE, env={"COLUMNS": "100"})
    printed = "\n".join(line.rstrip() for line in done.stdout.splitlines()) + "\n"
    assert script.render() == f"{script.COMMAND}\n{printed}"


def quick_start(readme: str) -> list[str]:
    """The `rvc ...` command lines of the README's quick start block, comments removed."""
    match = re.search(r"^#+ *Quick start *$(.*?)^```\w*\n(.*?)^```", readme, re.M | re.S | re.I)
    assert match is not None, "README.md has no '## Quick start' section with a code block"
    lines = []
    for raw in match.group(2).splitlines():
        line = re.sub(r"\s+#.*$", "", raw).strip()
        if line.startswith("rvc "):
            lines.append(line)
    return lines


def test_quick_start_lines_are_found():
    lines = quick_start((ROOT / "README.md").read_text(encoding="utf-8"))
    assert any(line.startswith("rvc template ") for line in lines)
    assert any(line.startswith("rvc check ") for line in lines)


NO_NETWORK = re.compile(
    r"(No matching distribution|Could not find a version|Network is unreachable|"
    r"Temporary failure in name resolution|Failed to establish a new connection|"
    r"Connection (refused|reset)|ProxyError|SSLError|timed out|Could not fetch URL)",
    re.I,
)


@pytest.mark.slow
def test_readme_quick_start_in_a_fresh_virtual_environment(tmp_path):
    """`python -m venv` + `pip install .` from this tree, then every `rvc` line of the README's
    quick start, run as written in an empty folder (a `| jq ...` tail is dropped when jq is not
    installed). Skipped only when venv or pip cannot work here (no network or index), saying why."""
    commands = quick_start((ROOT / "README.md").read_text(encoding="utf-8"))
    venv = tmp_path / "venv"
    made = subprocess.run(
        [sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=300
    )
    if made.returncode != 0:
        pytest.skip(f"python -m venv is not available here: {made.stderr.strip()[-300:]}")
    bin_dir = venv / ("Scripts" if os.name == "nt" else "bin")
    source = tmp_path / "source"  # a clean copy: no .venv, no caches
    shutil.copytree(
        ROOT,
        source,
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "__pycache__", ".pytest_cache", "*.egg-info"
        ),
    )
    installed = subprocess.run(
        [str(bin_dir / "python"), "-m", "pip", "install", "-q", str(source)],
        capture_output=True,
        text=True,
        timeout=900,
    )
    if installed.returncode != 0:
        output = installed.stdout + installed.stderr
        if NO_NETWORK.search(output):
            pytest.skip(f"pip cannot reach a package index: {output.strip()[-400:]}")
        pytest.fail(f"pip install . failed:\n{output[-2000:]}")
    work = tmp_path / "work"
    work.mkdir()
    env = {**os.environ, "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}"}
    env.pop("COLUMNS", None)
    for line in commands:
        if "|" in line and shutil.which(line.split("|", 1)[1].split()[0]) is None:
            line = line.split("|", 1)[0].strip()
        done = subprocess.run(
            line if "|" in line else shlex.split(line),
            shell="|" in line,
            cwd=work,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        allowed = (0, 1) if line.startswith("rvc check") else (0,)
        assert done.returncode in allowed, f"{line}: exit {done.returncode}\n{done.stderr}"
        assert "Traceback" not in done.stderr, line
        if line.startswith("rvc check") and "-f" not in line.split() and "|" not in line:
            # one vehicle ends with its verdict line, a batch (a folder) with its totals
            assert "Verdict: " in done.stdout or "Total: " in done.stdout, line
