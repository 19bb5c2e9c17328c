"""Tests for meshlint.loader: data, exact positions, findings, inputs and lazy spans."""

from __future__ import annotations

import datetime
import io
import math
import os
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from meshlint.errors import LoadError
from meshlint.loader import LoadResult, load, load_text
from meshlint.loader._documents import RecentTables
from meshlint.loader._positions import compose_table
from meshlint.loader._scalars import key_text
from meshlint.loader._slow import Parsed, Walk, parse_stream
from meshlint.source import Span

VS = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: bookinfo
spec:
  hosts:
  - reviews
  http:
  - match:
    - uri:
        prefix: /api
    route:
    - destination:
        host: reviews
        subset: v1
      weight: 80
    - destination: {host: reviews, subset: v2}
      weight: 20
"""


def one(text: str, path: str = "f.yaml") -> LoadResult:
    result = load_text(text, path)
    assert result.findings == ()
    return result


def at(span: Span) -> tuple[int, int, int, int]:
    return (span.line, span.column, span.end_line, span.end_column)


def excerpt(text: str, span: Span) -> str:
    """The text a single-line span covers."""
    assert span.line == span.end_line
    line = text.splitlines()[span.line - 1]
    return line[span.column - 1 : span.end_column - 1]


# --- data and positions -----------------------------------------------------------------


def test_block_keys_values_and_list_items() -> None:
    doc = one(VS).documents[0]
    src = doc.source
    assert doc.data["spec"]["http"][0]["route"][0]["weight"] == 80
    assert at(src.span("/metadata/name")) == (4, 9, 4, 16)
    assert at(src.key_span("/metadata/name")) == (4, 3, 4, 7)
    assert at(src.span("/spec/hosts/0")) == (8, 5, 8, 12)
    assert src.key_span("/spec/hosts/0") == src.span("/spec/hosts/0")  # list items: no key
    # the list item `- destination:` mapping starts after "- "
    assert src.span("/spec/http/0/route/0").line == 14
    assert src.span("/spec/http/0/route/0").column == 7
    assert at(src.span("/spec/http/0/route/0/weight")) == (17, 15, 17, 17)
    assert at(src.key_span("/spec/http/0/route/0/weight")) == (17, 7, 17, 13)
    assert at(src.span("/spec/http/0/match/0/uri/prefix")) == (12, 17, 12, 21)


def test_block_collection_ends_at_last_value() -> None:
    src = one(VS).documents[0].source
    assert at(src.span("/metadata")) == (4, 3, 5, 22)
    assert at(src.span("")) == (1, 1, 19, 17)


def test_flow_style_positions() -> None:
    doc = one(VS).documents[0]
    src = doc.source
    assert doc.data["spec"]["http"][0]["route"][1]["destination"] == {
        "host": "reviews",
        "subset": "v2",
    }
    assert at(src.span("/spec/http/0/route/1/destination")) == (18, 20, 18, 47)
    assert at(src.span("/spec/http/0/route/1/destination/subset")) == (18, 44, 18, 46)
    assert at(src.key_span("/spec/http/0/route/1/destination/subset")) == (18, 36, 18, 42)


def test_multi_document_line_offsets_and_indices() -> None:
    text = "# header\n---\napiVersion: v1\nkind: A\n---\n\n---\napiVersion: v1\nkind: B\nx: 1\n"
    result = one(text)
    assert [d.data["kind"] for d in result.documents] == ["A", "B"]
    assert [d.index for d in result.documents] == [0, 2]
    b = result.documents[1].source
    assert at(b.span("/x")) == (10, 4, 10, 5)
    assert b.origin.line == 8
    assert result.skipped == 0  # empty and comment-only documents are not counted


def test_dashes_inside_strings_do_not_split() -> None:
    text = "apiVersion: v1\nkind: A\ns: |\n  ---\n  x\nq: '---'\n"
    doc = one(text).documents[0]
    assert doc.data["s"] == "---\nx\n"
    assert doc.data["q"] == "---"


def test_anchors_aliases_and_merge_keys() -> None:
    text = (
        "apiVersion: v1\nkind: A\n"
        "base: &base {timeout: 5s, retries: 3}\n"
        "one:\n  <<: *base\n  retries: 4\n"
        "two: *base\n"
        "three:\n  <<: [{a: 1}, {a: 2, b: 2}]\n"
    )
    doc = one(text).documents[0]
    assert doc.data["one"] == {"timeout": "5s", "retries": 4}
    assert doc.data["two"] == {"timeout": "5s", "retries": 3}
    assert doc.data["three"] == {"a": 1, "b": 2}
    src = doc.source
    assert at(src.span("/one/retries")) == (6, 12, 6, 13)
    assert at(src.span("/one/timeout")) == (3, 23, 3, 25)  # from the anchor's mapping
    # an alias's value span is the anchored node it stands for; its key is where it is used
    assert src.span("/two").line == 3
    assert src.key_span("/two").line == 7


def test_yaml_11_scalars_and_json_compatible_values() -> None:
    text = (
        "apiVersion: v1\nkind: A\n"
        "b1: yes\nb2: off\nb3: 'yes'\n"
        "o: 017\nx: 0x1f\nsx: 1:30\ne: 1e3\nf: 1.5e+3\ni: .inf\nn: ~\n"
        "t: 2001-12-14t21:59:43.10-05:00\nd: 2002-12-14\ns: !!str 123\nk: !!int '7'\n"
    )
    data = one(text).documents[0].data
    assert data["b1"] is True and data["b2"] is False and data["b3"] == "yes"
    assert (data["o"], data["x"], data["sx"], data["e"]) == (15, 31, 90, "1e3")
    assert data["f"] == 1500.0 and math.isinf(data["i"]) and data["n"] is None
    assert data["t"] == "2001-12-14t21:59:43.10-05:00" and data["d"] == "2002-12-14"
    assert data["s"] == "123" and data["k"] == 7


def test_scalar_keys_become_strings() -> None:
    data = one("apiVersion: v1\nkind: A\nports:\n  80: http\n  true: x\n  ~: n\n").documents[0].data
    assert data["ports"] == {"80": "http", "true": "x", "null": "n"}


def test_json_file_positions() -> None:
    text = (
        '{\n  "apiVersion": "v1",\n  "kind": "Service",\n  "spec": {"ports": [{"port": 80}]}\n}\n'
    )
    doc = one(text, "svc.json").documents[0]
    assert doc.data["spec"]["ports"][0]["port"] == 80
    assert at(doc.source.span("/spec/ports/0/port")) == (4, 31, 4, 33)
    assert at(doc.source.key_span("/kind")) == (3, 3, 3, 9)


def test_list_expansion_rebases_pointers() -> None:
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- apiVersion: v1\n  kind: Service\n  metadata:\n    name: a\n"
        "- just a string\n"
        "- apiVersion: v1\n  kind: Service\n  metadata:\n    name: b\n  spec:\n    x: 1\n"
    )
    result = one(text)
    assert [(d.data["metadata"]["name"], d.item, d.index) for d in result.documents] == [
        ("a", 0, 0),
        ("b", 2, 0),
    ]
    assert result.skipped == 1
    b = result.documents[1].source
    assert at(b.span("/spec/x")) == (14, 8, 14, 9)
    assert at(b.span("/metadata/name")) == (12, 11, 12, 12)
    assert b.span("").line == 9 and b.span("").column == 3


def test_typed_lists_expand() -> None:
    text = "apiVersion: v1\nkind: ServiceList\nitems:\n- {apiVersion: v1, kind: Service}\n"
    assert [d.item for d in one(text).documents] == [0]


def test_helm_source_comments_name_the_template() -> None:
    text = (
        "---\n# Source: mesh/templates/vs.yaml\napiVersion: v1\nkind: A\n"
        "---\napiVersion: v1\nkind: B\n"
        "---\n# Source: mesh/templates/dr.yaml\napiVersion: v1\nkind: C\n"
    )
    docs = one(text).documents
    assert [d.template for d in docs] == [
        "mesh/templates/vs.yaml",
        "mesh/templates/vs.yaml",
        "mesh/templates/dr.yaml",
    ]
    assert docs[0].source.span("/kind").line == 4


def test_non_objects_are_skipped_and_counted() -> None:
    result = one("- a\n---\nhello\n---\nfoo: bar\n---\n# nothing\n---\n")
    assert result.documents == ()
    assert result.skipped == 3


# --- findings -----------------------------------------------------------------------------


def test_duplicate_key_finding_keeps_last_value() -> None:
    text = (
        "apiVersion: v1\nkind: VirtualService\nmetadata:\n  name: r\n  namespace: ns\n"
        "spec:\n  weight: 1\n  weight: 2\n"
    )
    result = load_text(text, "vs.yaml")
    assert result.documents[0].data["spec"]["weight"] == 2
    (finding,) = result.findings
    assert (finding.code, finding.rule, finding.severity.value) == (
        "MESH002",
        "yaml-duplicate-key",
        "error",
    )
    assert at(finding.span) == (8, 3, 8, 9)
    assert finding.message == (
        'duplicate key "weight" (first at line 7); Kubernetes keeps the last value'
    )
    assert finding.related[0].span.line == 7
    assert finding.pointer == "/spec/weight"
    assert finding.resource is not None
    assert (finding.resource.kind, finding.resource.name, finding.resource.namespace) == (
        "VirtualService",
        "r",
        "ns",
    )


def test_duplicate_key_inside_list_item_names_the_item() -> None:
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- apiVersion: v1\n  kind: S\n  kind: T\n  metadata: {name: n}\n"
    )
    result = load_text(text, "l.yaml")
    (finding,) = result.findings
    assert finding.pointer == "/kind"
    assert finding.resource is not None
    assert (finding.resource.kind, finding.resource.name, finding.resource.api_version) == (
        "T",
        "n",
        "v1",
    )
    assert result.documents[0].data["kind"] == "T"


def test_syntax_error_position_and_other_documents_kept() -> None:
    text = (
        "apiVersion: v1\nkind: A\n---\napiVersion: v1\nkind: B\nspec: {a: 1\n"
        "---\napiVersion: v1\nkind: C\n"
    )
    result = load_text(text, "m.yaml")
    assert [d.data["kind"] for d in result.documents] == ["A", "C"]
    (finding,) = result.findings
    assert (finding.code, finding.rule) == ("MESH001", "yaml-syntax")
    assert finding.span.path == "m.yaml"
    assert finding.span.line == 7  # where libyaml notices the unclosed flow mapping
    assert finding.resource is None


def test_syntax_error_in_block_mapping() -> None:
    result = load_text("apiVersion: v1\nkind: A\nspec:\n  a: 1\n b: 2\n", "b.yaml")
    (finding,) = result.findings
    assert (finding.code, finding.span.line, finding.span.column) == ("MESH001", 5, 2)
    assert result.documents == ()


def test_stream_with_directives_keeps_documents_before_an_error() -> None:
    text = "%YAML 1.1\n---\napiVersion: v1\nkind: A\n...\n---\napiVersion: v1\nkind: B\nx: [\n"
    result = load_text(text, "d.yaml")
    assert [d.data["kind"] for d in result.documents] == ["A"]
    assert [f.code for f in result.findings] == ["MESH001"]
    assert result.documents[0].source.span("/kind").line == 4


# --- inputs -------------------------------------------------------------------------------


def test_stdin_bytes_and_text() -> None:
    result = load(["-"], stdin=io.BytesIO(b"apiVersion: v1\nkind: A\nx: 1\n"))
    assert result.files == 1
    doc = result.documents[0]
    assert doc.path == "<stdin>" and doc.source.span("/x").path == "<stdin>"
    assert at(doc.source.span("/x")) == (3, 4, 3, 5)
    text_result = load(["-"], stdin=io.StringIO("apiVersion: v1\nkind: B\n"))
    assert text_result.documents[0].data["kind"] == "B"


def _tree(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "z.yaml").write_text("apiVersion: v1\nkind: Z\n")
    (tmp_path / "a" / "m.yml").write_text("apiVersion: v1\nkind: M\n")
    (tmp_path / "b" / "c.json").write_text('{"apiVersion": "v1", "kind": "C"}')
    (tmp_path / "b" / "notes.txt").write_text("not yaml")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.yaml").write_text("apiVersion: v1\nkind: Hidden\n")
    (tmp_path / "vendor" / "deep").mkdir(parents=True)
    (tmp_path / "vendor" / "deep" / "v.yaml").write_text("apiVersion: v1\nkind: V\n")
    (tmp_path / "top.yaml").write_text("apiVersion: v1\nkind: Top\n")


def test_directory_recursion_sorted_relative_to_root(tmp_path: Path) -> None:
    _tree(tmp_path)
    result = load([str(tmp_path)], root=tmp_path)
    assert [d.path for d in result.documents] == [
        "a/m.yml",
        "a/z.yaml",
        "b/c.json",
        "top.yaml",
        "vendor/deep/v.yaml",
    ]
    assert result.files == 5


def test_display_paths_relative_to_cwd(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = load(["a", str(tmp_path / "top.yaml")])
    assert [d.path for d in result.documents] == ["a/m.yml", "a/z.yaml", "top.yaml"]
    outside = load([str(tmp_path / "a" / "z.yaml")], root=tmp_path / "b")
    assert outside.documents[0].path == str(tmp_path / "a" / "z.yaml")


def test_exclude_globs(tmp_path: Path) -> None:
    _tree(tmp_path)
    kinds = {
        pattern: [
            d.data["kind"]
            for d in load([str(tmp_path)], root=tmp_path, exclude=[pattern]).documents
        ]
        for pattern in ("vendor/**", "vendor", "*.json", "**/deep/*", "a/z.yaml")
    }
    assert kinds["vendor/**"] == ["M", "Z", "C", "Top"]
    assert kinds["vendor"] == ["M", "Z", "C", "Top"]
    assert kinds["*.json"] == ["M", "Z", "Top", "V"]
    assert kinds["**/deep/*"] == ["M", "Z", "C", "Top"]
    assert kinds["a/z.yaml"] == ["M", "C", "Top", "V"]


def test_missing_path_raises_load_error(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"nope\.yaml"):
        load([str(tmp_path / "nope.yaml")])


def test_socket_in_directory_is_a_load_error(tmp_path: Path) -> None:
    import socket

    sock = socket.socket(socket.AF_UNIX)
    try:
        sock.bind(str(tmp_path / "s.yaml"))
        with pytest.raises(LoadError, match="not a regular file"):
            load([str(tmp_path)], root=tmp_path)
    finally:
        sock.close()


# --- lazy spans agree with an eager parse -------------------------------------------------

FIXTURES = [
    VS,
    "apiVersion: v1\nkind: A\nb: &b {x: 1, y: [a, 'b', \"c\"]}\nc:\n  <<: *b\n  z: -3\n",
    '{"apiVersion": "v1", "kind": "B", "spec": {"l": [1, {"k": "v"}], "e": {}}}\n',
    "---\napiVersion: v1\nkind: C\nspec:\n  - - nested\n    - more\n  - key: value\n    other: 12\n"
    "---\napiVersion: v1\nkind: D\nm: |\n  text\n",
]


def _eager(text: str) -> list[Parsed]:
    items = list(parse_stream(text, Walk("f.yaml", max_depth=128, budget=10**6)))
    assert all(isinstance(i, Parsed) for i in items)
    return [i for i in items if isinstance(i, Parsed)]


def _value_at(data: object, pointer: str) -> object:
    for raw in pointer.split("/")[1:]:
        token = raw.replace("~1", "/").replace("~0", "~")
        data = data[int(token)] if isinstance(data, list) else data[token]  # type: ignore[index]
    return data


@pytest.mark.parametrize("text", FIXTURES)
def test_lazy_spans_equal_eager_spans_and_point_at_the_value(text: str) -> None:
    result = one(text)
    eager = [p for p in _eager(text) if isinstance(p.value, dict)]
    assert len(eager) == len(result.documents)
    for doc, parsed in zip(result.documents, eager, strict=True):
        assert doc.data == parsed.value
        for pointer, (value_span, key_span) in parsed.table.items():
            assert doc.source.span(pointer) == value_span
            assert doc.source.key_span(pointer) == (key_span or value_span)
            value = _value_at(doc.data, pointer)
            if (
                isinstance(value, (str, int))
                and not isinstance(value, bool)
                and value_span.line == value_span.end_line
            ):
                assert excerpt(text, value_span).strip("'\"") == str(value)
            if key_span is not None:
                key = pointer.rsplit("/", 1)[1]
                assert excerpt(text, key_span).strip("'\"") == key


def test_spans_of_one_file_are_parsed_once_per_document(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[str] = []
    import meshlint.loader._positions as slow

    real = slow._compose

    def counting(text: str):  # type: ignore[no-untyped-def]
        calls.append(text)
        return real(text)

    monkeypatch.setattr(slow, "_compose", counting)
    text = (
        "apiVersion: v1\nkind: List\nitems:\n"
        "- {apiVersion: v1, kind: A}\n- {apiVersion: v1, kind: B}\n"
    )
    docs = one(text).documents
    assert calls == []  # nothing parsed for positions until asked
    assert docs[0].source.span("/kind").column == 26
    assert docs[1].source.span("/kind").line == 5
    assert len(calls) == 1


# --- the fast path reads exactly what PyYAML reads ----------------------------------------

_SCALARS = st.one_of(
    st.sampled_from(
        [
            "yes",
            "No",
            "ON",
            "off",
            "y",
            "n",
            "true",
            "False",
            "~",
            "null",
            "",
            "017",
            "0o17",
            "0x1F",
            "0b101",
            "1_000",
            "1:30",
            "190:20:30",
            "1e3",
            "1.0e+3",
            "1.5",
            ".5",
            "-.inf",
            ".NaN",
            "+12",
            "-0",
            "08",
            "2001-12-14",
            "10.0.0.1",
            "5xx",
            "'yes'",
            '"017"',
            "=",
            "!!str 1",
            "1.",
            "0.",
            "-1_0",
            "0777",
            "3s",
            "v1",
            "1Gi",
            "*.example.com",
        ]
    ),
    st.text(alphabet="0123456789.:+-_eExobyesnotrufalYNOTF~ ", min_size=1, max_size=8),
    st.text(alphabet="ab0:?-[]{},#&*!|>'\"%@`= \\", min_size=1, max_size=6),
)


def _pyyaml(text: str) -> object:
    value = yaml.load(text, Loader=yaml.CSafeLoader)
    return value


def _has_dates(value: object) -> bool:
    if isinstance(value, (datetime.date, datetime.datetime)):
        return True
    if isinstance(value, dict):
        return any(_has_dates(k) or _has_dates(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_dates(v) for v in value)
    return False


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


_BODIES = (
    "spec:\n  v: {0}\n  l:\n  - {0}\n",
    "spec: {{v: {0}, l: [{0}]}}\n",
    "spec:\n  {0}: k\n  zz9: 1\n",
    "spec: {{{0}: k, zz9: 1}}\n",
    "spec: {{zz9: 1, {0}}}\n",
)


@settings(
    max_examples=2000,
    deadline=None,
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(value=_SCALARS, style=st.sampled_from(_BODIES))
def test_fast_path_matches_pyyaml(value: str, style: str) -> None:
    """Whatever the screens let through to yaml-rs reads exactly as PyYAML reads it."""
    body = style.format(value)
    text = "apiVersion: v1\nkind: A\n" + body
    try:
        expected = _pyyaml(text)
    except yaml.constructor.ConstructorError:
        return  # `=` (the YAML 1.1 "value" tag): PyYAML refuses it, meshlint reads a string
    except yaml.YAMLError:
        assert load_text(text).documents == () or load_text(text).findings
        return
    if _has_dates(expected) or not isinstance(expected, dict):
        return
    result = load_text(text)
    if not isinstance(expected.get("spec"), dict):
        return
    expected["spec"] = {key_text(k): v for k, v in expected["spec"].items()}
    assert result.findings == ()
    assert _same(result.documents[0].data, expected), (text, result.documents[0].data, expected)


def test_non_ascii_columns_count_characters() -> None:
    doc = one("apiVersion: v1\nkind: A\nd: {é: ü, x: 1}\n").documents[0]
    assert at(doc.source.span("/d/x")) == (3, 14, 3, 15)


def test_crlf_line_endings() -> None:
    doc = one(
        "apiVersion: v1\r\nkind: A\r\n---\r\napiVersion: v1\r\nkind: B\r\nx: 1\r\n"
    ).documents[1]
    assert at(doc.source.span("/x")) == (6, 4, 6, 5)
    assert os.linesep  # positions do not depend on the platform


def test_node_table_lookups_match_the_eager_walk() -> None:
    text = (
        "apiVersion: v1\nkind: A\nports: {80: http, ~: n, 0x1F: y, yes: z, 'q': 1, 1.5: f}\n"
        "base: &b {x: 1, y: [a, b]}\nm:\n  <<: [*b, {z: 2}]\n  x: 3\n"
        "e: {'a/b': 1, 'c~d': 2}\nblock:\n  - k: v\n    l:\n    - 1\n"
    )
    walk = Walk("n.yaml", max_depth=128, budget=1000, line_offset=3)
    lazy = compose_table(text, walk)
    (eager,) = _eager_offset(text, walk)
    assert eager.table
    for pointer, entry in eager.table.items():
        assert lazy[pointer] == entry, pointer
    assert lazy.get("/nope") is None and lazy.get("/ports/80/x") is None
    assert dict(lazy) == eager.table  # iterating builds the same full table
    assert lazy["/ports/true"][0].line == 6
    assert lazy["/m/y/1"][0].line == 7  # through a merge key


def _eager_offset(text: str, walk: Walk) -> list[Parsed]:
    return [p for p in parse_stream(text, walk) if isinstance(p, Parsed)]


def test_composed_nodes_are_kept_for_recent_documents_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import meshlint.loader._positions as slow

    calls: list[str] = []
    real = slow._compose

    def counting(text: str):  # type: ignore[no-untyped-def]
        calls.append(text)
        return real(text)

    monkeypatch.setattr(slow, "_compose", counting)
    monkeypatch.setattr(RecentTables, "KEEP", 8)
    text = "---\n".join(f"apiVersion: v1\nkind: K{i}\nspec:\n  n: {i}\n" for i in range(40))
    docs = one(text).documents
    for doc in docs:
        assert doc.source.span("/spec/n").line == doc.index * 5 + 4
    assert len(calls) == 40
    assert docs[0].source.span("/spec/n").line == 4  # looked up before: no new parse
    assert docs[0].source.key_span("/kind").line == 2  # a miss: composed again, still right
    assert len(calls) == 41
