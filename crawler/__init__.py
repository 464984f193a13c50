"""Fetching, extraction, the run cycle and the command line."""

__version__ = "0.1.0"
