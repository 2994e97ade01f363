"""Paths checked before anything reads them, with messages in rvc's own words.

Each check raises `InputError` (`<file>: <found>; expected <what>`): a missing or unreadable
file, a folder where a file is expected (or the reverse), and spreadsheet files in a format rvc
does not read (`.xls`, `.ods`, `.numbers`, a zip that is not an `.xlsx`), each with "save it as
.xlsx". The byte-level safety checks of an `.xlsx` stay in `xlsx_guard`.
"""

from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

from rvc.errors import InputError
from rvc.readers import files
from rvc.readers.csv_folder import MAX_CSV_BYTES
from rvc.readers.xlsx_guard import MAX_FILE_BYTES

SAVE_AS = "an .xlsx workbook: open it in Excel or LibreOffice and save it as .xlsx"
OTHER_FORMATS = {
    ".xls": "a legacy Excel 97-2003 workbook (.xls)",
    ".xlsb": "a binary Excel workbook (.xlsb)",
    ".ods": "an OpenDocument spreadsheet (.ods)",
    ".numbers": "an Apple Numbers file (.numbers)",
    ".xml": "an XML spreadsheet",
    ".txt": "a text file",
    ".tsv": "a tab-separated text file",
}


def _readable(path: Path) -> None:
    """A file the user may read (the message says how to fix it)."""
    if not os.access(path, os.R_OK):
        raise InputError(
            str(path),
            "cannot be read (permission denied)",
            "a file you may read (check its permissions, or copy it somewhere you own)",
        )


def _head(path: Path, limit: int, expected: str) -> bytes:
    """The first bytes of a regular file, opened without blocking (a FIFO or a device named
    `bom.xlsx` is refused by `files.open_regular`, never read)."""
    _readable(path)
    with files.open_regular(path, limit, expected) as stream:
        return stream.read(8)


def _kind(path: Path, expected: str) -> str | None:
    """ "file", "folder", "other" or None (nothing there); a folder on the way that cannot be
    entered is this user's problem to fix, said in rvc's words (Python 3.11's `Path.is_dir`
    raises `PermissionError` there)."""
    try:
        mode = path.stat().st_mode
    except PermissionError as exc:
        raise InputError(
            str(path),
            "cannot be reached (permission denied on a folder on its way)",
            f"{expected} in a folder you may enter (check the folders' permissions)",
        ) from exc
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise InputError(str(path), f"cannot be reached ({exc.strerror or exc})", expected) from exc
    if stat.S_ISDIR(mode):
        return "folder"
    return "file" if stat.S_ISREG(mode) else "other"


def check_input(path: Path) -> None:
    """The BOM argument: an existing, readable .xlsx, CSV file, or folder."""
    expected_input = "an .xlsx workbook, a CSV file or a folder of CSV files"
    kind = _kind(path, expected_input)
    if kind is None:
        folder = path.parent
        hint = ""
        if str(folder) not in ("", ".") and _kind(folder, "a folder") != "folder":
            hint = f" (the folder {folder} does not exist either)"
        raise InputError(
            str(path),
            f"does not exist{hint}",
            "a path to an .xlsx workbook, a CSV file or a folder of CSV files",
        )
    if kind == "folder":
        if not os.access(path, os.R_OK | os.X_OK):
            raise InputError(
                str(path), "cannot be read (permission denied)", "a folder you may read"
            )
        return
    suffix = path.suffix.lower()
    if suffix == ".csv":
        _head(path, MAX_CSV_BYTES, "a CSV text file")
        return
    head = _head(path, MAX_FILE_BYTES, "an .xlsx workbook")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputError(
            str(path), f"is {_ole_kind(path)}", "an unprotected " + SAVE_AS.removeprefix("an ")
        )
    if head.startswith(b"PK"):
        kind = _zip_kind(path)
        if kind is not None:
            raise InputError(
                str(path), f"is {kind}, not an Excel workbook (no xl/workbook.xml)", SAVE_AS
            )
        return
    if suffix in OTHER_FORMATS:
        raise InputError(str(path), f"is {OTHER_FORMATS[suffix]}", SAVE_AS + " (or as CSV)")


def _ole_kind(path: Path) -> str:
    """An OLE container: an encrypted OOXML workbook holds an `EncryptedPackage` stream, an
    .xls a `Workbook` (or `Book`) stream."""
    with path.open("rb") as stream:
        data = stream.read(4 * 1024 * 1024)
    if "EncryptedPackage".encode("utf-16-le") in data:
        return "a password-protected (encrypted) workbook"
    if any(name.encode("utf-16-le") + b"\0\0" in data for name in ("Workbook", "Book")):
        return "a legacy Excel 97-2003 workbook (.xls), whatever its name"
    return "a legacy Excel 97-2003 workbook (.xls) or a password-protected workbook"


def _zip_kind(path: Path) -> str | None:
    """What a zip archive is when it is not an .xlsx (None when it looks like one, or is too
    damaged to say: xlsx_guard then reports the details)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return None if "xl/workbook.xml" in names else "a binary Excel workbook (.xlsb)"
            if "mimetype" in names:
                mimetype = archive.read("mimetype")[:100].decode("ascii", "replace")
                if "opendocument.spreadsheet" in mimetype:
                    return "an OpenDocument spreadsheet (.ods)"
                return f"an OpenDocument file ({mimetype.strip()})"
            if any(n.startswith("Index/") for n in names) or "Index.zip" in names:
                return "an Apple Numbers file"
            if "word/document.xml" in names:
                return "a Word document"
            if "ppt/presentation.xml" in names:
                return "a PowerPoint presentation"
            return "a zip archive of other files"
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def check_output(path: Path) -> None:
    """A report or template file to write: not a folder, in a folder that exists."""
    if _kind(path, "a file to write") == "folder":
        raise InputError(
            str(path), "is a folder", f"a file name for the output, e.g. {path / 'report.txt'}"
        )
    folder = path.parent
    if str(folder) not in ("", ".") and _kind(folder, "a folder") != "folder":
        raise InputError(
            str(path),
            f"cannot be written: the folder {folder} does not exist",
            "a file in an existing folder (create the folder first)",
        )


def check_settings_file(path: Path) -> None:
    """--config: an existing, readable TOML file."""
    kind = _kind(path, "a settings file (rvc.toml or pyproject.toml)")
    if kind == "folder":
        raise InputError(str(path), "is a folder", "a settings file (rvc.toml or pyproject.toml)")
    if kind is None:
        raise InputError(
            str(path), "does not exist", "a settings file (rvc.toml or pyproject.toml)"
        )
    _head(path, 1024 * 1024, "a settings file (rvc.toml or pyproject.toml)")


def check_rules_folder(path: Path) -> None:
    """--rules: an existing folder."""
    if _kind(path, "a rule pack folder") not in (None, "folder"):
        raise InputError(
            str(path), "is a file", "a rule pack folder (holding pack.yaml), e.g. rules/"
        )
