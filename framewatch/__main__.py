"""`python -m framewatch`: the same entry point as the installed `framewatch` command."""

from framewatch.cli import entry

entry()
