"""``meshlint graph``: draw the routing and authorization graph (DOT, Mermaid, JSON, HTML)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from meshlint.cli.common import choice, emit, load_config, shared_option
from meshlint.errors import MeshlintError

if TYPE_CHECKING:
    from meshlint.config import Config

GRAPH_FORMATS = ("dot", "mermaid", "json", "html")
GRAPH_EXIT_CODES = (
    "Exit codes: 0 graph written; 2 usage, configuration or input error; "
    "3 internal error (please report it)."
)


def register(app: typer.Typer) -> None:
    """Add the ``graph`` command."""
    paths_argument = typer.Argument(
        None, help="Files or folders to read (recursively).", show_default=False
    )
    focus_option = typer.Option(
        None,
        "--focus",
        help="Only nodes in this namespace and their direct neighbours (repeatable).",
    )

    @app.command(epilog=GRAPH_EXIT_CODES)
    def graph(  # noqa: PLR0913 - one parameter per command-line option
        *,
        paths: list[str] | None = paths_argument,
        fmt: str = typer.Option(
            "dot",
            "--format",
            "-f",
            help="dot, mermaid, json or html (one self-contained page).",
            callback=choice("--format", GRAPH_FORMATS),
        ),
        output: str | None = typer.Option(None, "--output", "-o", help="Write the graph here."),
        focus: list[str] | None = focus_option,
        namespace: str | None = shared_option("--namespace"),
        mesh_config: str | None = shared_option("--mesh-config"),
        config: str | None = shared_option("--config"),
        no_config: bool = shared_option("--no-config"),
        debug: bool = shared_option("--debug"),
    ) -> int:
        """Draw the routing and authorization graph: gateways, routes with effective
        weights, subsets, workloads, mTLS modes and allow/deny edges."""
        del debug  # read by main() before the app runs
        settings = load_config(config, no_config, mesh_config=mesh_config, namespace=namespace)
        rendered = render_graph(paths or [], settings, fmt=fmt, focus=focus or [])
        emit(rendered, markup=False, output=output)
        return 0


def render_graph(paths: list[str], config: Config, *, fmt: str, focus: list[str]) -> str:
    """Load ``paths`` and render their graph in ``fmt``."""
    from meshlint.explain.inputs import load_mesh
    from meshlint.graph import MeshGraph, build_view
    from meshlint.reporters.graph import GRAPH_RENDERERS

    if not paths:
        raise MeshlintError("no input: pass the files or folders to draw")
    if "-" in paths:
        raise MeshlintError("graph reads files and folders, not stdin (-)")
    mesh = load_mesh(paths, config)
    view = build_view(MeshGraph.build(mesh), mesh, namespaces=focus)
    return GRAPH_RENDERERS[fmt](view)
