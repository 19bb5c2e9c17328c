"""Graph renderers: goldens per format and mesh, the JSON schema, DOT and Mermaid syntax,
escaping, and the ``meshlint graph`` command."""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from meshlint.cli import main
from meshlint.graph import GraphView
from meshlint.reporters.graph import GRAPH_FORMATS, GRAPH_RENDERERS, dot, mermaid
from tests.test_graph_html import HOSTILE
from tests.test_graph_view import BOOKINFO, BROKEN, ROOT, view_of_path, view_of_text

GOLDEN = ROOT / "tests" / "golden" / "graph"
SCHEMA = json.loads((ROOT / "schemas" / "graph.json").read_text(encoding="utf-8"))
SUFFIX = {"dot": "dot", "mermaid": "mmd", "json": "json", "html": "html"}
MESHES = {"bookinfo": BOOKINFO, "broken": BROKEN}
DOT_BINARY = shutil.which("dot")

QUOTED = r'"(?:[^"\\]|\\.)*"'
ATTRS = rf"\[(?:\w+=(?:{QUOTED}|[\w.]+))(?:, \w+=(?:{QUOTED}|[\w.]+))*\];"
DOT_LINES = [
    re.compile(r"digraph meshlint \{"),
    re.compile(rf"  (?:graph|node|edge) {ATTRS}"),
    re.compile(r"  subgraph cluster_\d+ \{"),
    re.compile(
        rf'    label={QUOTED}; style="rounded"; color="#[0-9a-f]{{6}}"; fontcolor="#[0-9a-f]{{6}}";'
    ),
    re.compile(rf"    {QUOTED} {ATTRS}"),
    re.compile(rf"  {QUOTED} -> {QUOTED} {ATTRS}"),
    re.compile(r" {0,2}\}"),
]
LABEL = r'"[^"]*"'
SHAPES = "|".join(
    rf"{re.escape(a)}{LABEL}{re.escape(b)}"
    for a, b in (("([", "])"), (">", "]"), ("[", "]"), ("(", ")"), ("[[", "]]"), ("{{", "}}"))
)
MERMAID_LINES = [
    re.compile(r"flowchart LR"),
    re.compile(rf"  subgraph ns\d+\[{LABEL}\]"),
    re.compile(rf"    n\d+(?:{SHAPES})"),
    re.compile(r"  end"),
    re.compile(rf"  n\d+ (?:-->|-\.->)(?:\|{LABEL}\|)? n\d+"),
    re.compile(r"  classDef [a-z]+ [a-z-]+:[^ ]+(?:,[a-z-]+:[^,]+)*"),
    re.compile(r"  class n\d+(?:,n\d+)* [a-z]+"),
    re.compile(r"  linkStyle \d+(?:,\d+)* stroke:#[0-9a-f]{6}"),
]


@pytest.fixture(scope="module")
def views() -> dict[str, GraphView]:
    return {name: view_of_path(path) for name, path in MESHES.items()}


@pytest.mark.parametrize("fmt", GRAPH_FORMATS)
@pytest.mark.parametrize("mesh", sorted(MESHES))
def test_golden(views: dict[str, GraphView], mesh: str, fmt: str, update_golden: bool) -> None:
    actual = GRAPH_RENDERERS[fmt](views[mesh])
    golden = GOLDEN / f"{mesh}.{SUFFIX[fmt]}"
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    assert golden.exists(), f"missing golden {golden}; run pytest --update-golden"
    assert actual == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("mesh", sorted(MESHES))
def test_json_matches_schema(views: dict[str, GraphView], mesh: str) -> None:
    document = json.loads(GRAPH_RENDERERS["json"](views[mesh]))
    jsonschema.validate(document, SCHEMA)
    ids = [node["id"] for node in document["nodes"]]
    assert len(ids) == len(set(ids))
    assert {e["source"] for e in document["edges"]} | {
        e["target"] for e in document["edges"]
    } <= set(ids)
    assert document["namespaces"] == sorted({node["namespace"] for node in document["nodes"]})


def test_json_schema_rejects_unknown_kinds(views: dict[str, GraphView]) -> None:
    document = json.loads(GRAPH_RENDERERS["json"](views["bookinfo"]))
    document["edges"][0]["kind"] = "teleports"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA)


def _grammar(text: str, patterns: list[re.Pattern[str]]) -> list[str]:
    """Lines no statement pattern matches (the renderers write one statement per line)."""
    return [line for line in text.splitlines() if not any(p.fullmatch(line) for p in patterns)]


