"""Strategies for raw inputs: unicode, YAML token soup, dumped values, and hostile bytes."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import strategies as st

TOKENS = (
    "-", "- ", ":", ": ", "? ", ",", "[", "]", "{", "}", "#", " # c", "&a ", "&b ", "*a", "*b",
    "<<: *a", "!!str ", "!!map ", "!!seq ", "!!binary ", "!!set ", "!!omap ", "!tag ",
    "!<tag:yaml.org,2002:int> ", "!!python/object:os.system ", "|", ">", "|-", ">+", "|2",
    "'", '"', "''", '"\\x41\\u263a"', '"\\', "---", "--- ", "...", "%YAML 1.1", "%YAML 1.2",
    "%TAG !e! tag:e.com,2000:", "\n", "\n  ", "\n    ", "  ", "\t", "\r\n", "\r", "key",
    "apiVersion: networking.istio.io/v1", "apiVersion: v1", "kind: VirtualService",
    "kind: DestinationRule", "kind: List", "items:", "metadata:", "name: x", "namespace: ns",
    "spec:", "hosts:", "http:", "route:", "destination:", "host: reviews", "subset: v1",
    "~", "null", "true", "yes", "no", "0x1F", "0o17", "1e999", "-.inf", ".nan", "2001-12-14",
    "12:30:45", "=", "@", "`", "%", "\ufeff", "\x00", "\x07", "\x1b[31m", "\u2028", "\x85",
    "\U0001f600", "é", "\u202e", "\uffff",
)  # fmt: skip


def soups() -> st.SearchStrategy[str]:
    """YAML-ish token soup: indicators, anchors, tags, directives and markers, shuffled."""
    piece = st.one_of(st.sampled_from(TOKENS), st.text(max_size=4))
    return st.lists(piece, max_size=80).map("".join)


def line_soups() -> st.SearchStrategy[str]:
    """Indented lines of tokens, closer to real YAML than a flat soup."""
    line = st.tuples(
        st.integers(0, 8), st.lists(st.sampled_from(TOKENS[:60]), min_size=1, max_size=5)
    ).map(lambda item: " " * item[0] + "".join(item[1]))
    return st.lists(line, min_size=1, max_size=30).map("\n".join)


def _values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(),
        st.text(max_size=20),
        st.dates(),
        st.binary(max_size=8),
    )
    keys = st.one_of(st.sampled_from(["apiVersion", "kind", "metadata", "name", "spec"]), st.text())
    return st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(keys, inner, max_size=4),
        max_leaves=30,
    )


@st.composite
def dumped(draw: st.DrawFn) -> str:
    """Arbitrary values dumped by PyYAML in a random style, sometimes under a resource header."""
    value = draw(_values())
    if draw(st.booleans()):
        kind = draw(st.sampled_from(["VirtualService", "Gateway", "Service", "Sidecar", "List"]))
        value = {"apiVersion": "networking.istio.io/v1", "kind": kind, "spec": value}
    return yaml.safe_dump(
        value,
        default_flow_style=draw(st.sampled_from([True, False, None])),
        allow_unicode=draw(st.booleans()),
        width=draw(st.sampled_from([20, 80, 10_000])),
        canonical=draw(st.booleans()),
        explicit_start=draw(st.booleans()),
    )


def text_inputs() -> st.SearchStrategy[str]:
    """Strategy (a): arbitrary unicode, token soups and dumped values."""
    return st.one_of(st.text(max_size=300), soups(), line_soups(), dumped())


_CODECS = ("utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1")
_BOMS = (b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff", b"\xff\xfe\x00\x00")


def _encode(text: str, codec: str) -> bytes:
    return text.encode(codec, errors="replace")


@st.composite
def hostile_bytes(draw: st.DrawFn, seeds: st.SearchStrategy[str]) -> bytes:
    """Strategy (e): a text re-encoded, BOM-prefixed, with NULs, controls, CRLF or long lines."""
    text = draw(seeds)
    if draw(st.booleans()):
        text = text.replace("\n", "\r\n")
    if draw(st.booleans()):
        where = draw(st.integers(0, len(text)))
        filler = draw(st.sampled_from(["x", "a: ", "- ", "\x00", "\x1f", " "]))
        text = text[:where] + filler * draw(st.sampled_from([1, 1000, 70_000])) + text[where:]
    data = draw(st.sampled_from(_BOMS)) + _encode(text, draw(st.sampled_from(_CODECS)))
    if draw(st.booleans()):
        where = draw(st.integers(0, len(data)))
        data = data[:where] + draw(st.binary(min_size=1, max_size=16)) + data[where:]
    return data


def binary_inputs(seeds: st.SearchStrategy[str]) -> st.SearchStrategy[bytes]:
    """Strategy (e): raw bytes, or hostile re-encodings of ``seeds``."""
    return st.one_of(st.binary(max_size=400), hostile_bytes(seeds))
