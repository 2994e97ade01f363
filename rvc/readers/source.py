"""A workbook held in memory under the name it is reported by: the input of a Dask task.

`rvc check PATH... --dask-scheduler` sends each workbook's bytes to a worker that may not see
the client's disk; the report must still name the file as the client gave it, so messages
and `input.path` are identical to a local run. `MemoryFile` is the bytes plus that name.

The xlsx guard opens its input with `stat()`, `open("rb")` and `zipfile.ZipFile(...)`; a
`MemoryFile` answers the first two from its bytes and is a seekable binary stream for the
third, so the very same checks run on the very same bytes before any parser touches them
(tests/test_batch.py runs the hostile files through both).
"""

from __future__ import annotations

import io
import os
from pathlib import PurePath


class MemoryFile(io.BytesIO):
    """An .xlsx workbook's bytes and the path it is reported by."""

    def __init__(self, data: bytes, name: str) -> None:
        super().__init__(data)
        self.name: str = name

    def __str__(self) -> str:
        return str(self.name)

    def __repr__(self) -> str:
        return f"MemoryFile({self.name!r}, {len(self.getbuffer())} bytes)"

    def __reduce__(self) -> tuple[type, tuple[bytes, str]]:
        return (MemoryFile, (self.getvalue(), self.name))

    @property
    def suffix(self) -> str:
        """The suffix of the reported name (`.xlsx`)."""
        return PurePath(self.name).suffix

    def stat(self) -> os.stat_result:
        """Only `st_size` is meaningful: the number of bytes."""
        return os.stat_result((0, 0, 0, 0, 0, 0, len(self.getbuffer()), 0, 0, 0))

    def open(self, mode: str = "rb") -> io.BytesIO:  # noqa: A003 - the guard calls path.open
        """A fresh stream over the same bytes."""
        if mode != "rb":
            raise ValueError(f"a MemoryFile is read-only (mode {mode!r})")
        return io.BytesIO(self.getvalue())

    def read_bytes(self) -> bytes:
        """The whole workbook."""
        return self.getvalue()
