"""The package version, in a module of its own so that stages can report it without importing graphx."""

__version__ = "0.1.0"
