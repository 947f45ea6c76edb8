"""The package version (the same as pyproject.toml's), in the base layer so that any layer may record it
(report metadata) without importing the package root."""
__version__ = "0.1.0"
