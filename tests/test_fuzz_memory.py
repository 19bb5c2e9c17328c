"""Fuzz resource bounds: random alias graphs and nesting stay within memory and the limits."""

from __future__ import annotations

import tracemalloc
from collections.abc import Callable
from typing import TypeVar

from fuzz.checks import check_text, fuzz_settings, recorded
from hypothesis import given
from hypothesis import strategies as st

from meshlint.findings import LintResult
from meshlint.loader import DEFAULT_MAX_DEPTH

T = TypeVar("T")

HEADER = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: m}\ndata:\n"
PEAK_MB = 256
ALIAS_BUDGET = 50_000  # alias-expanded nodes per document (meshlint/loader)


def peak_bounded(run: Callable[[], T]) -> T:
    """Run under tracemalloc and fail when the peak passes PEAK_MB."""
    tracemalloc.start()
    try:
        result = run()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < PEAK_MB * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    return result


def _alias_text(levels: int, fanout: int, flow: bool) -> str:
    lines = ["  a0: &a0 [x]"]
    for level in range(1, levels + 1):
        refs = [f"*a{level - 1}"] * fanout
        if flow:
            lines.append(f"  a{level}: &a{level} [{', '.join(refs)}]")
        else:
            lines.append(f"  a{level}: &a{level}")
            lines.extend(f"    - {ref}" for ref in refs)
    return HEADER + "\n".join(lines) + "\n"


def _expanded(levels: int, fanout: int) -> int:
    """Nodes the aliases add when the document is expanded (a lower bound)."""
    return sum(fanout**level for level in range(1, levels + 1))


@fuzz_settings(ci=4, campaign=500, deadline_ms=None)  # a bomb walks 50,000 nodes: ~1 s
@given(levels=st.integers(1, 12), fanout=st.integers(1, 12), flow=st.booleans())
def test_alias_graphs_are_bounded(levels: int, fanout: int, flow: bool) -> None:
    text = _alias_text(levels, fanout, flow)

    def check() -> LintResult:
        result = peak_bounded(lambda: check_text(text))
        alias = [f for f in result.findings if "alias" in f.message]
        if _expanded(levels, fanout) > 2 * ALIAS_BUDGET:
            assert [f.code for f in alias] == ["MESH001"], result.findings
        elif _expanded(levels, fanout) < ALIAS_BUDGET // 4:
            assert alias == []
        return result

    recorded("alias_graphs", text.encode(), check)


def test_a_file_of_alias_bombs_is_bounded() -> None:
    """Each document has its own alias budget, and the whole load shares a pool of four."""
    text = "---\n".join([_alias_text(8, 8, flow=True)] * 12)
    messages = [f.message for f in check_text(text).findings]
    assert len(messages) == 12 and all("alias bomb" in m for m in messages)
    assert sum("already added too many" in m for m in messages) == 12 - 4


def _nested(depth: int, styles: list[str]) -> str:
    """``depth`` levels under ``data.x``, each level a flow or block mapping or sequence."""
    head, tail = "", ""
    for level in range(depth):
        style = styles[level % len(styles)]
        if style == "flow-map":
            head, tail = head + "{k: ", "}" + tail
        elif style == "flow-seq":
            head, tail = head + "[", "]" + tail
        else:
            break
    return HEADER + "  x: " + head + "leaf" + tail + "\n"


@fuzz_settings(ci=15, campaign=2_000)
@given(
    depth=st.integers(1, 3 * DEFAULT_MAX_DEPTH),
    styles=st.lists(st.sampled_from(["flow-map", "flow-seq"]), min_size=1, max_size=4),
)
def test_flow_nesting_is_bounded(depth: int, styles: list[str]) -> None:
    text = _nested(depth, styles)

    def check() -> LintResult:
        result = peak_bounded(lambda: check_text(text))
        deep = [f.code for f in result.findings if "nesting is deeper" in f.message]
        # the document root, data and x add three levels above the generated ones
        assert deep == (["MESH001"] if depth + 3 > DEFAULT_MAX_DEPTH else [])
        return result

    recorded("flow_nesting", text.encode(), check)
