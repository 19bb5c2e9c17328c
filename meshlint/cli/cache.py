"""``meshlint cache``: where the content-hash cache lives, and emptying it."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from meshlint.cli.common import load_config
from meshlint.errors import MeshlintError

if TYPE_CHECKING:
    from meshlint.cache import Cache
    from meshlint.config import Config

CACHE_DIR_HELP = "Cache folder (default: $MESHLINT_CACHE_DIR, else ~/.cache/meshlint)."


def register(app: typer.Typer) -> None:
    """Add the ``cache`` command group: ``cache dir`` and ``cache clean``."""
    group = typer.Typer(
        name="cache", help="Show or empty the cache of earlier results.", no_args_is_help=True
    )
    directory_option = typer.Option(
        None, "--cache-dir", envvar="MESHLINT_CACHE_DIR", help=CACHE_DIR_HELP
    )

    @group.command("dir")
    def show_dir(cache_dir: str | None = directory_option) -> int:
        """Print the cache folder."""
        sys.stdout.write(f"{_folder(cache_dir)}\n")
        return 0

    @group.command("clean")
    def clean(cache_dir: str | None = directory_option) -> int:
        """Remove every entry meshlint stored in the cache folder."""
        from meshlint.cache import clean as remove

        folder = _folder(cache_dir)
        entries, size = remove(folder)
        sys.stdout.write(f"removed {entries} entries ({size / 1e6:.1f} MB) from {folder}\n")
        return 0

    app.add_typer(group)


def open_cache(config: Config) -> Cache | None:
    """The cache ``config`` asks for (None with ``--no-cache`` or when it cannot be made)."""
    from meshlint.cache import Cache, default_dir

    if not config.cache:
        return None
    folder = Path(config.cache_dir) if config.cache_dir else default_dir()
    return None if folder is None else Cache.open(folder)


def _folder(cache_dir: str | None) -> Path:
    """``--cache-dir`` (or ``$MESHLINT_CACHE_DIR``), else the config file's ``cache-dir``,
    else the user cache folder: the one ``meshlint check`` here would use."""
    from meshlint.cache import default_dir

    folder = Path(cache_dir) if cache_dir else _configured() or default_dir()
    if folder is None:
        raise MeshlintError("no cache folder: set MESHLINT_CACHE_DIR or pass --cache-dir")
    return folder


def _configured() -> Path | None:
    try:
        config = load_config(None, False)
    except MeshlintError:  # a broken config file must not stop ``cache clean``
        return None
    return Path(config.cache_dir) if config.cache_dir else None
