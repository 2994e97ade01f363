"""Project settings: `[tool.rvc]` in pyproject.toml or an `rvc.toml` (flag > file > defaults).

A team maps its ERP export's sheet names, column headers and origin words to the contract once:

    [tool.rvc.columns.BOM]
    part_number = ["Component", "Material"]
    quantity = "Comp. Qty"
    hs_code = "HTS"
    originating = "Origin Status"

    [tool.rvc.values.originating]
    yes = ["Qualified"]
    no = ["Not qualified"]
"""

from __future__ import annotations

import stat
import tomllib
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from rvc.contract import FIELDS, NO, OTHER_SPELLINGS, SHEETS, YES, SheetName
from rvc.errors import InputError
from rvc.readers import files
from rvc.readers.raw import normalize_name
from rvc.results import READING_ALIASES, CoreReading, ReadingName
from rvc.rulepack.schema import CoreCategory
from rvc.text import escape, snippet

MAX_SETTINGS_BYTES = 4 * 1024 * 1024
"""A settings file (or pyproject.toml) larger than this is refused before it is read."""


def _names(value: object) -> object:
    if isinstance(value, str):
        return [value]
    return value


Names = Annotated[list[Annotated[str, Field(min_length=1)]], BeforeValidator(_names)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class YesNo(_Strict):
    """Extra words read as Y or N."""

    yes: Names = []
    no: Names = []


class Values(_Strict):
    """Extra words for coded columns."""

    originating: YesNo = YesNo()
    melted_and_poured: YesNo = YesNo()
    core_part: dict[
        CoreCategory,
        Names,
    ] = {}


class Settings(_Strict):
    """The `[tool.rvc]` table."""

    rules: str | None = None
    format: str | None = None
    output: str | None = None
    core_reading: ReadingName | None = None
    core_roll_up: bool | None = None
    sheets: dict[SheetName, Names] = {}
    columns: dict[SheetName, dict[str, Names]] = {}
    values: Values = Values()


class Config:
    """Settings plus where they came from (for messages and the report)."""

    def __init__(
        self, settings: Settings | None = None, source: Path | None = None, *, strict: bool = False
    ) -> None:
        self.settings = settings or Settings()
        self.source = source
        self._label: str | None = None
        self.strict = strict
        """Every unknown column is an error (`--strict`), not only those that look like one."""

    def mapping_hint(self, table: str, key: str, name: str) -> str:
        """How to map `name` to a contract `key` in this settings file, in its own syntax:
        `rvc.toml: [columns.BOM] originating = "orignating"`."""
        pyproject = self.source is not None and self.source.name == "pyproject.toml"
        prefix = "tool.rvc." if pyproject else ""
        file = self.source.name if self.source is not None else "rvc.toml"
        quoted = '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'
        return f"{file}: [{prefix}{table}] {key} = {quoted}"

    def output_path(self) -> Path | None:
        """The report file named in the settings file, relative to the file."""
        if self.settings.output is None or self.source is None:
            return None
        return self.source.parent / self.settings.output

    @property
    def label(self) -> str:
        """`rvc.toml` or `pyproject.toml [tool.rvc]`, for the report.

        Worked out once, relative to the working directory of the process that asked first:
        a batch computes it before sending the settings to a worker (whose directory differs).
        """
        if self._label is None:
            self._label = self._shown()
        return self._label

    def _shown(self) -> str:
        if self.source is None:
            return "defaults"
        try:
            shown = str(self.source.resolve().relative_to(Path.cwd().resolve()))
        except ValueError:
            shown = str(self.source)
        if self.source.name == "pyproject.toml":
            return f"{shown} [tool.rvc]"
        return shown

    def reading(self) -> CoreReading | None:
        """The core-part reading the file asks for (`core_roll_up = true` means `roll-up`)."""
        if self.settings.core_reading is not None:
            return READING_ALIASES[self.settings.core_reading]
        return "roll-up" if self.settings.core_roll_up else None

    def rules_dir(self) -> Path | None:
        """The rules folder named in the file, relative to the file."""
        if self.settings.rules is None or self.source is None:
            return None
        return (self.source.parent / self.settings.rules).resolve()

    def sheet_names(self, sheet: str) -> dict[str, str]:
        """Normalised names that identify a contract sheet -> how each was configured."""
        names = {normalize_name(sheet): "contract"}
        for spelling in OTHER_SPELLINGS.get(sheet, ()):
            names[normalize_name(spelling)] = "contract"
        for name in self.settings.sheets.get(sheet, []):  # type: ignore[call-overload]
            names[normalize_name(name)] = self.label
        return names

    def aliases(self, sheet: str) -> dict[str, dict[str, str]]:
        """For each field of a sheet, its accepted normalised headers -> how configured."""
        configured = self.settings.columns.get(sheet, {})  # type: ignore[call-overload]
        result: dict[str, dict[str, str]] = {}
        for field in FIELDS[sheet]:
            headers = {normalize_name(h): self.label for h in configured.get(field, [])}
            headers.setdefault(normalize_name(field), "contract")
            result[field] = headers
        return result


def _check_sheets(settings: Settings, where: str) -> None:
    """Each mapped sheet name reads one contract sheet: neither another sheet's contract name
    (`[sheets] FX = "BOM"` made the BOM sheet disappear: "has no 'BOM' sheet (found: 'BOM')")
    nor a name mapped to two sheets."""
    contract: dict[str, str] = {normalize_name(sheet): sheet for sheet in SHEETS}
    for sheet, spellings in OTHER_SPELLINGS.items():
        contract.update({normalize_name(spelling): sheet for spelling in spellings})
    _check_one_each(
        {str(sheet): names for sheet, names in settings.sheets.items()},
        contract,
        f"{where}: sheets",
        ("sheet", "a sheet of its own for {target}: each contract sheet is read from one sheet"),
        "each sheet name mapped to one contract sheet",
    )


def _check_one_each(
    mapping: Mapping[str, list[str]],
    contract: dict[str, str],
    where: str,
    clash: tuple[str, str],
    twice: str,
) -> None:
    """Each mapped name reads one target: neither another target's contract name (`clash`:
    what the targets are, and what is expected instead) nor a name mapped to two targets."""
    kind, instead = clash
    mapped: dict[str, str] = {}
    for target, names in mapping.items():
        for name in names:
            key = normalize_name(name)
            other = contract.get(key, target)
            if other != target:
                raise InputError(
                    f"{where}.{target}",
                    f"{snippet(name)} is the contract name of the {other} {kind}",
                    instead.format(target=target, other=other),
                )
            other = mapped.setdefault(key, target)
            if other != target:
                raise InputError(
                    f"{where}.{target}", f"{snippet(name)} is mapped to {other} too", twice
                )


def _check_fields(settings: Settings, where: str) -> None:
    for sheet, columns in settings.columns.items():
        for field in columns:
            if field not in FIELDS[sheet]:
                raise InputError(
                    where,
                    f"columns.{sheet}.{field} is not a {sheet} column",
                    f"one of {', '.join(FIELDS[sheet])}",
                )
        _check_headers(sheet, columns, where)


def _check_headers(sheet: str, columns: dict[str, list[str]], where: str) -> None:
    """Each mapped header reads one column: neither another column's contract name (the
    header is read as that column and the mapping dropped without a word: `unit_cost =
    "quantity"` left unit_cost read from the unit_cost column) nor a header mapped twice."""
    _check_one_each(
        columns,
        {normalize_name(field): field for field in FIELDS[sheet]},
        f"{where}: columns.{sheet}",
        ("column", f"a header that names no other {sheet} column (rvc reads it as {{other}})"),
        "each header mapped to one column",
    )


def _parse(path: Path) -> dict[str, object]:
    """The TOML document, or a located error (malformed, nested too deeply, unreadable)."""
    where = str(path)
    try:
        with files.open_regular(path, MAX_SETTINGS_BYTES, "a UTF-8 TOML file") as handle:
            text = handle.read().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            where, f"is not UTF-8 text (byte {exc.start})", "a UTF-8 TOML file"
        ) from exc
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise InputError(where, f"is not valid TOML ({escape(exc)})", "a TOML file") from exc
    except RecursionError as exc:
        raise InputError(
            where,
            "nests tables or arrays too deeply to read (thousands of levels)",
            "a settings file as documented in the README",
        ) from exc


