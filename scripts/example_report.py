"""Write docs/example-report.txt: the table report of a shipped example, as the README shows it.

    python scripts/example_report.py          # rewrite docs/example-report.txt
    python scripts/example_report.py --check  # exit 1 if the committed file is stale

The report is `rvc check bills_of_materials/ev_crossover_fail_battery.xlsx` (the workbook
fixes its own as_of, so the text does not depend on today's date) at 100 columns without
colour, trailing spaces removed. tests/test_docs.py fails when the file is stale.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = Path("bills_of_materials") / "ev_crossover_fail_battery.xlsx"
TARGET = ROOT / "docs" / "example-report.txt"
COMMAND = f"$ rvc check {EXAMPLE.as_posix()}"


def render() -> str:
    """The example report's text, with the command that produces it on the first line."""
    sys.path.insert(0, str(ROOT))
    from rvc.engine import evaluate
    from rvc.readers import read_bom
    from rvc.reporters import terminal
    from rvc.rulepack import default_rules_dir, load_rule_pack

    here = Path.cwd()
    os.chdir(ROOT)  # the report shows the input path as typed, relative to the repository
    try:
        bill = read_bom(EXAMPLE, today=dt.date(2026, 1, 1))
        pack = load_rule_pack(default_rules_dir())
        assert bill.as_of is not None
        report = evaluate(bill, pack, bill.as_of, as_of_source=bill.as_of_source)
    finally:
        os.chdir(here)
    stream = io.StringIO()
    terminal.render(report, stream, width=100, color=False)
    lines = [line.rstrip() for line in stream.getvalue().splitlines()]
    return "\n".join([COMMAND, *lines]) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args()
    text = render()
    if args.check:
        if not TARGET.exists() or TARGET.read_text(encoding="utf-8") != text:
            print(f"{TARGET.relative_to(ROOT)} is stale: run python scripts/example_report.py")
            return 1
        return 0
    TARGET.parent.mkdir(exist_ok=True)
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
