"""``meshlint explain``: trace one request through the mesh and print the verdict."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer

from meshlint.cli.common import choice, emit, load_config, shared_option
from meshlint.errors import MeshlintError

if TYPE_CHECKING:
    from meshlint.config import Config
    from meshlint.explain import Request, Trace

FORMATS = ("text", "json")
EPILOG = (
    "Exit codes: 0 explained (with --expect: the verdict matches); 1 with --expect: the "
    "verdict differs; 2 usage or input error (unknown source or host, bad flag); 3 internal "
    "error (please report it)."
)


def register(app: typer.Typer) -> None:
    """Add the ``explain`` command; one parameter per command-line option."""
    paths_argument = typer.Argument(..., help="Files or folders with the mesh configuration.")
    header_option = typer.Option(None, "--header", help="K=V request header (repeatable).")

    @app.command(epilog=EPILOG)
    def explain(  # noqa: PLR0913 - one parameter per command-line option
        *,
        paths: list[str] = paths_argument,
        source: str = typer.Option(..., "--from", help="NS/WORKLOAD, gateway:NS/NAME or external."),
        to: str = typer.Option(..., "--to", help="HOST[:PORT]; a short host resolves in NS."),
        path: str = typer.Option("/", "--path", help="Request path (with ?query)."),
        method: str = typer.Option("GET", "--method", help="Request method."),
        header: list[str] | None = header_option,
        fmt: str = typer.Option(
            "text", "--format", "-f", help="text or json.", callback=choice("--format", FORMATS)
        ),
        expect: str | None = typer.Option(
            None, "--expect", help="allow, deny or route:SUBSET; exit 1 when the verdict differs."
        ),
        base: str | None = typer.Option(
            None, "--base", help="Also explain the same paths at this git ref (before → after)."
        ),
        namespace: str | None = shared_option("--namespace"),
        mesh_config: str | None = shared_option("--mesh-config"),
        config: str | None = shared_option("--config"),
        no_config: bool = shared_option("--no-config"),
        debug: bool = shared_option("--debug"),
    ) -> int:
        """Trace one request offline: routing, DestinationRule, mTLS, authorization, verdict."""
        del debug  # read by main() before the app runs
        _check_expect(expect)
        settings = load_config(config, no_config, mesh_config=mesh_config, namespace=namespace)
        request = _request(source, to, method, path, header or [])
        return run_explain(paths, settings, request, fmt=fmt, expect=expect, base=base)


def _check_expect(expect: str | None) -> None:
    if expect is None or expect in ("allow", "deny"):
        return
    if expect.startswith("route:") and expect != "route:":
        return
    raise typer.BadParameter(
        f"{expect!r} is not allow, deny or route:SUBSET", param_hint="--expect"
    )


def _request(source: str, to: str, method: str, path: str, headers: list[str]) -> Request:
    from meshlint.explain import Request
    from meshlint.explain.target import parse_to

    parsed: dict[str, str] = {}
    for item in headers:
        key, equals, value = item.partition("=")
        if not equals or not key.strip():
            raise typer.BadParameter(f"{item!r} is not K=V", param_hint="--header")
        parsed[key.strip().lower()] = value
    host, port = parse_to(to)
    if not path.startswith("/"):
        raise typer.BadParameter(f"{path!r} must start with /", param_hint="--path")
    return Request(source, host, port, method.upper(), path, parsed)


def run_explain(  # noqa: PLR0913 - the command's knobs
    paths: list[str],
    config: Config,
    request: Request,
    *,
    fmt: str,
    expect: str | None,
    base: str | None,
) -> int:
    """Explain ``request`` (and at ``base``), write the report, return the exit code."""
    from meshlint.reporters import trace_json, trace_text

    head = _trace(paths, config, request, None)
    if base is None:
        rendered = trace_text.render(head) if fmt == "text" else trace_json.render(head)
    else:
        before = _trace(paths, config, request, base)
        if fmt == "text":
            rendered = trace_text.render_comparison(before, head, base)
        else:
            rendered = trace_json.render_comparison(before, head)
    emit(rendered, markup=fmt == "text", output=None)
    return 0 if expect is None or matches(head, expect) else 1


def _trace(paths: list[str], config: Config, request: Request, ref: str | None) -> Trace:
    from meshlint.explain import trace
    from meshlint.explain.inputs import load_mesh, load_mesh_at
    from meshlint.graph import MeshGraph

    if not paths:
        raise MeshlintError("no input: pass the files or folders with the mesh configuration")
    if ref is None:
        mesh = load_mesh(paths, config, root=Path.cwd())
    else:
        mesh = load_mesh_at(ref, paths, config, Path.cwd())
    return trace(mesh, MeshGraph(mesh), request)


def matches(trace: Trace, expect: str) -> bool:
    """allow / deny: the verdict; ``route:SUBSET``: all traffic goes to that subset."""
    verdict = trace.verdict
    if expect == "allow":
        return verdict.allowed
    if expect == "deny":
        return not verdict.allowed
    subset = expect.removeprefix("route:")
    live = [o for o in verdict.destinations if o.percent > 0]
    return bool(live) and all(o.subset == subset for o in live)
