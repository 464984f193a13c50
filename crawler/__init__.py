"""Fetching, extraction and the run cycle: sources.toml in, versions and changes stored."""
