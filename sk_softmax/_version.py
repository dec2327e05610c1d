"""The package's version, read by pyproject.toml and written into model files."""

__version__ = "0.5.0"
