"""rvc: USMCA automotive rules-of-origin calculator."""

__version__ = "0.2.0"
"""The one place the version is written (pyproject.toml reads it from here)."""
