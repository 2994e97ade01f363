"""`rvc-pre-commit`: the pre-commit hook (`.pre-commit-hooks.yaml`, id `rvc-check`).

pre-commit passes the hook's `args` and then every staged file that matches `\\.(xlsx|csv)$`.
Each workbook is checked once; a CSV file named after a contract sheet (Vehicle.csv, BOM.csv,
SteelAluminum.csv, LVC.csv, FX.csv) stands for its folder, so a CSV folder is checked once
whichever of its files changed; any other CSV file is checked as a BOM export. Arguments that
are not such files (`--as-of 2027-07-01`, `--fail-on fail`, `--config rvc.toml`) are passed
to every `rvc check`. The exit code is the highest of the checks' codes (2 bad input over 1
fail or incomplete over 0 pass).
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

from rvc.contract import SHEETS

SHEET_FILES = frozenset(sheet.lower() for sheet in SHEETS)


def targets(files: Sequence[str]) -> list[Path]:
    """The inputs to check, each once, in the order first named.

    >>> [str(p) for p in targets(["a/BOM.csv", "a/Vehicle.csv", "b.xlsx", "c/export.csv"])]
    ['a', 'b.xlsx', 'c/export.csv']
    """
    seen: dict[Path, None] = {}
    for name in files:
        path = Path(name)
        if path.suffix.lower() == ".csv" and path.stem.lower() in SHEET_FILES:
            path = path.parent
        seen.setdefault(path, None)
    return list(seen)


def main(argv: Sequence[str] | None = None) -> int:
    """Check each staged BOM; return the worst exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    files = [a for a in args if Path(a).suffix.lower() in (".xlsx", ".csv") and Path(a).is_file()]
    options = [a for a in args if a not in files]
    worst = 0
    for path in targets(files):
        sys.stdout.write(f"rvc check {path}\n")
        sys.stdout.flush()
        code = subprocess.call([sys.executable, "-m", "rvc", "check", str(path), *options])
        worst = max(worst, code)
    return worst


def entry() -> None:
    """Console-script entry point."""
    sys.exit(main())
