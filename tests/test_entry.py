"""The script's exit: the status `sys.exit` would give, output flushed, no teardown."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("code", "status", "stderr"),
    [("None", 0, ""), ("0", 0, ""), ("1", 1, ""), ("3", 3, ""), ("'rvc: gone'", 1, "rvc: gone\n")],
)
def test_leave_exits_as_sys_exit_would(code: str, status: int, stderr: str) -> None:
    program = f"import sys; sys.stdout.write('report'); from rvc.entry import leave; leave({code})"
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=False
    )
    assert (done.returncode, done.stdout, done.stderr) == (status, "report", stderr)


def test_the_script_keeps_the_verdict_when_its_reader_goes_away() -> None:
    """`rvc check ... | head -c 1`: the report is cut, the exit code is still the verdict's."""
    program = (
        "import sys; sys.argv = ['rvc', 'check', 'bills_of_materials/sedan_pass.xlsx', "
        "'-f', 'json']; from rvc.entry import main; main()"
    )
    child = subprocess.Popen([sys.executable, "-c", program], stdout=subprocess.PIPE)
    assert child.stdout is not None
    assert child.stdout.read(1) == b"{"
    child.stdout.close()
    assert child.wait(timeout=60) == 0