@pytest.mark.parametrize("view_name", ["bookinfo", "broken", "hostile"])
def test_dot_statements(views: dict[str, GraphView], view_name: str) -> None:
    view = views.get(view_name) or view_of_text(HOSTILE)
    text = dot.render(view)
    assert _grammar(text, DOT_LINES) == []


@pytest.mark.skipif(DOT_BINARY is None, reason="graphviz dot not installed")
@pytest.mark.parametrize("view_name", ["bookinfo", "broken", "hostile"])
def test_graphviz_accepts_dot(views: dict[str, GraphView], view_name: str) -> None:
    assert DOT_BINARY is not None
    view = views.get(view_name) or view_of_text(HOSTILE)
    done = subprocess.run(
        [DOT_BINARY, "-Tsvg"], input=dot.render(view), capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stderr) == (0, "")
    titles = {html.unescape(t) for t in re.findall(r"<title>(.*?)</title>", done.stdout)}
    assert {node.id for node in view.nodes} <= titles  # every node drawn, under its own id
    assert len(titles) > len(view.nodes)  # and the edges


@pytest.mark.parametrize("view_name", ["bookinfo", "broken", "hostile"])
def test_mermaid_statements(views: dict[str, GraphView], view_name: str) -> None:
    view = views.get(view_name) or view_of_text(HOSTILE)
    text = mermaid.render(view)
    assert _grammar(text, MERMAID_LINES) == []
    assert text.count("  subgraph ") == text.count("  end")


def test_dot_escaping() -> None:
    assert dot.quote('a"b\\c\nd&lt;') == '"a\\"b\\\\c\\nd&amp;lt;"'
    text = dot.render(view_of_text(HOSTILE))
    assert '"vs:ns<b>&amp;amp;/x\\"<script>window.pwned=1</script>"' in text


def test_mermaid_escaping() -> None:
    assert mermaid.escape('a"b<c>&#|`d\ne') == "a#quot;b#lt;c#gt;#amp;#35;#124;#96;d e"
    text = mermaid.render(view_of_text(HOSTILE))
    assert '"x#quot;#lt;script#gt;window.pwned=1#lt;/script#gt;<br/>' in text
    assert "<script>" not in text


# ---------------------------------------------------------------------- the command


def test_cli_writes_each_format(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    for fmt in GRAPH_FORMATS:
        out = tmp_path / f"graph.{fmt}"
        argv = ["graph", "fixtures/meshes/bookinfo", "-f", fmt, "-o", str(out), "--no-config"]
        assert main(argv) == 0
        golden = GOLDEN / f"bookinfo.{SUFFIX[fmt]}"
        assert out.read_text(encoding="utf-8") == golden.read_text(encoding="utf-8")
    assert capsys.readouterr() == ("", "")


def test_cli_prints_to_stdout_with_focus(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["graph", str(BOOKINFO), "-f", "json", "--focus", "istio-system", "--no-config"])
    assert code == 0
    document = json.loads(capsys.readouterr().out)
    assert len(document["nodes"]) == 4
    assert document["namespaces"] == ["bookinfo", "istio-system"]


BOOKINFO_ARG = str(BOOKINFO)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([BOOKINFO_ARG, "--format", "svg"], "'svg' is not one of dot, mermaid, json, html"),
        ([], "no input: pass the files or folders to draw"),
        (["-"], "graph reads files and folders, not stdin (-)"),
        (["/nonexistent/mesh"], "/nonexistent/mesh: no such file or directory"),
        ([BOOKINFO_ARG, "--config", "/nonexistent/meshlint.toml"], "/nonexistent/meshlint.toml"),
        ([BOOKINFO_ARG, "--bogus"], "No such option: --bogus"),
    ],
)
def test_cli_usage_errors_exit_2(
    args: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", *args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("meshlint: error: ")
    assert message in err
    assert "Traceback" not in err


def test_cli_unwritable_output_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "missing-dir" / "graph.dot"
    assert main(["graph", str(BOOKINFO), "-o", str(target), "--no-config"]) == 2
    assert "cannot write" in capsys.readouterr().err


def test_cli_broken_yaml_still_draws(capsys: pytest.CaptureFixture[str]) -> None:
    """The broken mesh has YAML syntax errors: the rest of it is still drawn."""
    code = main(["graph", str(BROKEN), "-f", "json", "--no-config"])
    assert code == 0
    ids = {node["id"] for node in json.loads(capsys.readouterr().out)["nodes"]}
    assert "vs:shop/reviews" in ids
