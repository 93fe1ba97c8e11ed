"""The command line: `main` parses it; each group of verbs (listening, journal) has a module."""

from assistant.cli.main import main

__all__ = ["main"]
