"""rvc: USMCA automotive rules-of-origin calculator."""

__version__ = "0.1.0"