def load(path: Path) -> Config:
    """Read settings from an rvc.toml or a pyproject.toml."""
    data = _parse(path)
    if path.name == "pyproject.toml":
        data = _table(data.get("tool", {})).get("rvc", {})  # type: ignore[assignment]
    elif "tool" in data and "rvc" in _table(data.get("tool", {})):
        data = _table(data["tool"])["rvc"]  # type: ignore[assignment]
    try:
        settings = Settings.model_validate(data)
    except RecursionError as exc:
        raise InputError(
            str(path), "nests values too deeply to read", "settings as documented in the README"
        ) from exc
    except ValidationError as exc:
        error = exc.errors()[0]
        key = ".".join(str(p) for p in error["loc"])
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown setting"
        elif error["type"] == "literal_error":
            message = f"not a known name ({message.removeprefix('Input should be ')})"
        raise InputError(
            f"{path}: {key}",
            f"{message} (found {snippet(error.get('input'))})",
            "settings as documented in the README (rules, format, output, core_reading, "
            "sheets, columns, values)",
        ) from exc
    _check_sheets(settings, str(path))
    _check_fields(settings, str(path))
    _check_words(settings, str(path))
    return Config(settings, path)


def _table(value: object) -> dict[str, object]:
    return value if isinstance(value, dict) else {}


