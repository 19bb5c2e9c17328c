"""Hostile input: the loader never raises a traceback, hangs or exhausts memory."""

from __future__ import annotations

import os
import signal
import tracemalloc
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import pytest

from meshlint.errors import LoadError
from meshlint.findings import Finding
from meshlint.loader import DEFAULT_MAX_DEPTH, LoadResult, load, load_text

T = TypeVar("T")

GOOD = "apiVersion: v1\nkind: Service\nmetadata:\n  name: ok\n"


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Fail (instead of hanging) when the block runs longer than ``seconds``."""

    def expired(signum: int, frame: object) -> None:
        raise TimeoutError(f"took longer than {seconds}s")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def bounded(fn: Callable[[], T], *, seconds: int = 20, megabytes: int = 300) -> T:
    """Run ``fn`` under a time limit and check its peak Python allocation."""
    tracemalloc.start()
    try:
        with time_limit(seconds):
            result = fn()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < megabytes * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    return result


def only_syntax(result: LoadResult) -> Finding:
    (finding,) = result.findings
    assert (finding.code, finding.rule, finding.severity.value) == (
        "MESH001",
        "yaml-syntax",
        "error",
    )
    return finding


def test_truncated_yaml_never_raises() -> None:
    text = (
        GOOD
        + "spec:\n  hosts: [a, b]\n  http:\n  - route:\n"
        + "    - destination: {host: 'x', port: {number: 80}}\n"
    )
    for end in range(len(text)):
        result = load_text(text[:end], "t.yaml")
        assert all(f.code in ("MESH001", "MESH002") for f in result.findings)
    finding = only_syntax(load_text(text[:-9], "t.yaml"))
    assert finding.span.line == 10  # the unclosed flow mapping is noticed at the end


def test_binary_bytes_are_a_finding_at_the_first_nul() -> None:
    data = b"apiVersion: v1\n\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256))
    finding = only_syntax(load_text(data, "img.yaml"))
    assert (finding.span.line, finding.span.column) == (4, 1)
    assert "binary" in finding.message


def test_latin1_file_points_at_the_bad_byte() -> None:
    finding = only_syntax(
        load_text("apiVersion: v1\nkind: A\nname: café\n".encode("latin-1"), "l.yaml")
    )
    assert (finding.span.line, finding.span.column) == (3, 10)
    assert "UTF-8" in finding.message


def test_utf16_with_bom_is_decoded() -> None:
    for codec in ("utf-16", "utf-16-be", "utf-32"):
        data = ("\ufeff" if codec != "utf-16" else "") + GOOD
        result = load_text(data.encode(codec), "u.yaml")
        assert result.findings == ()
        assert result.documents[0].data["metadata"]["name"] == "ok"


def test_broken_utf16_is_a_finding() -> None:
    finding = only_syntax(load_text(b"\xff\xfea\x00\x00\xd8", "u.yaml"))
    assert (finding.span.line, finding.span.column) == (1, 1)


def _laughs(levels: int = 9, fanout: int = 9) -> str:
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, levels + 1):
        refs = ", ".join([f"*a{level - 1}"] * fanout)
        lines.append(f"a{level}: &a{level} [{refs}]")
    return GOOD + "\n".join(lines) + "\n"


def test_alias_bomb_is_bounded() -> None:
    finding = only_syntax(bounded(lambda: load_text(_laughs(), "bomb.yaml")))
    assert "alias" in finding.message
    assert finding.span.line > 4


def test_small_alias_use_is_fine() -> None:
    result = load_text(_laughs(levels=2, fanout=3), "few.yaml")
    assert result.findings == ()
    assert len(result.documents[0].data["a2"]) == 3


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("[" * 10_000 + "]" * 10_000, DEFAULT_MAX_DEPTH + 1),
        ("a: {" * 10_000 + "}" * 10_000, 4 * DEFAULT_MAX_DEPTH + 4),
        ("- " * 10_000 + "x\n", 1),
    ],
    ids=["flow-sequences", "flow-mappings", "block-sequences"],
)
def test_deep_nesting_is_a_finding(text: str, column: int) -> None:
    finding = only_syntax(bounded(lambda: load_text(text, "deep.yaml")))
    assert "nesting is deeper than" in finding.message
    assert (finding.span.line, finding.span.column) == (1, column)


def test_nesting_just_over_the_limit_is_measured_exactly() -> None:
    depth = DEFAULT_MAX_DEPTH + 5
    result = load_text(GOOD + "x: " + "[" * depth + "]" * depth + "\n", "d.yaml")
    finding = only_syntax(result)
    assert (finding.span.line, finding.span.column) == (5, 4 + DEFAULT_MAX_DEPTH)
    ok = load_text(GOOD + "x: " + "[" * 100 + "]" * 100 + "\n", "d.yaml")
    assert ok.findings == () and ok.documents


def test_file_over_the_size_limit_is_not_parsed(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    chunk = (GOOD + "---\n").encode() * 1000
    with big.open("wb") as handle:
        for _ in range(100 * 1024 * 1024 // len(chunk) + 1):
            handle.write(chunk)
    assert big.stat().st_size > 100 * 1024 * 1024
    result = bounded(lambda: load([str(big)], root=tmp_path), seconds=10, megabytes=50)
    finding = only_syntax(result)
    assert (finding.span.path, finding.span.line, finding.span.column) == ("big.yaml", 1, 1)
    assert "size limit" in finding.message
    assert result.files == 1


@pytest.mark.slow
def test_100_mb_file_under_a_raised_limit(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    with big.open("w") as handle:
        handle.write(GOOD + "data: ")
        for _ in range(100):
            handle.write("x" * (1024 * 1024))
        handle.write("\n")
    with time_limit(120):
        result = load([str(big)], root=tmp_path, max_bytes=128 * 1024 * 1024)
    assert result.findings == ()
    assert len(result.documents[0].data["data"]) == 100 * 1024 * 1024


def test_size_limit_applies_to_stdin() -> None:
    import io

    result = load(["-"], stdin=io.BytesIO(GOOD.encode() * 10), max_bytes=100)
    assert "size limit" in only_syntax(result).message


def test_many_small_documents_within_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "many.yaml"
    path.write_text("---\n".join([GOOD] * 20_000))
    result = bounded(lambda: load([str(path)], root=tmp_path), seconds=60, megabytes=400)
    assert result.findings == ()
    assert len(result.documents) == 20_000


def test_huge_scalar() -> None:
    text = GOOD + "data: " + "x" * 20_000_000 + "\n"
    result = bounded(lambda: load_text(text, "h.yaml"), megabytes=200)
    assert result.findings == ()
    assert len(result.documents[0].data["data"]) == 20_000_000


def test_nul_bytes_in_text() -> None:
    finding = only_syntax(load_text(GOOD + "x: a\x00b\n", "n.yaml"))
    assert (finding.span.line, finding.span.column) == (5, 5)


def test_control_characters() -> None:
    finding = only_syntax(load_text(GOOD + "x: a\x07b\n", "c.yaml"))
    assert (finding.span.line, finding.span.column) == (5, 5)
    assert "U+0007" in finding.message


def test_empty_file(tmp_path: Path) -> None:
    (tmp_path / "empty.yaml").write_bytes(b"")
    result = load([str(tmp_path)], root=tmp_path)
    assert (result.documents, result.findings, result.files, result.skipped) == ((), (), 1, 0)


def test_directory_with_a_non_yaml_file_of_the_same_extension(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_bytes(os.urandom(64) + b"\x00")
    (tmp_path / "c.json").write_text("this is { not json: [")
    result = load([str(tmp_path)], root=tmp_path)
    assert [d.path for d in result.documents] == ["a.yaml"]
    assert sorted((f.span.path, f.code) for f in result.findings) == [
        ("b.yaml", "MESH001"),
        ("c.json", "MESH001"),
    ]


def test_symlink_loop_in_a_directory_tree(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yaml").write_text(GOOD)
    (tmp_path / "sub" / "loop").symlink_to(tmp_path)
    (tmp_path / "self.yaml").symlink_to(tmp_path / "self.yaml")
    with time_limit(10), pytest.raises(LoadError, match=r"self\.yaml"):
        load([str(tmp_path)], root=tmp_path)
    (tmp_path / "self.yaml").unlink()
    with time_limit(10):
        result = load([str(tmp_path)], root=tmp_path)
    assert [d.path for d in result.documents] == ["sub/a.yaml"]


def test_tabs_for_indentation() -> None:
    finding = only_syntax(load_text(GOOD + "spec:\n\thosts: [a]\n", "tab.yaml"))
    assert (finding.span.line, finding.span.column) == (6, 1)


def test_bare_scalar_and_list_documents_are_skipped() -> None:
    result = load_text("just a string\n---\n- a\n- b\n---\n42\n---\n" + GOOD, "s.yaml")
    assert result.findings == ()
    assert result.skipped == 3
    assert len(result.documents) == 1


@pytest.mark.parametrize("key", ["? [a]\n: b\n", "? {a: 1}\n: b\n", "[a, b]: c\n"])
def test_collection_keys_are_a_finding(key: str) -> None:
    finding = only_syntax(load_text(GOOD + key, "k.yaml"))
    assert finding.span.line == 5
    assert "key" in finding.message


def test_recursive_anchor_is_a_finding() -> None:
    finding = only_syntax(bounded(lambda: load_text(GOOD + "a: &a [*a]\n", "r.yaml")))
    assert finding.span.line == 5


def test_python_tags_never_construct_objects(tmp_path: Path) -> None:
    marker = tmp_path / "pwned"
    text = GOOD + f'x: !!python/object/apply:os.system ["touch {marker}"]\n'
    finding = only_syntax(load_text(text, "p.yaml"))
    assert (finding.span.line, finding.span.column) == (5, 4)
    assert "unsupported tag !!python/object/apply:os.system" in finding.message
    assert not marker.exists()
    other = only_syntax(load_text(GOOD + "y: !!python/name:os.system ''\n", "p.yaml"))
    assert other.span.line == 5


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "secret.yaml"
    path.write_text(GOOD)
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: file permissions do not apply")
        with pytest.raises(LoadError, match=r"secret\.yaml"):
            load([str(path)])
    finally:
        path.chmod(0o600)


def test_unreadable_directory(tmp_path: Path) -> None:
    sub = tmp_path / "locked"
    sub.mkdir()
    sub.chmod(0)
    try:
        if os.access(sub, os.R_OK):
            pytest.skip("running as root: directory permissions do not apply")
        with pytest.raises(LoadError, match="locked"):
            load([str(tmp_path)], root=tmp_path)
    finally:
        sub.chmod(0o700)


def test_fifo_is_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    with time_limit(5), pytest.raises(LoadError, match="not a regular file"):
        load([str(fifo)])
