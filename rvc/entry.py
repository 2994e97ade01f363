"""The `rvc` script's entry point: `rvc --version` and `rvc --help` answer at once.

Python starts in about 20 ms; the command-line framework (typer, which brings pydantic) takes
another 50-100 ms to import. The two questions people and scripts ask most often need none of
it, so they are answered here; everything else goes to `rvc.cli`. `RVC_HELP` is exactly
the text typer writes for `rvc --help` at the default width (tests/test_batch.py compares
them, so a new command cannot make it stale).
"""

from __future__ import annotations

import sys

from rvc import __version__

RVC_HELP = """\
Usage: rvc [OPTIONS] COMMAND [ARGS]...

  USMCA automotive rules-of-origin calculator: RVC, core parts, steel,
  aluminum, LVC.

Options:
  -V, --version         Print the version.
  --install-completion  Install completion for the current shell.
  --show-completion     Show completion for the current shell, to copy it or
                        customize the installation.
  -h, --help            Show this message and exit.

Commands:
  check     Check vehicle BOMs against the rules; exit 0 pass, 1 fail or...
  diff      Compare two BOMs on one date: lines changed and how each...
  average   Average variants over a period by category, as section 16...
  template  Write an example workbook in the input format, ready to fill in.
  explain   Explain a requirement: what it asks, the formula, the...
  rules     Inspect and validate rule packs.
"""


def _wide_enough() -> bool:
    """The help above is typer's at 80 columns or more (a narrower terminal wraps it)."""
    import shutil

    return shutil.get_terminal_size().columns >= 80


def main() -> None:
    """Entry point of the `rvc` script."""
    arguments = sys.argv[1:]
    if arguments in (["--version"], ["-V"]):
        sys.stdout.write(f"rvc {__version__}\n")
        return
    if arguments in (["--help"], ["-h"]) and _wide_enough():
        sys.stdout.write(RVC_HELP)
        return
    from rvc.cli import main as run

    try:
        run()
    except SystemExit as done:
        leave(done.code)
    leave(0)


def leave(code: object) -> None:
    """Exit with `code` as `sys.exit` would, without freeing every object first.

    The report is written and every output file is closed by now (each is written inside a
    `with`); what is left is the interpreter tearing down the BOM's objects one by one, about
    0.1 s for 100,000 lines, which nobody waits for. Standard output and error are flushed
    first; a reader that went away keeps the exit code, as in `outputs.to_stdout`.
    """
    import os
    from contextlib import suppress

    if code is None:
        status = 0
    elif isinstance(code, int):
        status = code
    else:  # sys.exit("message"): the message on standard error, status 1
        sys.stderr.write(f"{code}\n")
        status = 1
    for stream in (sys.stdout, sys.stderr):
        with suppress(OSError, ValueError):  # a closed pipe or stream: nothing reaches it
            stream.flush()
    os._exit(status)
