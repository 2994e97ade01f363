"""Many vehicles in one run: `rvc check PATH...` over files, folders and globs.

* `collect` turns the command line into the sorted list of vehicles: a workbook, a CSV file,
  a folder of CSV files (one vehicle, as in a single run), or the members of a batch folder
  (its workbooks, and its sub-folders of CSV files, one vehicle each).
* `check_one` evaluates one vehicle: a pure function from its path or bytes, its settings, the
  rule pack and the options to an `Outcome` (its exit code and its texts). It runs in this
  process (`--jobs 1`), in worker processes (`--jobs N`, each loading the rule pack once) or
  on a Dask cluster (`--dask-scheduler`), with the same result.
* `run_batch` puts the outcomes in sorted path order, whatever order they finished in, and
  writes the batch report and the per-workbook files of `--output-dir`.

One bad workbook never stops the others: it becomes an error document in its place.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shlex
import sys
from collections.abc import Callable, Iterable
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rvc.commands import _collector_paused, evaluate_bom, read_variant
from rvc.errors import RvcError
from rvc.readers import config as settings_file
from rvc.readers.files import passed_over
from rvc.readers.source import MemoryFile
from rvc.reporters.batch import Outcome, error_outcome, exit_code, report_outcome, totals
from rvc.reporters.outputs import to_stdout
from rvc.results import DEFAULT_READING
from rvc.rulepack import default_rules_dir, load_rule_pack
from rvc.text import escape

if TYPE_CHECKING:
    from rvc.engine.average import Period, Variant
    from rvc.readers.config import Config
    from rvc.rulepack.schema import RulePack

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
GLOB_SUFFIXES = (*WORKBOOK_SUFFIXES, ".xls", ".csv")
GLOB_CHARACTERS = frozenset("*?[")
DASK_WINDOW = 2048  # workbooks in flight on a cluster at a time (bounds the client's memory)
DASK_CONNECT_TIMEOUT = "20s"


@dataclass(frozen=True, slots=True)
class Averaging:
    """What `rvc average` reads each workbook with: the Vehicle fields it needs; the date of a
    workbook without as_of or period_end (--period's last day); and, for the passes after
    the first, the date to evaluate on (the period's last day) and the core-part categories
    the period's average makes originating, by workbook path."""

    required: frozenset[str]
    fallback: date | None = None
    as_of: date | None = None
    period_core: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Options:
    """What every workbook of a batch is checked with (picklable, sent to each worker)."""

    as_of: date | None
    today: date
    core_reading: str | None
    formats: frozenset[str]  # per-workbook outputs wanted: "json", "junit", "github", "xlsx"
    command_line: str = ""  # recorded in each audit workbook (the client's, not a worker's)
    average: Averaging | None = None  # rvc average: read each workbook as a variant
    fail_on: str = "incomplete"  # --fail-on: whether an incomplete verdict exits 1


@dataclass(frozen=True, slots=True)
class Task:
    """One vehicle to check: where it is, its settings and the rule pack folder it uses."""

    path: Path
    settings: Config | None  # None: its settings file could not be read (see `problem`)
    rules: str
    problem: RvcError | None = None


# -- which vehicles ------------------------------------------------------------------------


def holds_csv(folder: Path) -> bool:
    """A folder with CSV files in it is one CSV vehicle (BOM.csv, Vehicle.csv, ...)."""
    try:
        return any(p.suffix.lower() == ".csv" and p.is_file() for p in folder.iterdir())
    except OSError:
        return False


def batch_members(folder: Path) -> list[Path] | None:
    """The vehicles of a batch folder (its workbooks and CSV sub-folders), or None when the
    folder is not a batch: it holds CSV files itself (one CSV vehicle, as in a single run)
    or holds no workbook and no CSV sub-folder (read as today, and refused as such)."""
    try:
        entries = sorted(folder.iterdir())
    except OSError:
        return None
    if holds_csv(folder):
        return None
    members = [
        p
        for p in entries
        if not passed_over(p)
        and (
            (p.suffix.lower() in WORKBOOK_SUFFIXES and p.is_file()) or (p.is_dir() and holds_csv(p))
        )
    ]
    return members or None


def collect(arguments: Iterable[str | Path]) -> tuple[list[Path], bool]:
    """The vehicles named on the command line, sorted by path, and whether they are a batch.

    Globs are expanded here too (for shells that do not); a glob keeps workbooks, CSV files
    and folders. A batch is several vehicles, a glob, or a batch folder; a single file or CSV
    folder is not, so its output stays exactly a single run's.
    """
    found: dict[str, Path] = {}
    batch = False

    def add(path: Path, expand: bool) -> None:
        nonlocal batch
        # os.path answers False below a folder that cannot be entered (Path raises there); the
        # vehicle's own check then says so in rvc's words
        members = batch_members(path) if expand and os.path.isdir(path) else None
        if members is not None:
            batch = True
            for member in members:
                add(member, False)
            return
        key = os.path.normcase(os.path.abspath(path))
        found.setdefault(key, path)

    for argument in arguments:
        text = str(argument)
        path = Path(text)
        if not os.path.exists(path) and GLOB_CHARACTERS.intersection(text):
            matches = sorted(glob.glob(text, recursive=True))
            if matches:
                batch = True
                for match in map(Path, matches):
                    if passed_over(match):
                        continue
                    if match.is_dir() or match.suffix.lower() in GLOB_SUFFIXES:
                        add(match, True)
                continue
        add(path, True)
    paths = sorted(found.values(), key=str)
    return paths, batch or len(paths) > 1


# -- one vehicle ---------------------------------------------------------------------------


def check_one(
    source: Path | MemoryFile, settings: Config, pack: RulePack, options: Options
) -> Outcome:
    """Evaluate one vehicle and render it: the same function locally and on Dask.

    Pure: the outcome depends only on the arguments (`options.today` stands for the clock).
    Bad input becomes an error outcome (exit 2) with its located message; a bug of rvc an
    outcome with exit 3, so that one workbook never stops a batch nor reads as a verdict.
    """
    path = str(source)
    with _collector_paused():
        try:
            bill, report = evaluate_bom(
                source,
                settings,
                pack,
                as_of=options.as_of,
                today=options.today,
                core_reading=options.core_reading,
            )
            outcome = report_outcome(
                report, path, options.formats, options.command_line, options.fail_on
            )
        except RvcError as error:
            return error_outcome(error, path, options.formats)
        except Exception as exc:  # a bug of rvc: reported for this workbook, never a verdict
            problem = RvcError(path, f"internal error of rvc ({type(exc).__name__}: {exc})")
            return error_outcome(problem, path, options.formats, code=3)
    if bill.provenance:
        provenance = bill.provenance
        outcome.verbose = [
            *provenance.mapping,
            *(f"ignored sheet: {name}" for name in provenance.ignored_sheets),
            *(f"ignored column: {name}" for name in provenance.ignored_columns),
        ]
    return outcome


def average_one(
    source: Path | MemoryFile, settings: Config, pack: RulePack, options: Options
) -> Outcome:
    """Read and evaluate one variant of `rvc average`: the same function locally and on Dask.

    Pure like `check_one`; bad input is an error outcome (exit 2), a bug of rvc exit 3."""
    path = str(source)
    averaging = options.average
    assert averaging is not None
    with _collector_paused():
        try:
            variant = read_variant(
                source,
                settings,
                pack,
                as_of=averaging.as_of,
                today=averaging.fallback or options.today,
                reading=options.core_reading or DEFAULT_READING,
                required=averaging.required,
                period_core=averaging.period_core.get(path, frozenset()),
            )
        except RvcError as error:
            return error_outcome(error, path, frozenset())
        except Exception as exc:  # a bug of rvc: reported for this workbook, never a verdict
            problem = RvcError(path, f"internal error of rvc ({type(exc).__name__}: {exc})")
            return error_outcome(problem, path, frozenset(), code=3)
    verdict = variant.verdict
    return Outcome(path=path, exit_code=0, verdict=verdict.value, variant=variant)


def evaluate_one(
    source: Path | MemoryFile, settings: Config, pack: RulePack, options: Options
) -> Outcome:
    """`check_one`, or `average_one` when the options are an average's."""
    if options.average is not None:
        return average_one(source, settings, pack, options)
    return check_one(source, settings, pack, options)


_PACKS: dict[str, RulePack] = {}


def _pack(folder: str) -> RulePack:
    """A rule pack, loaded once per process."""
    pack = _PACKS.get(folder)
    if pack is None:
        pack = _PACKS[folder] = load_rule_pack(Path(folder))
    return pack


def _start_worker(folders: tuple[str, ...]) -> None:
    """A worker process loads the rule packs once, before its first workbook (a pack that
    cannot be loaded is reported by each of its workbooks)."""
    for folder in folders:
        with suppress(RvcError):
            _pack(folder)


def _check_task(task: Task, options: Options) -> Outcome:
    if task.problem is not None or task.settings is None:
        assert task.problem is not None
        return error_outcome(task.problem, str(task.path), options.formats)
    try:
        pack = _pack(task.rules)
    except RvcError as error:
        return error_outcome(error, str(task.path), options.formats)
    return evaluate_one(task.path, task.settings, pack, options)


def _check_chunk(tasks: list[tuple[int, Task]], options: Options) -> list[tuple[int, Outcome]]:
    return [(index, _check_task(task, options)) for index, task in tasks]


# -- where they run ------------------------------------------------------------------------

Finish = Callable[[int, Outcome], Outcome]
"""Called with each outcome as it arrives (its index in the sorted list); returns what to keep
(the progress bar advances, `--output-dir` files are written and texts no longer needed are
dropped here, so that a batch of 100,000 workbooks does not hold 100,000 reports)."""


def run_local(tasks: list[Task], options: Options, jobs: int, finish: Finish) -> list[Outcome]:
    """In this process (`jobs` 1) or in `jobs` worker processes, in chunks.

    Worker processes start from this one (the modules and rule packs already loaded are
    theirs at once where processes fork; elsewhere the initializer loads each pack once).
    A worker that dies (killed for memory, or a reader crashing the interpreter) breaks the
    pool: the workbooks not finished are then checked again one per process, so only the
    workbook that kills its process is reported, as an internal error (exit 3).
    """
    if jobs <= 1 or len(tasks) <= 1:
        return [finish(index, _check_task(task, options)) for index, task in enumerate(tasks)]
    folders = tuple(sorted({t.rules for t in tasks if t.problem is None}))
    _start_worker(folders)  # loaded here once, so that forked workers start with them
    results: list[Outcome | None] = [None] * len(tasks)
    broken = _in_pool(tasks, options, jobs, folders, results, finish)
    if broken:
        for index, task in enumerate(tasks):
            if results[index] is None:
                results[index] = finish(index, _isolated(task, options, folders))
    return [r for r in results if r is not None]


def _chunks(tasks: list[Task], jobs: int) -> list[list[tuple[int, Task]]]:
    """Tasks in chunks of up to 16 (fewer when there are few), so that a worker's results
    come back in a few large messages while both workers stay busy to the end."""
    indexed = list(enumerate(tasks))
    size = max(1, min(16, len(tasks) // (jobs * 8)))
    return [indexed[i : i + size] for i in range(0, len(indexed), size)]


def _in_pool(
    tasks: list[Task],
    options: Options,
    jobs: int,
    folders: tuple[str, ...],
    results: list[Outcome | None],
    finish: Finish,
) -> bool:
    """Check the tasks in `jobs` worker processes, filling `results` as chunks finish;
    return whether the pool broke (a worker died) before every chunk finished."""
    from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
    from concurrent.futures.process import BrokenProcessPool  # imported here: 10-20 ms

    chunks = _chunks(tasks, jobs)
    broken = False
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(chunks)), initializer=_start_worker, initargs=(folders,)
    ) as pool:
        pending = {pool.submit(_check_chunk, chunk, options) for chunk in chunks}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                try:
                    finished = future.result()
                except BrokenProcessPool:
                    broken = True
                    continue
                for index, outcome in finished:
                    results[index] = finish(index, outcome)
    return broken


def _isolated(task: Task, options: Options, folders: tuple[str, ...]) -> Outcome:
    """One workbook in a process of its own, after a worker died."""
    from concurrent.futures import ProcessPoolExecutor
    from concurrent.futures.process import BrokenProcessPool

    with ProcessPoolExecutor(1, initializer=_start_worker, initargs=(folders,)) as pool:
        try:
            return pool.submit(_check_task, task, options).result()
        except BrokenProcessPool:
            problem = RvcError(
                str(task.path),
                "ended the process reading it (out of memory, or a crash of the xlsx reader); "
                "internal error of rvc",
                "a workbook rvc refuses with a message: please report this file",
            )
            return error_outcome(problem, str(task.path), options.formats, code=3)


def run_dask(tasks: list[Task], options: Options, address: str, finish: Finish) -> list[Outcome]:
    """On a Dask cluster: each workbook's bytes and settings go to `check_one` on a worker,
    with the rule pack scattered once to every worker; outcomes come back in any order."""
    try:
        from distributed import Client, as_completed
    except ImportError as exc:
        raise RvcError(
            "--dask-scheduler", "needs the optional Dask extra", "pip install 'usmca-rvc[dask]'"
        ) from exc
    results: list[Outcome | None] = [None] * len(tasks)
    runnable = []
    for index, task in enumerate(tasks):
        if task.problem is not None:
            results[index] = finish(
                index, error_outcome(task.problem, str(task.path), options.formats)
            )
        else:
            runnable.append(index)
    try:
        client = Client(address, timeout=DASK_CONNECT_TIMEOUT)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError, ValueError) as exc:
        raise RvcError(
            f"--dask-scheduler {address}", f"cannot be reached ({exc})", "a running scheduler"
        ) from exc
    with client:
        packs = {
            folder: client.scatter(  # type: ignore[no-untyped-call]
                _pack(folder), broadcast=True, hash=False
            )
            for folder in sorted({tasks[i].rules for i in runnable})
        }
        for start in range(0, len(runnable), DASK_WINDOW):
            window = runnable[start : start + DASK_WINDOW]
            futures = {}
            for index in window:
                task = tasks[index]
                try:
                    source: Path | MemoryFile = _memory(task.path)
                except RvcError as error:
                    results[index] = finish(
                        index, error_outcome(error, str(task.path), options.formats)
                    )
                    continue
                future = client.submit(
                    evaluate_one,
                    source,
                    task.settings,
                    packs[task.rules],
                    options,
                    pure=False,
                    key=f"rvc-check-{index}-{hashlib.sha1(str(task.path).encode()).hexdigest()}",
                )
                futures[future] = index
            finished = as_completed(  # type: ignore[no-untyped-call]
                futures, with_results=True, raise_errors=False
            )
            for future, outcome in finished:
                index = futures[future]
                if not isinstance(outcome, Outcome):  # the task failed on the cluster itself
                    problem = RvcError(
                        str(tasks[index].path),
                        f"could not be checked on the cluster ({type(outcome).__name__}: "
                        f"{outcome}); internal error",
                        "a worker that stays up (see its memory limit)",
                    )
                    outcome = error_outcome(problem, str(tasks[index].path), options.formats, 3)
                results[index] = finish(index, outcome)
                future.release()
    return [r for r in results if r is not None]


def _memory(path: Path) -> Path | MemoryFile:
    """What is sent for a vehicle: an .xlsx's bytes under its name. A CSV vehicle is several
    files: it is sent as its path, so CSV input on a cluster needs a shared file system."""
    if path.is_file() and path.suffix.lower() != ".csv":
        try:
            return MemoryFile(path.read_bytes(), str(path))
        except OSError as exc:
            raise RvcError(
                str(path), f"cannot be read ({exc.strerror or exc})", "a readable file"
            ) from exc
    return path


# -- the batch -----------------------------------------------------------------------------


def plan(
    paths: list[Path], rules: Path | None, config: Path | None, strict: bool = False
) -> list[Task]:
    """Each vehicle's settings (the nearest settings file, found once per folder) and rule
    pack folder; a settings file that cannot be read is that vehicle's error. `strict`
    (`--strict`) refuses every unknown column in every vehicle."""
    default = str(rules or "")
    forced = settings_file.load(config) if config else None
    if forced is not None:
        forced.strict = strict
    found: dict[Path, Config | RvcError] = {}
    tasks = []
    for path in paths:
        if forced is not None:
            settings: Config | RvcError = forced
        else:
            folder = path if path.is_dir() else path.parent
            if folder not in found:
                try:
                    discovered = settings_file.discover(path)
                    discovered.strict = strict
                    found[folder] = discovered
                except RvcError as error:
                    found[folder] = error
            settings = found[folder]
        if isinstance(settings, RvcError):
            tasks.append(Task(path, None, "", settings))
            continue
        settings.label  # noqa: B018 - worked out here, relative to this working directory
        folder_name = default or str(settings.rules_dir() or default_rules_dir())
        tasks.append(Task(path, settings, folder_name))
    return tasks


def output_names(paths: list[str]) -> list[str]:
    """`<name>.json` for each workbook, unique even when names repeat in other folders (or
    differ only in case): a repeated name gets a short hash of its whole path.

    Examples:
        >>> output_names(["a/x.xlsx", "b/x.xlsx", "y.xlsx"])  # doctest: +ELLIPSIS
        ['x-....json', 'x-....json', 'y.json']
    """
    stems = [Path(p).stem or Path(p).name or "workbook" for p in paths]
    counts: dict[str, int] = {}
    for stem in stems:
        counts[stem.casefold()] = counts.get(stem.casefold(), 0) + 1
    names = []
    for path, stem in zip(paths, stems, strict=True):
        size = len(os.fsencode(stem))
        if counts[stem.casefold()] > 1 or size > NAME_BYTES - len(".json"):
            # os.fsencode: a name in bytes that are not UTF-8 hashes as those bytes
            digest = hashlib.sha256(os.fsencode(path)).hexdigest()[:10]
            stem = f"{_cut(stem, NAME_BYTES - len('-.json') - len(digest))}-{digest}"
        names.append(f"{stem}.json")
    return names


NAME_BYTES = 255
"""The longest file name most file systems take (ext4, APFS, NTFS: 255 bytes or characters):
a longer workbook name is cut, and a hash of its path keeps the cut names apart."""


def _cut(stem: str, size: int) -> str:
    """`stem` cut to at most `size` bytes on disk, never inside a character."""
    data = os.fsencode(stem)
    if len(data) <= size:
        return stem
    cut = stem
    while len(os.fsencode(cut)) > size:
        cut = cut[:-1]
    return cut


DIR_FORMATS = ("json", "xlsx")
"""What `--output-dir` can write per workbook: its JSON report (or error document) and its
audit workbook (`--output-dir-format json,xlsx`)."""


def dir_formats(text: str) -> frozenset[str]:
    """`--output-dir-format`: a comma-separated list of json and xlsx.

    Examples:
        >>> sorted(dir_formats("xlsx, JSON"))
        ['json', 'xlsx']
    """
    chosen = frozenset(part.strip().lower() for part in text.split(",") if part.strip())
    unknown = sorted(chosen - set(DIR_FORMATS))
    if unknown or not chosen:
        from rvc.text import snippet

        raise RvcError(
            "--output-dir-format",
            f"{snippet(text)} is not a list of output-dir formats",
            "json, xlsx or json,xlsx",
        )
    return chosen


class OutputDir:
    """The `--output-dir` files: each workbook's JSON document and audit workbook, written
    as it finishes; texts not needed afterwards are dropped, so memory stays flat."""

    def __init__(
        self, folder: Path, paths: list[Path], formats: frozenset[str], keep_json: bool
    ) -> None:
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise RvcError(str(folder), f"cannot be written ({exc.strerror or exc})") from exc
        self.folder = folder
        self.names = output_names([str(p) for p in paths])
        self.formats = formats
        self.keep_json = keep_json

    def write(self, index: int, outcome: Outcome) -> Outcome:
        """Write one workbook's files; return the outcome with what the batch still needs."""
        target = self.folder / self.names[index]
        if "json" in self.formats:
            _write_file(target, outcome.texts["json"] + "\n")
        if not self.keep_json:
            outcome.texts.pop("json", None)
        if "xlsx" in self.formats:
            workbook = target.with_suffix(".xlsx")
            data = outcome.files.pop("xlsx", None)
            if data is not None:
                _write_file(workbook, data)
            elif workbook.exists():  # bad input: never leave an earlier run's audit workbook
                _remove(workbook)
        return outcome


def _write_file(path: Path, data: str | bytes) -> None:
    """One workbook's file (its JSON document or audit workbook) in `--output-dir`."""
    try:
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
    except OSError as exc:
        raise RvcError(str(path), f"cannot be written ({exc.strerror or exc})") from exc


def _remove(path: Path) -> None:
    try:
        path.unlink()
    except OSError as exc:
        raise RvcError(str(path), f"cannot be removed ({exc.strerror or exc})") from exc
    shown = escape(path)
    sys.stderr.write(f"rvc: removed {shown}: this run has no audit workbook for it (bad input)\n")


def _formats(output_format: str, single: bool, in_dir: frozenset[str]) -> frozenset[str]:
    """What each workbook is rendered to where it is checked."""
    formats = {output_format} & {"json", "junit", "github"}
    formats |= in_dir
    if single:
        formats |= {"json", "report"}  # the Report itself comes back, for the single renderer
    return frozenset(formats)


def run_batch(
    *,
    paths: list[Path],
    single: bool,
    rules: Path | None,
    as_of: date | None,
    today: date,
    output_format: str,
    output: Path | None,
    core_reading: str | None,
    config: Path | None,
    verbose: bool,
    jobs: int | None,
    output_dir: Path | None,
    dask_scheduler: str | None,
    strict: bool = False,
    output_dir_format: str = "json",
    fail_on: str = "incomplete",
    quiet: bool = False,
) -> int:
    """Check every vehicle, write the batch report (or, for one vehicle, exactly its single
    report) and the `--output-dir` files; return the batch's exit code."""
    from rvc.reporters import batch as batch_report

    _refuse_output_among_inputs(output, paths)
    output_format, file_format, explicit = _chosen_formats(output_format, output, single, quiet)
    in_dir = dir_formats(output_dir_format) if output_dir is not None else frozenset()
    if rules is not None:
        _pack(str(rules))  # a broken --rules pack is one usage error, not one per workbook
    command_line = shlex.join(["rvc", *sys.argv[1:]]) if "xlsx" in in_dir else ""
    rendered = _formats(output_format, single, in_dir) | _formats(file_format, False, in_dir)
    options = Options(as_of, today, core_reading, rendered, command_line, fail_on=fail_on)
    tasks = plan(paths, rules, config, strict)
    files = _output_dir(output_dir, tasks, in_dir, single or "json" in (output_format, file_format))
    show = output_format == "table" and not single and sys.stderr.isatty()
    with batch_report.progress(show, len(tasks)) as advance:

        def finish(index: int, outcome: Outcome) -> Outcome:
            advance(1)
            return files.write(index, outcome) if files is not None else outcome

        outcomes = _run(tasks, options, jobs, dask_scheduler, finish)
    if verbose:
        _write_verbose(outcomes)
    if single:
        return _write_single(outcomes[0], "verdict" if quiet else output_format, output, options)
    if quiet:
        return _write_quiet(outcomes, file_format, output)
    _write_batch(outcomes, file_format or output_format, output)
    if output is not None and explicit and output_format != file_format:
        _write_batch(outcomes, output_format, None)  # -f given as well: standard output too
    return exit_code(outcomes)


def _output_dir(
    folder: Path | None, tasks: list[Task], formats: frozenset[str], keep_json: bool
) -> OutputDir | None:
    """The `--output-dir` writer, when one is asked for."""
    return OutputDir(folder, [t.path for t in tasks], formats, keep_json) if folder else None


def _chosen_formats(
    output_format: str, output: Path | None, single: bool, quiet: bool
) -> tuple[str, str, bool]:
    """Standard output's format, the `-o` file's, and whether `-f` was given (`--quiet`:
    only the verdict line of one workbook, or the totals line of a batch)."""
    explicit = output_format != "auto"
    if quiet:
        output_format, explicit = ("table" if output_format == "auto" else output_format), False
    output_format, file_format = _batch_formats(output_format, output, single)
    return output_format, file_format, explicit


def _write_quiet(outcomes: list[Outcome], file_format: str, output: Path | None) -> int:
    """`--quiet` in a batch: the `-o` file as asked, each bad workbook's message on standard
    error (the table that names them is not printed) and the totals line."""
    if output is not None:
        _write_batch(outcomes, file_format, output)
    for outcome in outcomes:
        if outcome.error is not None:
            sys.stderr.write(f"rvc: error: {escape(outcome.error['message'])}\n")
    to_stdout("table", lambda stream: stream.write(f"Total: {totals(outcomes)}\n"))
    return exit_code(outcomes)


BATCH_FORMATS = ("table", "json", "junit", "github")
"""The formats a batch report exists in (Markdown and SARIF are single-workbook reports)."""
BATCH_SUFFIXES = {".json": "json", ".xml": "junit", ".txt": "table"}


def _batch_formats(output_format: str, output: Path | None, single: bool) -> tuple[str, str]:
    """Standard output's format and the `-o` file's (named by its suffix, as in a single
    run), or a usage error before anything is read: never a report under a misleading name,
    never a format the batch has no writer for."""
    from rvc.reporters import outputs

    file_format = ""
    if output is not None:
        outputs.plan([output])  # a folder, a missing folder, a suffix that names no format
        suffix = outputs.suffix_of(output)
        if not single:
            file_format = BATCH_SUFFIXES.get(suffix, "")
            if not file_format:
                raise RvcError(
                    str(output),
                    f"suffix {suffix!r} names no batch report format",
                    "one of " + ", ".join(BATCH_SUFFIXES) + " for a batch of workbooks "
                    "(--output-dir DIR writes each workbook's own report)",
                )
    if not single and output_format not in ("auto", *BATCH_FORMATS):
        raise RvcError(
            "--format",
            f"{output_format!r} is not a format of a batch report",
            "one of " + ", ".join(BATCH_FORMATS) + " for a batch of workbooks",
        )
    return ("table" if output_format == "auto" else output_format), file_format


def _refuse_output_among_inputs(output: Path | None, paths: list[Path]) -> None:
    if output is not None and any(output.resolve() == p.resolve() for p in paths):
        raise RvcError(str(output), "is one of the BOMs", "another file for the report (-o)")


def _run(
    tasks: list[Task], options: Options, jobs: int | None, scheduler: str | None, finish: Finish
) -> list[Outcome]:
    """On the Dask cluster when one is named, else here (one process per CPU by default)."""
    if scheduler:
        return run_dask(tasks, options, scheduler, finish)
    return run_local(tasks, options, jobs or os.cpu_count() or 1, finish)


def _write_verbose(outcomes: list[Outcome]) -> None:
    for outcome in outcomes:
        for line in outcome.verbose:
            sys.stderr.write(f"rvc: {escape(outcome.path)}: {escape(line)}\n")


def _write_batch(outcomes: list[Outcome], output_format: str, output: Path | None) -> None:
    """The batch report, on standard output or in the `-o` file."""
    from rvc.reporters import batch as batch_report

    writer: dict[str, Callable[[list[Outcome], Any], None]] = {
        "json": batch_report.write_json,
        "junit": batch_report.write_junit,
        "github": batch_report.write_github,
        "table": batch_report.write_table,
    }
    if output is None:
        # a reader that went away (`rvc check DIR | head -1`) keeps the batch's exit code
        to_stdout(output_format, lambda stream: writer[output_format](outcomes, stream))
        return
    try:
        with output.open("w", encoding="utf-8") as stream:
            writer[output_format](outcomes, stream)
    except OSError as exc:
        raise RvcError(str(output), f"cannot be written ({exc.strerror or exc})") from exc
    sys.stderr.write(f"rvc: wrote {escape(output)} ({batch_report.totals(outcomes)})\n")


def _write_single(
    outcome: Outcome, output_format: str, output: Path | None, options: Options
) -> int:
    """One vehicle: exactly what a single run writes (the report, or the error on stderr);
    `output_format` "verdict": only the verdict line (--quiet)."""
    from rvc.reporters import RENDERERS, outputs
    from rvc.reporters.terminal import render_verdict

    if outcome.report is None:
        assert outcome.error is not None
        error = outcome.error
        where = f"{error['file']}: {error['where']}" if error["where"] else error["file"]
        raise RvcError(where, error["found"], error["expected"])
    report = outcome.report
    if output is not None:
        ((path, writer),) = outputs.plan([output])  # the format its suffix names
        try:
            writer.write(path, report, options.fail_on)
        except OSError as exc:
            raise RvcError(str(output), f"cannot be written ({exc.strerror or exc})") from exc
        sys.stderr.write(f"rvc: wrote {escape(output)} (verdict {outcome.verdict})\n")
    if output_format == "verdict":
        to_stdout("table", lambda stream: render_verdict(report, stream, fail_on=options.fail_on))
    elif output is None:
        render = RENDERERS[output_format]
        to_stdout(output_format, lambda stream: render(report, stream, fail_on=options.fail_on))
    return outcome.exit_code


# -- rvc average ---------------------------------------------------------------------------


class _Failed(Exception):
    """Workbooks that could not be read (bad input, or a bug of rvc in a later pass)."""

    def __init__(self, outcomes: list[Outcome]) -> None:
        super().__init__(f"{len(outcomes)} workbooks")
        self.outcomes = outcomes


@dataclass(slots=True)
class _Passes:
    """The passes of `rvc average` over the workbooks, each a batch run (locally or on Dask):
    the first reads every variant on its own as_of; later ones evaluate some again on the
    period's last day, with the core-part categories the period's averages make originating."""

    tasks: list[Task]
    today: date
    reading: str | None
    jobs: int | None
    dask_scheduler: str | None
    averaging: Averaging

    def run(self, chosen: list[Task], how: Averaging) -> list[Outcome]:
        options = Options(None, self.today, self.reading, frozenset(), average=how)
        if self.dask_scheduler:
            return run_dask(chosen, options, self.dask_scheduler, lambda i, o: o)
        return run_local(chosen, options, self.jobs or os.cpu_count() or 1, lambda i, o: o)

    def first(self) -> list[Variant]:
        outcomes = self.run(self.tasks, self.averaging)
        bad = [o for o in outcomes if o.variant is None]
        if bad:
            raise _Failed(bad)
        return [o.variant for o in outcomes if o.variant is not None]

    def again(self, included: list[Variant], chosen: set[str], how: Averaging) -> list[Variant]:
        """The variants, those in `chosen` with their figures evaluated again."""
        from rvc.engine.average import with_figures

        outcomes = self.run([t for t in self.tasks if str(t.path) in chosen], how)
        failed = [o for o in outcomes if o.variant is None]
        if failed:  # read once already: a bug of rvc, or a file changed meanwhile
            raise _Failed(failed)
        redone = {o.path: o.variant for o in outcomes if o.variant is not None}
        return [with_figures(v, redone[v.path].requirements, redone[v.path].rescue)
                if v.path in redone else v for v in included]  # fmt: skip

    def for_period(
        self,
        included: list[Variant],
        pack: RulePack,
        period: Period,
        category: str,
        exported_only: bool,
    ) -> list[Variant]:
        """Each variant's figures for the period: on its last day (when its own as_of has
        other thresholds), then with the core parts the period's averages rescue."""
        from rvc.engine import average as engine

        last_day = replace(self.averaging, as_of=period.decides)
        day = period.decides
        moved = {v.path for v in included
                 if not engine.same_rules(pack, v.vehicle_class, v.as_of, day)}  # fmt: skip
        if moved:
            included = self.again(included, moved, last_day)
        forced = engine.period_core(included, pack, period, category, exported_only)
        quick = {v.path: w for v in included if v.path in forced
                 and (w := engine.rescued(v, forced[v.path])) is not None}  # fmt: skip
        included = [quick.get(v.path, v) for v in included]
        slow = set(forced) - set(quick)  # a failing core part inside an assembly: again
        if slow:
            included = self.again(included, slow, replace(last_day, period_core=forced))
        return included


def _average_pack(tasks: list[Task], rules: Path | None) -> RulePack:
    """The one rule pack of an average: --rules, else the one the settings files name."""
    folders = {t.rules for t in tasks if t.problem is None}
    if len(folders) > 1:
        raise RvcError(
            "rvc average",
            f"the workbooks' settings files name {len(folders)} rule packs "
            f"({', '.join(sorted(folders))})",
            "one rule pack for one average (--rules DIR)",
        )
    return _pack(next(iter(folders), str(rules or default_rules_dir())))


def _required(categories: tuple[str, ...], exported_only: bool) -> frozenset[str]:
    """The Vehicle fields every workbook of the average must give."""
    required = {"volume", "country"}
    if exported_only:
        required.add("volume_exported")
    if "plant" in categories:
        required.add("plant")
    return frozenset(required)


def run_average(
    *,
    paths: list[Path],
    rules: Path | None,
    config: Path | None,
    category: str,
    period: tuple[date, date] | None,
    exported_only: bool,
    only: dict[str, str],
    core_reading: str | None,
    today: date,
    output_format: str,
    outputs: list[Path],
    fail_on: str,
    jobs: int | None,
    dask_scheduler: str | None,
    strict: bool = False,
) -> int:
    """Read every variant (in parallel, as a batch), average them by category over the
    period, write the report in every format asked for; return the exit code (0 every
    average passes, 1 one fails or is incomplete, 2 bad input, 3 a bug of rvc)."""
    from rvc.engine import average as engine
    from rvc.reporters import average as report
    from rvc.reporters.outputs import stdout_format

    engine.check_only(category, only)
    files = report.plan(outputs, paths)
    fmt = stdout_format(output_format, files=bool(files))
    tasks = plan(paths, rules, config, strict)
    pack = _average_pack(tasks, rules)
    reading = core_reading or (settings_file.load(config).reading() if config else None)
    averaging = Averaging(
        _required(engine.CATEGORIES[category], exported_only),
        fallback=period[1] if period else None,
    )
    passes = _Passes(tasks, today, reading, jobs, dask_scheduler, averaging)
    try:
        variants = passes.first()
        chosen = engine.resolve_period(variants, period)
        included, excluded = engine.select(variants, chosen, exported_only, only)
        chosen = engine.with_fiscal_year(chosen, included)
        engine.check_currency(included)
        included = passes.for_period(included, pack, chosen, category, exported_only)
    except _Failed as failure:
        return report.write_errors(failure.outcomes, fmt, files)
    except RvcError as error:
        return report.write_errors([error_outcome(error, "", frozenset())], fmt, files)
    result = engine.average(
        included,
        pack,
        category=category,
        period=chosen,
        exported_only=exported_only,
        reading=(reading or DEFAULT_READING),  # type: ignore[arg-type]
        excluded=excluded,
    )
    report.write(result, fmt, files, fail_on=fail_on)
    return report.exit_code(result, fail_on)
