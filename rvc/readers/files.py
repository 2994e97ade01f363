"""Opening input files safely: regular files only, never blocking, size known before reading.

A path named ``bom.xlsx`` may be a FIFO (reading blocks forever), a device (``/dev/zero``
never ends) or a socket. Each is opened with ``O_NONBLOCK`` (so opening a FIFO returns at once)
and checked with ``fstat`` before a byte is read; its size is checked against the caller's
limit first. A symbolic link is followed and reported, so a CSV that is a link to
``/etc/passwd`` is visible as such in the report (its content is never echoed).
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path
from typing import BinaryIO

from rvc.errors import InputError, UnsafeInputError

MiB = 1024 * 1024
_KINDS = (
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def passed_over(path: Path) -> bool:
    """Excel's lock files (`~$bom.xlsx`, a few bytes, not a workbook) and hidden files: never
    a vehicle of a batch, never a workbook beside a CSV folder's files."""
    return path.name.startswith(("~$", "."))


def kind_of(mode: int) -> str:
    """What a file mode is, in words, for messages."""
    for test, name in _KINDS:
        if test(mode):
            return name
    return "not a regular file"


def open_regular(path: Path, limit: int, expected: str) -> BinaryIO:
    """Open a regular file for binary reading; refuse anything else, and anything over `limit`."""
    where = str(path)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0)
    flags |= getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(where, f"cannot be read ({exc.strerror or exc})", expected) from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise InputError(where, f"is {kind_of(info.st_mode)}, not a regular file", expected)
        if info.st_size > limit:
            raise UnsafeInputError(
                where,
                f"is {info.st_size / MiB:,.1f} MiB, over the {limit // MiB:,} MiB limit",
                f"{expected} of at most {limit // MiB:,} MiB",
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def link_note(path: Path) -> str | None:
    """A note when `path` (or a folder on the way) is a symbolic link: where it really points."""
    try:
        real = path.resolve()
    except (OSError, RuntimeError):
        return None
    if real != path.absolute() or path.is_symlink():
        return f"{path} is a symbolic link to {real}; the target was read"
    return None


def digest(paths: list[Path], limit: int, *, framed: bool = False) -> str:
    """SHA-256 over files read as regular files, in chunks; `framed` adds each file's name
    (``name NUL content NUL``), as the hash of a set of CSV files does."""
    sha = hashlib.sha256()
    for path in paths:
        with open_regular(path, limit, "a regular file") as handle:
            if framed:
                sha.update(path.name.encode() + b"\0")
            while chunk := handle.read(4 * MiB):
                sha.update(chunk)
            if framed:
                sha.update(b"\0")
    return sha.hexdigest()
