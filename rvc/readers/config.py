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

import tomllib
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from rvc.errors import InputError
from rvc.readers.raw import normalize_name
from rvc.results import READING_ALIASES, CoreReading
from rvc.rules.schema import CoreCategory

CONTRACT: dict[str, tuple[str, ...]] = {
    "Vehicle": (
        "model_line",
        "vehicle_class",
        "hs_subheading",
        "producer",
        "plant",
        "as_of",
        "currency",
        "net_cost",
        "transaction_value",
        "lvc_formula",
        "total_annual_purchase_value",
        "production_wages_total",
    ),
    "BOM": (
        "part_number",
        "parent",
        "description",
        "hs_code",
        "quantity",
        "unit_cost",
        "originating",
        "core_part",
        "rvc_percent",
        "supplier",
        "country",
    ),
    "SteelAluminum": (
        "material",
        "value",
        "originating",
        "melted_and_poured",
        "description",
        "supplier",
        "hs_code",
    ),
    "LVC": (
        "category",
        "amount",
        "hourly_wage",
        "assembly_type",
        "annual_capacity",
        "description",
        "plant",
        "country",
        "wage_currency",
    ),
    "FX": ("currency", "rate", "date", "source"),
}
"""The columns (fields of Vehicle) of the workbook contract, in the contract's order."""

EXTENSIONS: dict[str, tuple[str, ...]] = {
    "BOM": ("level", "currency", "resourcing_cost"),
    "SteelAluminum": ("currency",),
    "LVC": ("currency",),
}
"""Optional columns rvc adds to the contract (see the README)."""

FIELDS = {sheet: names + EXTENSIONS.get(sheet, ()) for sheet, names in CONTRACT.items()}


def _names(value: object) -> object:
    if isinstance(value, str):
        return [value]
    return value


Names = Annotated[list[Annotated[str, Field(min_length=1)]], BeforeValidator(_names)]
SheetName = Literal["Vehicle", "BOM", "SteelAluminum", "LVC", "FX"]


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
    core_reading: Literal["us-cbp", "roll-up", "panel"] | None = None
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
        """`rvc.toml` or `pyproject.toml [tool.rvc]`, for the report."""
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
        if sheet == "SteelAluminum":
            names[normalize_name("SteelAluminium")] = "contract"
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


def _check_fields(settings: Settings, where: str) -> None:
    for sheet, columns in settings.columns.items():
        for field in columns:
            if field not in FIELDS[sheet]:
                raise InputError(
                    where,
                    f"columns.{sheet}.{field} is not a {sheet} column",
                    f"one of {', '.join(FIELDS[sheet])}",
                )


def load(path: Path) -> Config:
    """Read settings from an rvc.toml or a pyproject.toml."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(str(path), f"cannot be read ({exc})", "a UTF-8 TOML file") from exc
    except tomllib.TOMLDecodeError as exc:
        raise InputError(str(path), f"is not valid TOML ({exc})", "a TOML file") from exc
    if path.name == "pyproject.toml":
        data = data.get("tool", {}).get("rvc", {})
    elif "tool" in data and "rvc" in data.get("tool", {}):
        data = data["tool"]["rvc"]
    try:
        settings = Settings.model_validate(data)
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
            f"{message} (found {error.get('input')!r})",
            "settings as documented in the README (rules, format, output, core_reading, "
            "sheets, columns, values)",
        ) from exc
    _check_fields(settings, str(path))
    return Config(settings, path)


def discover(start: Path) -> Config:
    """The nearest rvc.toml, or pyproject.toml with [tool.rvc], from `start` upwards."""
    folder = start if start.is_dir() else start.parent
    for directory in (folder.resolve(), *folder.resolve().parents):
        candidate = directory / "rvc.toml"
        if candidate.is_file():
            return load(candidate)
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            try:
                has = "rvc" in tomllib.loads(candidate.read_text(encoding="utf-8")).get("tool", {})
            except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
                has = False
            if has:
                return load(candidate)
    return Config()
