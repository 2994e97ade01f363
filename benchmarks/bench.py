"""Benchmarks for `rvc check`: end to end in fresh processes, and where the time goes.

    python benchmarks/bench.py                 # 1k, 10k, 100k lines; prints Markdown tables
    python benchmarks/bench.py --sizes 1000    # quicker
    python benchmarks/bench.py --runs 5
    python benchmarks/bench.py --only targets  # the issue-10 targets: ratios, batch, start-up
    python benchmarks/bench.py --only average  # rvc average over 1,000 workbooks vs rvc check

Generated BOMs are cached in benchmarks/data/ (git-ignored). They are multi-level (three
levels), with core parts, unknown origins, HS codes, a shared-strings table (as Excel writes),
and SteelAluminum and LVC sheets, so every requirement is evaluated. Timings are wall-clock
medians; memory is the peak resident set size of the child process (os.wait4).
"""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA = HERE / "data"
RVC = [sys.executable, "-m", "rvc"]


def make_bom(rows: int, seed: int | None = None, period: bool = False) -> Path:
    """A BOM of `rows` lines: 5% assemblies with components, 1% core parts, 10% unknown;
    with `period`, also the Vehicle fields of `rvc average` (volume, plant, country, the
    calendar year 2025)."""
    from rvc.contract import CONTRACT
    from rvc.reporters.template import write_workbook

    path = DATA / (f"bom_{rows}.xlsx" if seed is None else f"bom_{rows}_v{seed}.xlsx")
    if period:
        path = path.with_name(path.stem + "_period.xlsx")
    if path.exists():
        return path
    DATA.mkdir(exist_ok=True)
    rng = random.Random(rows if seed is None else rows * 1000 + seed)
    vehicle = [
        ("field", "value"),
        ("model_line", f"Bench {rows}"),
        ("vehicle_class", "passenger_vehicle"),
        ("as_of", "2025-01-15"),
        ("net_cost", rows * 40),
        ("production_wages_total", 10**9),
    ]
    if period:
        vehicle += [
            ("plant", f"P{(seed or 0) % 3}"),
            ("country", "US"),
            ("volume", 1000 + 100 * (seed or 0)),
            ("period_start", "2025-01-01"),
            ("period_end", "2025-12-31"),
            ("fiscal_year_start", "2025-01-01"),
        ]
    bom: list[tuple[object, ...]] = [CONTRACT["BOM"], *_bom_rows(rows, rng)]
    metals = [("material", "value", "originating", "melted_and_poured")]
    metals += [
        ("steel" if n % 3 else "aluminum", 10000 + n, "Y" if n % 4 else "N", "Y") for n in range(40)
    ]
    lvc = [
        ("category", "amount", "hourly_wage", "assembly_type", "annual_capacity"),
        ("material", rows * 12, 22, None, None),
        ("labor", rows * 3, 30, None, None),
        ("technology", 5 * 10**7, None, None, None),
        ("assembly_plant", None, 25, "engine", 150000),
    ]
    write_workbook(
        path, [("Vehicle", vehicle), ("BOM", bom), ("SteelAluminum", metals), ("LVC", lvc)]
    )
    return path


CORES = ["engine", "transmission", "body_chassis", "axle", "suspension", "steering"]
CODES = ["8708.29", "8708.99", "7318.15", "8544.30", "9401.20", "8708.30", "4011.10"]


