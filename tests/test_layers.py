"""The architecture holds: the engine imports no I/O, and layers only import downwards."""

from __future__ import annotations

import os

import pytest

from tests.conftest import ROOT


def test_import_contracts():
    cli = pytest.importorskip("importlinter.cli")
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        assert cli.lint_imports(config_filename=str(ROOT / "pyproject.toml")) == 0
    finally:
        os.chdir(cwd)
