"""Running the CLI so that a crash never reads as a verdict (exit 0 or 1).

`rvc check` exits 0 for a pass and 1 for a fail; a pipeline reads any other exception that
escaped as exit 1 as an ordinary "fail". Here every unexpected exception becomes exit 3 and
one line on standard error asking for a report, the traceback only with ``--debug`` (or
``RVC_DEBUG=1``). Usage errors stay exit 2 with the option parser's message.
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

from rvc.reporters.outputs import silence_stdout
from rvc.text import escape


def _exception_modules() -> list[Any]:
    """click's exceptions, and those of the copy of click that newer typer versions carry
    (such a typer does not install click at all, so neither import may be required)."""
    modules: list[Any] = []
    try:
        import click.exceptions

        modules.append(click.exceptions)
    except ImportError:
        pass
    try:
        import typer._click.exceptions as vendored  # type: ignore[import-not-found,unused-ignore]

        modules.append(vendored)
    except ImportError:
        pass
    return modules


def _classes(name: str) -> tuple[type[BaseException], ...]:
    import typer

    found = {getattr(m, name, None) for m in _MODULES} | {getattr(typer, name, None)}
    return tuple(c for c in found if isinstance(c, type) and issubclass(c, BaseException))


_MODULES = _exception_modules()
_EXIT: tuple[Any, ...] = _classes("Exit")
_USAGE: tuple[Any, ...] = _classes("ClickException")
_ABORT: tuple[Any, ...] = _classes("Abort")

INTERNAL_ERROR = 3
INTERRUPTED = 130
PIPE_CLOSED = 141


def issues_url() -> str:
    """Where to report a bug: the package's "Issues" URL when it declares one."""
    try:
        from importlib.metadata import metadata

        for name in ("usmca-rvc", "rvc"):
            try:
                entries = metadata(name).get_all("Project-URL") or []
            except Exception:  # noqa: BLE001 - not installed under this name
                continue
            for entry in entries:
                label, _, url = entry.partition(",")
                if label.strip().lower() in ("issues", "bug tracker", "bugs", "tracker"):
                    return str(url).strip()
    except Exception:  # noqa: BLE001 - the message must be written whatever happens here
        pass
    return "the project's issue tracker"


def internal_error(exc: BaseException, debug: bool) -> int:
    """Write the one-line report (and the traceback when debugging); return exit code 3."""
    if debug:
        traceback.print_exception(exc, file=sys.stderr)
    message = escape(str(exc))
    if len(message) > 300:
        message = message[:300] + "..."
    try:
        sys.stderr.write(
            f"rvc: internal error: {type(exc).__name__}: {message}; please report it at "
            f"{issues_url()}\n"
        )
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    return INTERNAL_ERROR


def run(app: Callable[..., Any], argv: list[str] | None = None) -> int:
    """Run the click/typer application; return the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args or os.environ.get("RVC_DEBUG", "") not in ("", "0")
    args = [a for a in args if a != "--debug"]
    try:
        result = app(args=args, prog_name="rvc", standalone_mode=False)
    except _EXIT as done:
        return int(done.exit_code)
    except _USAGE as usage:
        usage.show()
        return int(usage.exit_code)
    except (*_ABORT, KeyboardInterrupt):
        sys.stderr.write("rvc: interrupted\n")
        return INTERRUPTED
    except BrokenPipeError:
        silence_stdout()
        return PIPE_CLOSED
    except SystemExit as done:
        if isinstance(done.__context__, BrokenPipeError):
            # click turns a closed pipe into exit 1, which would read as a fail
            silence_stdout()
            return PIPE_CLOSED
        code = done.code
        return code if isinstance(code, int) else (0 if code is None else INTERNAL_ERROR)
    except BaseException as exc:  # noqa: BLE001 - every crash becomes exit 3, never a verdict
        return internal_error(exc, debug)
    return result if isinstance(result, int) else 0
