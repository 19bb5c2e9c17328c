"""The HTML graph page: self-contained, escaped, and working in a real headless Chromium.

The browser is driven through the DevTools protocol over ``--remote-debugging-pipe`` (JSON
messages separated by NUL bytes on file descriptors 3 and 4), so no extra package is needed.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import json
import os
import re
import select
import shutil
import struct
import subprocess
import time
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from meshlint.graph import GraphView
from meshlint.graph.view import NodeKind
from meshlint.reporters.graph import html, layout
from meshlint.reporters.graph.style import NODE_PAINT
from tests.test_graph_view import BOOKINFO, BROKEN, REVIEWS, view_of_path, view_of_text

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--remote-debugging-pipe",
)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium not found (apt-get install chromium; .ci/run does)"
)
HOSTILE = """\
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: "x\\"<script>window.pwned=1</script>", namespace: "ns<b>&amp;"}
spec:
  hosts: ["evil<img src=x onerror=window.pwned=2>"]
  http:
  - name: "r|#<i>\\"q\\"`"
    match: [{headers: {"end-user": {exact: "</script><script>window.pwned=3</script>"}}}]
    route: [{destination: {host: "svc\\"}", subset: "v1"}}]
"""


class _Page(HTMLParser):
    """Tags, ``data-id`` of nodes and ``(data-s, data-t)`` of edges in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.node_ids: list[str] = []
        self.edge_ends: list[tuple[str, str]] = []
        self.sources: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        if "node" in classes:
            self.node_ids.append(found["data-id"] or "")
        if "edge" in classes:
            self.edge_ends.append((found["data-s"] or "", found["data-t"] or ""))
        self.sources.extend(v or "" for k, v in attrs if k in {"src", "href"})


def parse(page: str) -> _Page:
    parser = _Page()
    parser.feed(page)
    return parser


@pytest.fixture(scope="module")
def bookinfo() -> GraphView:
    return view_of_path(BOOKINFO)


# ---------------------------------------------------------------------- the page itself


def test_page_is_self_contained(bookinfo: GraphView) -> None:
    page = html.render(bookinfo)
    parsed = parse(page)
    assert parsed.tags.count("script") == 1
    assert parsed.tags.count("style") == 1
    assert "link" not in parsed.tags
    assert parsed.sources == []  # nothing to fetch: no src, no href
    assert re.findall(r"https?://[^\s\"'<>]+", page) == ["http://www.w3.org/2000/svg"]


def test_content_security_policy_pins_the_inline_blocks(bookinfo: GraphView) -> None:
    page = html.render(bookinfo)
    policy = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
    assert policy is not None
    style = re.search(r"<style>(.*?)</style>", page, re.S)
    script = re.search(r"<script>(.*?)</script>", page, re.S)
    assert style is not None and script is not None

    def digest(text: str) -> str:
        return base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()

    assert policy.group(1) == (
        f"default-src 'none'; style-src 'sha256-{digest(style.group(1))}'; "
        f"script-src 'sha256-{digest(script.group(1))}'; img-src 'none'; base-uri 'none'; "
        "form-action 'none'"
    )


def test_every_node_and_drawn_edge_is_in_the_svg(bookinfo: GraphView) -> None:
    parsed = parse(html.render(bookinfo))
    assert sorted(parsed.node_ids) == sorted(n.id for n in bookinfo.nodes)
    contained = {"rule", "subset"}  # drawn as rows inside their card
    assert sorted(parsed.edge_ends) == sorted(
        (e.source, e.target) for e in bookinfo.edges if e.kind.value not in contained
    )


def test_namespace_filter_lists_every_band(bookinfo: GraphView) -> None:
    page = html.render(bookinfo)
    options = re.findall(r'<option value="([^"]*)">([^<]*)</option>', page)
    assert options == [
        ("*", "all namespaces"),
        ("", "mesh-wide"),
        ("bookinfo", "bookinfo"),
        ("istio-system", "istio-system"),
    ]
    assert re.findall(r'<g class="band" data-ns="([^"]*)"', page) == [
        "",
        "bookinfo",
        "istio-system",
    ]


def test_empty_input_says_so() -> None:
    page = html.render(GraphView((), ()))
    assert '<p class="empty">Nothing to draw' in page
    swatches = len(html.LEGEND_NODES) + 1 + len(html.LEGEND_EDGES)  # + "not defined"
    assert parse(page).tags.count("svg") == 1 + swatches == 16


def test_user_strings_are_escaped() -> None:
    page = html.render(view_of_text(HOSTILE))
    parsed = parse(page)
    assert parsed.tags.count("script") == 1
    assert {"i", "img"}.isdisjoint(parsed.tags)
    assert parsed.tags.count("b") == 5  # the header's own counts only
    assert "<script>window" not in page
    assert "<img" not in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    assert 'data-label="x&quot;&lt;script&gt;window.pwned=1&lt;/script&gt;"' in page
    assert "svc&quot;}" in page


# ---------------------------------------------------------------------- in Chromium


class DevTools:
    """A minimal DevTools-protocol client over Chromium's debugging pipe."""

    def __init__(self, process: subprocess.Popen[bytes], send: int, receive: int) -> None:
        self.process = process
        self.send_fd = send
        self.receive_fd = receive
        self.buffer = b""
        self.events: list[dict[str, Any]] = []
        self.next_id = 0
        self.session = ""

    def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        os.write(self.send_fd, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str, timeout: float = 20.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            for event in self.events:
                if event.get("method") == method:
                    self.events.remove(event)
                    return event
            self.events.append(self._read(deadline - time.monotonic()))

    def evaluate(self, expression: str) -> Any:
        found = self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        assert "exceptionDetails" not in found, found["exceptionDetails"]
        return found["result"].get("value")

    def _read(self, timeout: float = 20.0) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.receive_fd], [], [], max(timeout, 0.1))
            if not ready:
                raise TimeoutError("chromium did not answer")
            chunk = os.read(self.receive_fd, 1 << 16)
            if not chunk:
                raise EOFError("chromium closed the pipe")
            self.buffer += chunk
        message, _, self.buffer = self.buffer.partition(b"\0")
        found: dict[str, Any] = json.loads(message)
        return found

    def errors(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors (CSP, loads)."""
        found = []
        for event in self.events:
            params = event.get("params", {})
            if event.get("method") == "Runtime.exceptionThrown":
                found.append(json.dumps(params["exceptionDetails"])[:300])
            elif event.get("method") == "Runtime.consoleAPICalled" and params["type"] in {
                "error",
                "assert",
                "warning",
            }:
                found.append(json.dumps(params["args"])[:300])
            elif event.get("method") == "Log.entryAdded" and params["entry"]["level"] in {
                "error",
                "warning",
            }:
                found.append(params["entry"]["text"])
        return found


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[DevTools]:
    assert CHROMIUM is not None
    to_chrome, from_chrome = os.pipe(), os.pipe()

    def wire() -> None:  # in the child: the protocol's fds 3 (commands) and 4 (replies)
        commands = fcntl.fcntl(to_chrome[0], fcntl.F_DUPFD, 10)  # out of the way of 3 and 4
        replies = fcntl.fcntl(from_chrome[1], fcntl.F_DUPFD, 10)
        os.dup2(commands, 3)
        os.dup2(replies, 4)

    process = subprocess.Popen(
        [CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "about:blank"],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=wire,  # noqa: PLW1509 - only dup2 before exec
        pass_fds=(3, 4),
    )
    os.close(to_chrome[0])
    os.close(from_chrome[1])
    tools = DevTools(process, to_chrome[1], from_chrome[0])
    try:
        target = tools.call("Target.createTarget", url="about:blank")["targetId"]
        attached = tools.call("Target.attachToTarget", targetId=target, flatten=True)
        tools.session = attached["sessionId"]
        for domain in ("Runtime", "Log", "Page"):
            tools.call(f"{domain}.enable")
        tools.call(
            "Emulation.setDeviceMetricsOverride",
            width=1400,
            height=900,
            deviceScaleFactor=1,
            mobile=False,
        )
        yield tools
    finally:
        process.kill()
        process.wait(timeout=10)
        os.close(to_chrome[1])
        os.close(from_chrome[0])


def open_page(tools: DevTools, view: GraphView, path: Path) -> None:
    path.write_text(html.render(view), encoding="utf-8")
    tools.call("Page.navigate", url=path.as_uri())
    tools.wait_for("Page.loadEventFired")


def screenshot(tools: DevTools, path: Path) -> bytes:
    data = base64.b64decode(tools.call("Page.captureScreenshot", format="png")["data"])
    path.write_bytes(data)
    return data


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """(width, height, rows of RGB(A) bytes) of an 8-bit truecolour PNG (no interlace)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    offset, idat, header = 8, b"", b""
    while offset < len(data):
        (length,) = struct.unpack(">I", data[offset : offset + 4])
        kind, body = data[offset + 4 : offset + 8], data[offset + 8 : offset + 8 + length]
        header = body if kind == b"IHDR" else header
        idat += body if kind == b"IDAT" else b""
        offset += 12 + length
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, colour in {2, 6}, interlace) == (8, True, 0)
    size = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * size
    rows: list[bytes] = []
    previous = bytes(stride)
    for y in range(height):
        line = raw[y * (stride + 1) : (y + 1) * (stride + 1)]
        row = _unfilter(line[0], bytearray(line[1:]), previous, size)
        rows.append(row)
        previous = row
    return width, height, rows


def _unfilter(kind: int, row: bytearray, up: bytes, size: int) -> bytes:
    for i in range(len(row)):
        left = row[i - size] if i >= size else 0
        corner = up[i - size] if i >= size else 0
        if kind == 1:
            row[i] = (row[i] + left) & 0xFF
        elif kind == 2:
            row[i] = (row[i] + up[i]) & 0xFF
        elif kind == 3:
            row[i] = (row[i] + (left + up[i]) // 2) & 0xFF
        elif kind == 4:
            row[i] = (row[i] + _paeth(left, up[i], corner)) & 0xFF
    return bytes(row)


def _paeth(a: int, b: int, c: int) -> int:
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def colour_counts(data: bytes) -> tuple[int, int, dict[bytes, int]]:
    width, height, rows = png_pixels(data)
    size = len(rows[0]) // width
    counts: dict[bytes, int] = {}
    for row in rows:
        for x in range(0, len(row), size):
            pixel = row[x : x + 3]
            counts[pixel] = counts.get(pixel, 0) + 1
    return width, height, counts


def rgb(hex_colour: str) -> bytes:
    return bytes.fromhex(hex_colour.removeprefix("#"))


NODES_PRESENT = """
[...document.querySelectorAll('#graph .node')].map(n => n.getAttribute('data-id'))
"""
HOVER = """
(() => {
  const node = document.querySelector('[data-id="%s"]');
  node.dispatchEvent(new MouseEvent('mouseenter'));
  const svg = document.getElementById('graph');
  return {
    focus: svg.classList.contains('focus'),
    edges: [...svg.querySelectorAll('.edge.hl')].map(
      e => e.getAttribute('data-s') + ' > ' + e.getAttribute('data-t')).sort(),
    panel: document.querySelector('#details .title').textContent,
    location: document.querySelector('#details .loc').textContent,
    shown: getComputedStyle(document.getElementById('details')).display,
  };
})()
"""
FILTER = """
(() => {
  const select = document.getElementById('namespace-filter');
  select.value = 'istio-system';
  select.dispatchEvent(new Event('change'));
  const off = id => document.querySelector('[data-id="' + id + '"]').classList.contains('off');
  return [off('workload:istio-system/istio-ingressgateway'), off('vs:bookinfo/reviews')];
})()
"""


@needs_chromium
def test_bookinfo_page_in_chromium(browser: DevTools, bookinfo: GraphView, tmp_path: Path) -> None:
    open_page(browser, bookinfo, tmp_path / "bookinfo.html")
    ids = set(browser.evaluate(NODES_PRESENT))
    assert {
        f"subset:{REVIEWS}/v1",
        f"subset:{REVIEWS}/v2",
        f"subset:{REVIEWS}/v3",
        "gateway:bookinfo/bookinfo-gateway",
        "workload:bookinfo/reviews-v3",
        "policy:bookinfo/allow-nothing",
    } <= ids
    assert len(ids) == len(bookinfo.nodes)
    # the screenshot before any hover: the whole graph, drawn
    width, height, counts = colour_counts(screenshot(browser, tmp_path / "bookinfo.png"))
    assert (width, height) == (1400, 900)
    assert len(counts) > 200  # text, edges and fills, not a blank page
    assert max(counts.values()) < width * height * 0.7
    for kind in (NodeKind.VIRTUAL_SERVICE, NodeKind.WORKLOAD, NodeKind.POLICY):
        assert counts.get(rgb(NODE_PAINT[kind].fill), 0) > 1000, kind
    hovered = browser.evaluate(HOVER % f"subset:{REVIEWS}/v2")
    assert hovered == {
        "focus": True,
        "edges": [
            f"route:bookinfo/reviews/spec/http/0 > subset:{REVIEWS}/v2",
            f"route:bookinfo/reviews/spec/http/1 > subset:{REVIEWS}/v2",
            f"subset:{REVIEWS}/v2 > workload:bookinfo/reviews-v2",
        ],
        "panel": "reviews v2",
        "location": "fixtures/meshes/bookinfo/destination-rules.yaml:25",
        "shown": "block",
    }
    assert browser.evaluate(FILTER) == [False, True]
    assert browser.errors() == []


@needs_chromium
def test_broken_and_hostile_pages_in_chromium(browser: DevTools, tmp_path: Path) -> None:
    open_page(browser, view_of_path(BROKEN), tmp_path / "broken.html")
    _, _, counts = colour_counts(screenshot(browser, tmp_path / "broken.png"))
    assert len(counts) > 200
    missing = browser.evaluate(
        "[...document.querySelectorAll('.node.missing')].map(n => n.getAttribute('data-id'))"
    )
    assert sorted(missing) == [
        "service:ratings-v2.shop.svc.cluster.local",
        "subset:reviews.shop.svc.cluster.local/v3",
    ]
    open_page(browser, view_of_text(HOSTILE), tmp_path / "hostile.html")
    assert browser.evaluate("window.pwned === undefined") is True
    assert browser.evaluate("document.scripts.length") == 1
    labels = browser.evaluate(
        "[...document.querySelectorAll('.node.card')].map(n => n.getAttribute('data-label'))"
    )
    assert 'x"<script>window.pwned=1</script>' in labels
    assert browser.errors() == []


# ---------------------------------------------------------------------- the layout


@pytest.mark.parametrize("mesh", [BOOKINFO, BROKEN])
def test_layout_keeps_cards_apart_and_inside_their_band(mesh: Path) -> None:
    view = view_of_path(mesh)
    placed = layout.compute(view)
    bands = {band.namespace: band for band in placed.bands}
    cards = [n for n in view.nodes if n.id not in placed.parent]
    for node in cards:
        box, band = placed.boxes[node.id], bands[node.namespace]
        assert band.y + layout.BAND_TOP <= box.y
        assert box.y + box.height <= band.y + band.height - layout.BAND_BOTTOM + 0.01
    for first in cards:
        for second in cards:
            a, b = placed.boxes[first.id], placed.boxes[second.id]
            if first.id < second.id and a.x == b.x:
                assert a.y + a.height + layout.GAP <= b.y + 0.01 or b.y + b.height <= a.y, (
                    first.id,
                    second.id,
                )
    for row, card in placed.parent.items():
        inner, outer = placed.boxes[row], placed.boxes[card]
        assert outer.y + layout.CARD_HEAD <= inner.y
        assert inner.y + inner.height <= outer.y + outer.height


def test_layout_columns_follow_the_traffic(bookinfo: GraphView) -> None:
    placed = layout.compute(bookinfo)
    assert [title for title, _ in placed.titles] == list(layout.COLUMN_TITLES)
    column = {node.kind.value: placed.column[node.id] for node in bookinfo.nodes}
    assert column == {
        "mesh": 0,
        "gateway": 0,
        "source": 0,
        "virtualservice": 1,
        "route": 1,
        "service": 2,
        "subset": 2,
        "workload": 3,
        "policy": 4,
    }
    assert placed.rows["vs:bookinfo/reviews"] == (
        "route:bookinfo/reviews/spec/http/0",
        "route:bookinfo/reviews/spec/http/1",
    )
