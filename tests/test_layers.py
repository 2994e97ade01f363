"""The architecture holds: the engine imports no I/O, and layers only import downwards."""

from __future__ import annotations

import os

from tests.conftest import ROOT


def test_import_contracts():
    # import-linter is a test dependency: a missing one is a broken setup, never a skip
    from importlinter import cli

    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        assert cli.lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0
    finally:
        os.chdir(cwd)
