"""The error taxonomy: expected failures the CLI turns into exit code 2."""

from __future__ import annotations


class MeshlintError(Exception):
    """A problem the user can fix (bad flag, unreadable path, invalid config)."""


class ConfigError(MeshlintError):
    """The configuration file or a command-line option is invalid."""


class LoadError(MeshlintError):
    """An input path cannot be read (missing, permission denied, not a file or directory)."""