def _check_words(settings: Settings, where: str) -> None:
    """A word read as both yes and no (here, or against the built-in words) is refused: with
    `yes = ["N"]` every N would silently become originating."""
    for column in ("originating", "melted_and_poured"):
        words: YesNo = getattr(settings.values, column)
        yes = {normalize_name(w): w for w in words.yes}
        no = {normalize_name(w): w for w in words.no}
        for key, word in yes.items():
            if key in no:
                raise InputError(
                    f"{where}: values.{column}",
                    f"{snippet(word)} is listed both under yes and under no",
                    "each word under yes or under no, not both",
                )
            if key in NO:
                raise InputError(
                    f"{where}: values.{column}.yes",
                    f"{snippet(word)} is one of rvc's own words for no",
                    f"extra words only; rvc already reads {', '.join(sorted(NO))} as no",
                )
        for key, word in no.items():
            if key in YES:
                raise InputError(
                    f"{where}: values.{column}.no",
                    f"{snippet(word)} is one of rvc's own words for yes",
                    f"extra words only; rvc already reads {', '.join(sorted(YES))} as yes",
                )


def discover(start: Path) -> Config:
    """The nearest rvc.toml, or pyproject.toml with [tool.rvc], from `start` upwards.

    A pyproject.toml that cannot be read as TOML (malformed, nested too deeply) belongs to some
    other project unless its text mentions ``[tool.rvc``: then it is an error, located;
    otherwise it is passed over, as one without ``[tool.rvc]`` is.
    """
    folder = start if start.is_dir() else start.parent
    for directory in (folder.resolve(), *folder.resolve().parents):
        candidate = directory / "rvc.toml"
        if candidate.is_file():
            return load(candidate)
        _refuse_unreadable(candidate)
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                data = _parse(candidate)
            except InputError:
                if _mentions_rvc(candidate):
                    raise
                continue
            if "rvc" in _table(data.get("tool", {})):
                return load(candidate)
    return Config()


def _refuse_unreadable(candidate: Path) -> None:
    """An rvc.toml that is there but is no regular file (a folder, a FIFO, a device, a broken
    symbolic link) is refused: passing over it would read the BOM without the settings meant
    for it, or with those of a folder further up."""
    try:
        mode = candidate.lstat().st_mode
    except OSError:
        return  # not there
    if stat.S_ISLNK(mode):
        try:
            mode = candidate.stat().st_mode
        except OSError:
            raise InputError(
                str(candidate),
                "is a broken symbolic link",
                "a settings file (fix or delete the link)",
            ) from None
    raise InputError(
        str(candidate),
        f"is {files.kind_of(mode)}, not a regular file",
        "a settings file (rvc.toml), or no file of that name",
    )


def _mentions_rvc(path: Path) -> bool:
    try:
        with files.open_regular(path, MAX_SETTINGS_BYTES, "a TOML file") as handle:
            return b"tool.rvc" in handle.read()
    except InputError:
        return False