def _bom_rows(rows: int, rng: random.Random) -> list[tuple[object, ...]]:
    """The BOM sheet's rows (the same draws, in the same order, as the cached files')."""
    out: list[tuple[object, ...]] = []
    assemblies: list[tuple[str, int]] = []  # (part, depth): BOMs are at most 5 levels deep
    depth_of: dict[str, int] = {}
    for n in range(rows):
        part = f"P{n:07d}"
        parent = None
        if assemblies and rng.random() < 0.7:
            parent, _ = rng.choice(assemblies[-50:])
        depth_of[part] = depth_of[parent] + 1 if parent else 1
        core = CORES[(n // 100) % len(CORES)] if parent is None and n % 100 == 0 else None
        origin = rng.choices(["Y", "N", None], weights=(60, 30, 10))[0]
        if rng.random() < 0.05 and depth_of[part] < 5:
            assemblies.append((part, depth_of[part]))
            origin = None if rng.random() < 0.5 else origin
        out.append(
            (
                part,
                parent,
                f"Part {n} description",
                rng.choice(CODES),
                rng.randint(1, 4),
                round(rng.uniform(0.05, 60), 2),
                origin,
                core,
                78.5 if core and rng.random() < 0.5 else None,
                f"Supplier {n % 97}",
                rng.choice(["US", "MX", "CA", "CN", "DE"]),
            )
        )
    return out


# Children run as Python runs by default, with bytecode caching (some sandboxes set
# PYTHONDONTWRITEBYTECODE, which makes every start recompile rvc from source).
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


CPU: dict[tuple[str, ...], list[float]] = {}


def timed(args: list[str]) -> tuple[float, float, int]:
    """Run a command; return (seconds, peak RSS in MiB, exit code). Its CPU time (user +
    system) is kept in `CPU`: on a shared machine it varies less than the wall time."""
    start = time.perf_counter()
    child = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    _, status, usage = os.wait4(child.pid, 0)
    elapsed = time.perf_counter() - start
    CPU.setdefault(tuple(args), []).append(usage.ru_utime + usage.ru_stime)
    return elapsed, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def cpu(args: list[str]) -> float:
    """The median CPU time of the runs of a command so far."""
    return statistics.median(CPU[tuple(args)])


def end_to_end(sizes: list[int], runs: int) -> None:
    print("| BOM lines | xlsx size | runs | median wall (s) | min (s) | peak RSS (MiB) | exit |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for rows in sizes:
        path = make_bom(rows)
        results = [timed([*RVC, "check", str(path), "--format", "json"]) for _ in range(runs)]
        times = [r[0] for r in results]
        size = path.stat().st_size / 1e6
        median, fastest = statistics.median(times), min(times)
        peak = max(r[1] for r in results)
        print(
            f"| {rows:,} | {size:.1f} MB | {runs} | {median:.2f} | {fastest:.2f} | {peak:.0f} "
            f"| {results[0][2]} |"
        )


def breakdown(rows: int) -> None:
    """In-process: read (guard + calamine + parse), evaluate, render."""
    import datetime as dt

    from rvc.engine import evaluate
    from rvc.readers import read_bom
    from rvc.reporters import json_report, terminal
    from rvc.rulepack import default_rules_dir, load_rule_pack

    path = make_bom(rows)
    t0 = time.perf_counter()
    pack = load_rule_pack(default_rules_dir())
    t1 = time.perf_counter()
    bill = read_bom(path, today=dt.date(2026, 1, 1))
    t2 = time.perf_counter()
    report = evaluate(bill, pack, bill.as_of)
    t3 = time.perf_counter()
    json_report.render(report, io.StringIO())
    t4 = time.perf_counter()
    terminal.render(report, io.StringIO(), width=100, color=False)
    t5 = time.perf_counter()
    steps = (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4)
    print(f"| {rows:,} | " + " | ".join(f"{s:.3f}" for s in steps) + " |")


def audit_export(rows: int) -> None:
    """In-process: write the audit workbook (`-o report.xlsx`) of an evaluated BOM."""
    import datetime as dt

    from rvc.engine import evaluate
    from rvc.readers import read_bom
    from rvc.reporters.audit_workbook import write_audit_workbook
    from rvc.rulepack import default_rules_dir, load_rule_pack

    path = make_bom(rows)
    bill = read_bom(path, today=dt.date(2026, 1, 1))
    report = evaluate(bill, load_rule_pack(default_rules_dir()), bill.as_of)
    target = DATA / f"audit_{rows}.xlsx"
    wall, cpu = time.perf_counter(), time.process_time()
    write_audit_workbook(report, target, bill=bill)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    size = target.stat().st_size / 1e6
    print(f"| {rows:,} | {wall:.2f} | {cpu:.2f} | {size:.1f} MB |")


def startup(runs: int) -> None:
    times = [timed([*RVC, "--version"])[0] for _ in range(runs)]
    print(f"| `rvc --version` | {statistics.median(times) * 1000:.0f} ms |")
    small = make_bom(1000)
    times = [timed([*RVC, "check", str(small), "-f", "json"])[0] for _ in range(runs)]
    print(f"| `rvc check` 1,000 lines | {statistics.median(times) * 1000:.0f} ms |")


def hostile_files() -> dict[str, Path]:
    """The hostile files (generated, never committed)."""
    base = make_bom(1000)
    return {
        "cell at XFD1048576 (5 KB)": _replace(
            base,
            "bomb_dim.xlsx",
            b"</sheetData>",
            b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
        ),
        "sheet XML of 400 MB zeros (zip bomb)": _zip_bomb(),
        "sharedStrings uniqueCount=10^12": _replace(
            base,
            "bomb_sst.xlsx",
            b'uniqueCount="',
            b'uniqueCount="999999999999',
            part="xl/sharedStrings.xml",
            count=1,
            strip_digits=True,
        ),
    }


def hostile() -> None:
    """Time and memory to refuse each hostile file."""
    cases = {name: DATA / path.name for name, path in _hostile_names().items()}
    print("| hostile file | refused in (s) | peak RSS (MiB) | exit |")
    print("|---|---:|---:|---:|")
    for name, path in cases.items():
        seconds, rss, code = timed([*RVC, "check", str(path)])
        print(f"| {name} | {seconds:.2f} | {rss:.0f} | {code} |")


def _hostile_names() -> dict[str, Path]:
    return {
        "cell at XFD1048576 (5 KB)": DATA / "bomb_dim.xlsx",
        "sheet XML of 400 MB zeros (zip bomb)": DATA / "bomb_zip.xlsx",
        "sharedStrings uniqueCount=10^12": DATA / "bomb_sst.xlsx",
    }


def _replace(
    base: Path,
    name: str,
    old: bytes,
    new: bytes,
    part: str | None = None,
    count: int = 1,
    strip_digits: bool = False,
) -> Path:
    target = DATA / name
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        sheets = [n for n in source.namelist() if n.startswith("xl/worksheets/")]
        wanted = part or sorted(sheets)[1]
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == wanted:
                if strip_digits:
                    import re

                    data = re.sub(rb'uniqueCount="\d+', new, data, count=count)
                else:
                    data = data.replace(old, new, count)
            out.writestr(info, data)
    return target


def _zip_bomb() -> Path:
    target = DATA / "bomb_zip.xlsx"
    base = make_bom(1000)
    with zipfile.ZipFile(base) as source, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as out:
        for info in source.infolist():
            if info.filename == "xl/worksheets/sheet2.xml":
                with out.open(info.filename, "w") as part:
                    part.write(b"<worksheet>")
                    for _ in range(400):
                        part.write(b"0" * 1_000_000)
                    part.write(b"</worksheet>")
            else:
                out.writestr(info, source.read(info.filename))
    return target


CALAMINE_READ = (
    "import sys\n"
    "from python_calamine import CalamineWorkbook\n"
    "wb = CalamineWorkbook.from_path(sys.argv[1])\n"
    "for name in wb.sheet_names:\n"
    "    wb.get_sheet_by_name(name).to_python()\n"
)
OPENPYXL_READ = (
    "import sys\n"
    "import openpyxl\n"
    "wb = openpyxl.load_workbook(sys.argv[1], read_only=True, data_only=True)\n"
    "for ws in wb.worksheets:\n"
    "    for row in ws.iter_rows(values_only=True):\n"
    "        pass\n"
)


def _median(args: list[str], runs: int) -> tuple[float, float, int]:
    results = [timed(args) for _ in range(runs)]
    return (
        statistics.median(r[0] for r in results),
        max(r[1] for r in results),
        results[0][2],
    )


def target_ratio(rows: int, runs: int) -> None:
    """(a) `rvc check` end to end against a bare python-calamine and an openpyxl read-only
    read of the same file, each in a fresh process, in this run (wall and CPU ratios).

    rvc and calamine run in alternation, and the ratio is the median of each pair's ratio: on
    a shared machine the load drifts between runs, and a pair sees the same load."""
    path = make_bom(rows)
    commands = {
        "rvc": [*RVC, "check", str(path), "-f", "json"],
        "calamine": [sys.executable, "-c", CALAMINE_READ, str(path)],
        "openpyxl": [sys.executable, "-c", OPENPYXL_READ, str(path)],
    }
    pairs = [(timed(commands["rvc"]), timed(commands["calamine"])) for _ in range(runs)]
    rvc = statistics.median(r[0] for r, _ in pairs)
    calamine = statistics.median(c[0] for _, c in pairs)
    rvc_rss, cal_rss = max(r[1] for r, _ in pairs), max(c[1] for _, c in pairs)
    code = pairs[0][0][2]
    wall_ratio = statistics.median(r[0] / c[0] for r, c in pairs)
    rvc_cpus, cal_cpus = CPU[tuple(commands["rvc"])], CPU[tuple(commands["calamine"])]
    cpu_ratio = statistics.median(a / b for a, b in zip(rvc_cpus, cal_cpus, strict=True))
    openpyxl, opx_rss, _ = _median(commands["openpyxl"], 1)
    rvc_cpu, cal_cpu, opx_cpu = (cpu(commands[k]) for k in ("rvc", "calamine", "openpyxl"))
    print(
        f"| `rvc check` {rows:,} lines, JSON (exit {code}) | {rvc:.2f} | {rvc_cpu:.2f} "
        f"| {rvc_rss:.0f} | |"
    )
    print(
        f"| bare python-calamine read, all sheets | {calamine:.2f} | {cal_cpu:.2f} | {cal_rss:.0f} "
        f"| rvc / calamine = **{wall_ratio:.2f}x** wall, {cpu_ratio:.2f}x CPU (median of "
        f"{runs} pairs; target 1.5x) |"
    )
    print(
        f"| openpyxl read-only read, all sheets (1 run) | {openpyxl:.2f} | {opx_cpu:.2f} "
        f"| {opx_rss:.0f} | openpyxl / rvc = **{openpyxl / rvc:.1f}x** wall, "
        f"{opx_cpu / rvc_cpu:.1f}x CPU (target >= 8x) |"
    )


def make_batch(count: int, rows: int, variants: int = 10) -> Path:
    """`count` workbooks of `rows` lines: `variants` distinct BOMs, copied round-robin."""
    import shutil

    folder = DATA / f"batch_{count}x{rows}"
    if folder.is_dir() and len(list(folder.glob("*.xlsx"))) == count:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    sources = [make_bom(rows, seed) for seed in range(variants)]
    for n in range(count):
        shutil.copy(sources[n % variants], folder / f"variant_{n:05d}.xlsx")
    return folder


def target_batch(count: int, rows: int, jobs: int, runs: int) -> None:
    """(b) `rvc check DIR -f json --jobs N`: wall time, CPU time of the process and its
    workers (what the wall time would be on `jobs` idle cores is about CPU / jobs), and
    every report in the output."""
    import json
    import tempfile

    folder = make_batch(count, rows)
    walls, cpus = [], []
    for _ in range(runs):
        with tempfile.TemporaryFile() as out:
            start = time.perf_counter()
            child = subprocess.Popen(
                [*RVC, "check", str(folder), "-f", "json", "--jobs", str(jobs)],
                stdout=out,
                stderr=subprocess.DEVNULL,
                env=ENV,
            )
            _, status, usage = os.wait4(child.pid, 0)
            walls.append(time.perf_counter() - start)
            cpus.append(usage.ru_utime + usage.ru_stime)
            out.seek(0)
            reports = json.load(out)["reports"]
    verdicts = sum(1 for r in reports if "verdict" in r)
    code = os.waitstatus_to_exitcode(status)
    print(
        f"| {count:,} workbooks x {rows:,} lines, --jobs {jobs} | {statistics.median(walls):.2f} "
        f"(min {min(walls):.2f}, {runs} runs) | {statistics.median(cpus):.2f} "
        f"({statistics.median(cpus) / count * 1000:.1f} ms per workbook) "
        f"| {len(reports):,} reports, {verdicts:,} verdicts (exit {code}) | <= 6 s (aim 4 s) |"
    )


def make_average_batch(count: int, rows: int, variants: int = 10) -> Path:
    """`count` workbooks of `rows` lines with the period fields of `rvc average`: `variants`
    distinct BOMs (in three plants), copied round-robin."""
    import shutil

    folder = DATA / f"average_{count}x{rows}"
    if folder.is_dir() and len(list(folder.glob("*.xlsx"))) == count:
        return folder
    folder.mkdir(parents=True, exist_ok=True)
    sources = [make_bom(rows, seed, period=True) for seed in range(variants)]
    for n in range(count):
        shutil.copy(sources[n % variants], folder / f"variant_{n:05d}.xlsx")
    return folder


def target_average(count: int, rows: int, jobs: int, runs: int) -> None:
    """Averaging `count` workbooks against checking the same folder, both with `-f json` and
    `--jobs N` in a fresh process: `rvc average` reads and evaluates each workbook as a check
    does and renders one document, so it should cost no more than `rvc check DIR`."""
    import tempfile

    folder = make_average_batch(count, rows)
    commands = {
        "check": [*RVC, "check", str(folder), "-f", "json", "--jobs", str(jobs)],
        "average": [
            *RVC,
            "average",
            str(folder),
            "--category",
            "model-line-plant",
            "-f",
            "json",
            "--jobs",
            str(jobs),
        ],  # fmt: skip
    }
    figures = {}
    for name, args in commands.items():
        walls, cpus, sizes, codes = [], [], [], []
        for _ in range(runs):
            with tempfile.TemporaryFile() as out:
                start = time.perf_counter()
                child = subprocess.Popen(args, stdout=out, stderr=subprocess.DEVNULL, env=ENV)
                _, status, usage = os.wait4(child.pid, 0)
                walls.append(time.perf_counter() - start)
                cpus.append(usage.ru_utime + usage.ru_stime)
                sizes.append(out.tell())
                codes.append(os.waitstatus_to_exitcode(status))
        figures[name] = (statistics.median(walls), statistics.median(cpus))
        print(
            f"| `rvc {name}` {count:,} x {rows:,} lines, --jobs {jobs} | "
            f"{statistics.median(walls):.2f} (min {min(walls):.2f}, {runs} runs) | "
            f"{statistics.median(cpus):.2f} ({statistics.median(cpus) / count * 1000:.1f} ms per "
            f"workbook) | {sizes[0] / 1e6:.1f} MB of JSON, exit {codes[0]} |"
        )
    (check_wall, check_cpu), (avg_wall, avg_cpu) = figures["check"], figures["average"]
    print(
        f"| average / check | **{avg_wall / check_wall:.2f}x** wall | "
        f"**{avg_cpu / check_cpu:.2f}x** CPU | target <= 1x |"
    )


def target_startup(runs: int) -> None:
    """(c) `rvc --version` and `rvc --help`, through the installed script and `python -m`."""
    script = str(Path(sys.executable).with_name("rvc"))
    for label, args in (
        ("`rvc --version`", [script, "--version"]),
        ("`rvc --help`", [script, "--help"]),
        ("`python -m rvc --version`", [*RVC, "--version"]),
        ("`python -c pass` (the interpreter alone)", [sys.executable, "-c", "pass"]),
    ):
        if not Path(args[0]).exists():
            continue
        times = sorted(timed(args)[0] for _ in range(max(runs, 5)))
        print(
            f"| {label} | {statistics.median(times) * 1000:.0f} ms | min {times[0] * 1000:.0f} ms |"
        )


def targets(runs: int) -> None:
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}\n"
    )
    print("(a) one large workbook, fresh processes, medians:\n")
    print("| command | wall (s) | CPU (s) | peak RSS (MiB) | ratio |")
    print("|---|---:|---:|---:|---|")
    target_ratio(100_000, runs)
    print("\n(b) a batch, fresh process:\n")
    print("| batch | wall (s) | CPU, all processes (s) | output | target |")
    print("|---|---:|---:|---|---|")
    target_batch(1000, 1000, 2, runs)
    print("\n(c) start-up:\n")
    print("| command | median | |")
    print("|---|---:|---:|")
    target_startup(runs)


def _compiled() -> None:
    """Byte-compile rvc first, as `pip install` does: an editable checkout run with
    PYTHONDONTWRITEBYTECODE (or a read-only tree) would otherwise compile every module from
    source in every fresh process, and the start-up measured would be no user's."""
    import compileall

    import rvc

    compileall.compile_dir(str(Path(rvc.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description="rvc benchmarks")
    parser.add_argument("--sizes", type=int, nargs="*", default=[1000, 10000, 100000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--prepare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--prepare-average", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--breakdown", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--audit-export", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--only", choices=["all", "targets", "average"], default="all")
    args = parser.parse_args()
    _compiled()
    if args.breakdown:
        breakdown(args.breakdown)
        return
    if args.audit_export:
        audit_export(args.audit_export)
        return
    if args.prepare_average:
        make_average_batch(1000, 1000)
        return
    if args.prepare:
        for rows in args.sizes:
            make_bom(rows)
        hostile_files()
        make_batch(1000, 1000)
        make_average_batch(1000, 1000)
        return
    if args.only == "average":
        subprocess.run([sys.executable, __file__, "--prepare-average"], check=True)
        print(averaging_header())
        target_average(1000, 1000, 2, args.runs)
        return
    # Files are made in a child process: a child's peak RSS starts from its parent's, so the
    # parent stays small for the memory figures to mean anything.
    subprocess.run(
        [sys.executable, __file__, "--prepare", "--sizes", *map(str, args.sizes)], check=True
    )
    if args.only == "targets":
        targets(args.runs)
        return
    print(f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs\n")
    print("End to end, fresh process, `rvc check BOM --format json`:\n")
    end_to_end(args.sizes, args.runs)
    print("\nIn process, seconds (rules load, read = checks + parse, evaluate, JSON, table):\n")
    print("| BOM lines | rules | read | evaluate | json | table |")
    print("|---:|---:|---:|---:|---:|---:|")
    sys.stdout.flush()
    for rows in args.sizes:  # each in a child, so that this process stays small
        subprocess.run([sys.executable, __file__, "--breakdown", str(rows)], check=True, env=ENV)
    print("\nAudit workbook export (`-o report.xlsx`), in process, seconds:\n")
    print("| BOM lines | wall | CPU | workbook |")
    print("|---:|---:|---:|---:|")
    sys.stdout.flush()
    for rows in args.sizes:
        subprocess.run([sys.executable, __file__, "--audit-export", str(rows)], check=True, env=ENV)
    print("\nStart-up:\n")
    print("| command | median |")
    print("|---|---:|")
    startup(args.runs)
    print("\nHostile files:\n")
    hostile()
    print("\nIssue-10 targets:\n")
    targets(args.runs)
    print("\nAveraging (issue 12):\n")
    print(averaging_header())
    target_average(1000, 1000, 2, args.runs)


def averaging_header() -> str:
    """The table head of `target_average`."""
    return (
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs, load "
        f"{os.getloadavg()[0]:.1f}\n\n| command | wall (s) | CPU, all processes (s) | output |\n"
        "|---|---:|---:|---|"
    )


if __name__ == "__main__":
    main()
