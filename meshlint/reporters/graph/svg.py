"""The inline SVG of the HTML page: bands, edges, cards and rows from a computed Layout.

Every string from the input goes through ``html.escape``; the drawing uses presentation
attributes only (no inline ``style``), so the page's content security policy can forbid them.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from meshlint.graph.view import (
    DENIES_ALL,
    GraphView,
    NodeKind,
    ViewEdge,
    ViewEdgeKind,
    ViewNode,
    format_percent,
)
from meshlint.reporters.graph.layout import (
    CARD_HEAD,
    CARD_WIDTH,
    COLUMN_GAP,
    MARGIN,
    Box,
    Layout,
)
from meshlint.reporters.graph.style import (
    AUTHZ_EDGES,
    DASHED_EDGES,
    EDGE_PAINT,
    MISSING,
    MTLS_COLOURS,
    NODE_PAINT,
    Paint,
    namespace_title,
)

CHAR_WIDTH = 0.6  # of the font size: a conservative average for sans-serif text
BOLD_WIDTH = 0.65
ACTION_COLOURS = {"ALLOW": "#16a34a", "DENY": "#dc2626", "AUDIT": "#64748b", "CUSTOM": "#7c3aed"}
LABEL_AT = 0.6
LABEL_SIZE = 10.5
LABEL_HEIGHT = 16
NEIGHBOURS = 24  # labels placed just before, the only ones a new label can meet
HOVER_LABELS = AUTHZ_EDGES | {ViewEdgeKind.BINDS}  # shown when a node is traced
DRAWN_EDGES = frozenset(EDGE_PAINT) - {ViewEdgeKind.RULE, ViewEdgeKind.SUBSET}


def attr(value: object) -> str:
    return escape(str(value), quote=True)


def fit(text: str, width: float, size: float) -> str:
    """``text`` clipped with an ellipsis to about ``width`` pixels at font ``size``."""
    limit = max(int(width / (size * CHAR_WIDTH)), 2)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def render_svg(view: GraphView, layout: Layout) -> str:
    parts = [
        f'<svg id="graph" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {layout.width:.0f} '
        f'{layout.height:.0f}" width="{layout.width:.0f}" height="{layout.height:.0f}" '
        'role="img" aria-label="meshlint routing and authorization graph">',
        _markers(),
        *_bands(layout),
        *_titles(layout),
        '<g class="edges">',
    ]
    drawn = [(i, e) for i, e in enumerate(view.edges) if e.kind in DRAWN_EDGES]
    parts.extend(_edge(index, edge, layout) for index, edge in drawn)
    parts.append('</g><g class="nodes">')
    by_id = {node.id: node for node in view.nodes}
    for node in view.nodes:
        if node.id not in layout.parent:
            children = [by_id[row] for row in layout.rows.get(node.id, ())]
            parts.append(_card(node, layout, children))
    parts.append('</g><g class="labels">')
    parts.extend(_edge_label(label) for label in _labels(drawn, layout))
    parts.append("</g></svg>")
    return "\n".join(part for part in parts if part)


def _markers() -> str:
    found = []
    for kind in sorted(DRAWN_EDGES):
        colour = EDGE_PAINT[kind].stroke
        found.append(
            f'<marker id="arrow-{kind.value}" viewBox="0 0 10 10" refX="9" refY="5" '
            'markerWidth="8" markerHeight="8" markerUnits="userSpaceOnUse" '
            f'orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="{colour}"/></marker>'
        )
    return "<defs>" + "".join(found) + "</defs>"


def _bands(layout: Layout) -> list[str]:
    parts = []
    for index, band in enumerate(layout.bands):
        fill = "#f8fafc" if index % 2 == 0 else "#f4f7fb"
        parts.append(
            f'<g class="band" data-ns="{attr(band.namespace)}">'
            f'<rect x="{MARGIN / 2:.0f}" y="{band.y:.1f}" width="{layout.width - MARGIN:.0f}" '
            f'height="{band.height:.1f}" rx="12" fill="{fill}" stroke="#e2e8f0"/>'
            f'<text class="band-title" x="{MARGIN:.0f}" y="{band.y + 19:.1f}">'
            f"{escape(namespace_title(band.namespace))}</text></g>"
        )
    return parts


def _titles(layout: Layout) -> list[str]:
    return [
        f'<text class="column-title" x="{x:.0f}" y="{MARGIN + 8:.0f}">{escape(title)}</text>'
        for title, x in layout.titles
    ]


# ---------------------------------------------------------------------- edges


def _ends(edge: ViewEdge, layout: Layout) -> tuple[float, float, float, float, float]:
    """(x1, y1, x2, y2, bend) of the edge's curve between the two boxes."""
    source, target = layout.boxes[edge.source], layout.boxes[edge.target]
    forward = layout.column[edge.target] - layout.column[edge.source]
    if forward > 0:
        return source.right, source.middle, target.x - 1, target.middle, 1.0
    if forward < 0:
        return source.x, source.middle, target.right + 1, target.middle, -1.0
    return source.right, source.middle, target.right + 1, target.middle, 0.0


def _curve(edge: ViewEdge, layout: Layout) -> tuple[str, float, float]:
    """The path, and the point for its label: on the curve, in the gap next to the target
    and past its middle (so a fan-out's labels spread apart and sit by their targets)."""
    x1, y1, x2, y2, bend = _ends(edge, layout)
    if bend == 0.0:
        reach = max(x1, x2) + 46
        path = f"M{x1:.1f},{y1:.1f} C{reach:.1f},{y1:.1f} {reach:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
        return path, reach - 12, (y1 + y2) / 2
    pull = max(abs(x2 - x1) * 0.45, 40) * bend
    c1, c2 = x1 + pull, x2 - pull
    path = f"M{x1:.1f},{y1:.1f} C{c1:.1f},{y1:.1f} {c2:.1f},{y2:.1f} {x2:.1f},{y2:.1f}"
    near = x2 - bend * min(COLUMN_GAP, abs(x2 - x1))  # the gap's far side from the target
    want = near + (x2 - near) * LABEL_AT
    x, y = _point_at(want, (x1, y1), (c1, y1), (c2, y2), (x2, y2))
    return path, x, y


def _point_at(want: float, *points: tuple[float, float]) -> tuple[float, float]:
    """The point of the curve at abscissa ``want`` (x is monotonic along these curves)."""
    low, high = 0.0, 1.0
    rising = points[-1][0] >= points[0][0]
    for _ in range(16):
        middle = (low + high) / 2
        if (_bezier(middle, *points)[0] < want) == rising:
            low = middle
        else:
            high = middle
    return _bezier((low + high) / 2, *points)


def _bezier(t: float, *points: tuple[float, float]) -> tuple[float, float]:
    (ax, ay), (bx, by), (cx, cy), (dx, dy) = points
    u = 1 - t
    weights = (u * u * u, 3 * u * u * t, 3 * u * t * t, t * t * t)
    return (
        weights[0] * ax + weights[1] * bx + weights[2] * cx + weights[3] * dx,
        weights[0] * ay + weights[1] * by + weights[2] * cy + weights[3] * dy,
    )


def _edge(index: int, edge: ViewEdge, layout: Layout) -> str:
    paint = EDGE_PAINT[edge.kind]
    path, _, _ = _curve(edge, layout)
    width = 1.3
    if edge.percent is not None:
        width = 1.2 + 2.6 * edge.percent / 100
    unused = edge.kind is ViewEdgeKind.ROUTES and not edge.percent
    dash = ' stroke-dasharray="5 4"' if edge.kind in DASHED_EDGES or unused else ""
    title = f"{edge.kind.value}: {edge.source} → {edge.target}"
    title += f" ({edge.label})" if edge.label else ""
    faint = " faint" if edge.kind in AUTHZ_EDGES else ""
    return (
        f'<g class="edge e-{edge.kind.value}{faint}" data-e="{index}" data-s="{attr(edge.source)}" '
        f'data-t="{attr(edge.target)}"><title>{escape(title)}</title>'
        f'<path d="{path}" fill="none" stroke="{paint.stroke}" stroke-width="{width:.2f}"'
        f'{dash} marker-end="url(#arrow-{edge.kind.value})"/></g>'
    )


@dataclass
class _Label:
    index: int
    edge: ViewEdge
    text: str
    x: float
    y: float
    width: float

    def collides(self, other: _Label) -> bool:
        near = abs(self.x - other.x) < (self.width + other.width) / 2 + 2
        return near and abs(self.y - other.y) < LABEL_HEIGHT + 1


def _labels(drawn: list[tuple[int, ViewEdge]], layout: Layout) -> list[_Label]:
    """Edge labels, nudged down until the always-visible ones do not overlap."""
    found = []
    for index, edge in drawn:
        if edge.label:
            _, x, y = _curve(edge, layout)
            text = _label_text(edge, layout)
            label = _Label(index, edge, text, x, y, len(text) * LABEL_SIZE * CHAR_WIDTH + 10)
            label.x = _within(label, edge, layout)
            found.append(label)
    placed: dict[int, list[_Label]] = {}  # per gap between two columns
    for label in sorted(found, key=lambda item: (item.y, item.x)):
        if label.edge.kind not in HOVER_LABELS:
            near = placed.setdefault(int(label.x // (CARD_WIDTH + COLUMN_GAP)), [])
            for _ in range(12):
                if not any(label.collides(other) for other in near[-NEIGHBOURS:]):
                    break
                label.y += LABEL_HEIGHT / 2
            near.append(label)
    return found


def _gap(edge: ViewEdge, layout: Layout) -> tuple[float, float]:
    """(far side, near side) of the gap next to the target where the label goes."""
    x1, _, x2, _, bend = _ends(edge, layout)
    gap = min(COLUMN_GAP, abs(x2 - x1)) if bend else abs(x2 - x1)
    return x2 - (bend or 1.0) * gap, x2


def _label_text(edge: ViewEdge, layout: Layout) -> str:
    """The label, clipped; a share label too wide for its gap keeps only the total (the
    edge's tooltip has the rest)."""
    text = fit(edge.label, 150, LABEL_SIZE)
    far, near = _gap(edge, layout)
    too_wide = len(text) * LABEL_SIZE * CHAR_WIDTH + 10 > abs(near - far) - 8
    return format_percent(edge.percent) if too_wide and edge.percent is not None else text


def _within(label: _Label, edge: ViewEdge, layout: Layout) -> float:
    """The label's x kept inside the gap next to the target (centred when too wide)."""
    far, near = _gap(edge, layout)
    low, high = min(far, near) + 4 + label.width / 2, max(far, near) - 4 - label.width / 2
    return min(max(label.x, low), high) if low <= high else (far + near) / 2


def _edge_label(label: _Label) -> str:
    x, y, width = label.x, label.y, label.width
    hidden = " on-hover" if label.edge.kind in HOVER_LABELS else ""
    colour = EDGE_PAINT[label.edge.kind].stroke
    return (
        f'<g class="elabel{hidden}" data-e="{label.index}">'
        f'<rect x="{x - width / 2:.1f}" y="{y - 8:.1f}" width="{width:.1f}" height="16" rx="8" '
        f'fill="#ffffff" stroke="{colour}" stroke-width="0.8"/>'
        f'<text x="{x:.1f}" y="{y + 3.6:.1f}" text-anchor="middle" fill="{colour}">'
        f"{escape(label.text)}</text></g>"
    )


# ---------------------------------------------------------------------- nodes


def _data(node: ViewNode, paint: Paint) -> str:
    detail = "\n".join(node.detail)
    return (
        f'data-id="{attr(node.id)}" data-ns="{attr(node.namespace)}" '
        f'data-kind="{attr(paint.title)}" data-label="{attr(node.label)}" '
        f'data-sub="{attr(node.sublabel)}" data-loc="{attr(node.location)}" '
        f'data-detail="{attr(detail)}"'
    )


def _paint(node: ViewNode) -> Paint:
    return MISSING if node.missing else NODE_PAINT[node.kind]


def _card(node: ViewNode, layout: Layout, rows: list[ViewNode]) -> str:
    box = layout.boxes[node.id]
    paint = _paint(node)
    missing = " missing" if node.missing else ""
    dash = ' stroke-dasharray="5 3"' if node.missing else ""
    parts = [
        f'<g class="node card k-{node.kind.value}{missing}" {_data(node, paint)} tabindex="0">',
        f"<title>{escape(_tooltip(node, paint))}</title>",
        f'<rect class="frame" x="{box.x:.1f}" y="{box.y:.1f}" width="{box.width:.0f}" '
        f'height="{box.height:.1f}" rx="9" fill="#ffffff" stroke="{paint.stroke}" '
        f'stroke-width="1.3"{dash}/>',
        _header(box, paint, bool(rows)),
        f'<rect x="{box.x:.1f}" y="{box.y + 9:.1f}" width="3.5" height="{CARD_HEAD - 18}" '
        f'rx="1.75" fill="{paint.stroke}"/>',
        *_card_text(node, box, paint),
        "</g>",
    ]
    parts[-1:-1] = [_row(row, node, layout.boxes[row.id], i) for i, row in enumerate(rows)]
    return "".join(parts)


def _header(box: Box, paint: Paint, has_rows: bool) -> str:
    x, y, w, r = box.x, box.y, box.width, 9.0
    h = CARD_HEAD if has_rows else box.height
    if not has_rows:
        return (
            f'<rect x="{x + 0.65:.2f}" y="{y + 0.65:.2f}" width="{w - 1.3:.1f}" '
            f'height="{h - 1.3:.1f}" rx="8.5" fill="{paint.fill}"/>'
        )
    path = (
        f"M{x + 0.65:.2f},{y + h:.1f} V{y + r:.1f} Q{x + 0.65:.2f},{y + 0.65:.2f} {x + r:.1f},"
        f"{y + 0.65:.2f} H{x + w - r:.1f} Q{x + w - 0.65:.2f},{y + 0.65:.2f} "
        f"{x + w - 0.65:.2f},{y + r:.1f} V{y + h:.1f} Z"
    )
    return f'<path d="{path}" fill="{paint.fill}"/>'


def _card_text(node: ViewNode, box: Box, paint: Paint) -> list[str]:
    tag, tag_colour = _tag(node, paint)
    tag_width = len(tag) * 9 * 0.66 + 10 if tag else 0.0
    label_room = box.width - 24 - tag_width
    sublabel, badge = _sublabel(node)
    parts = [
        f'<text class="label" x="{box.x + 12:.1f}" y="{box.y + 20:.1f}">'
        f"{escape(fit(node.label, label_room, 12.5 * BOLD_WIDTH / CHAR_WIDTH))}</text>"
    ]
    if tag:
        parts.append(
            f'<rect x="{box.right - 8 - tag_width:.1f}" y="{box.y + 8:.1f}" '
            f'width="{tag_width:.1f}" height="14" rx="3" fill="{tag_colour}"/>'
            f'<text class="tag" x="{box.right - 8 - tag_width / 2:.1f}" y="{box.y + 18.2:.1f}" '
            f'text-anchor="middle">{escape(tag)}</text>'
        )
    sub_room = box.width - 24 - (_badge_width(badge) + 6 if badge else 0)
    parts.append(
        f'<text class="sub" x="{box.x + 12:.1f}" y="{box.y + 36:.1f}">'
        f"{escape(fit(sublabel, sub_room, 10.5))}</text>"
    )
    if badge:
        parts.append(_badge(badge, box))
    return parts


def _tag(node: ViewNode, paint: Paint) -> tuple[str, str]:
    """The pill at the top right: a policy's action, or MISSING (none for other cards)."""
    if node.missing:
        return paint.tag, paint.stroke
    if node.kind is NodeKind.POLICY and node.action:
        if node.sublabel.endswith(DENIES_ALL):
            return "DENY ALL", ACTION_COLOURS["DENY"]
        return node.action, ACTION_COLOURS.get(node.action, paint.stroke)
    return "", ""


def _sublabel(node: ViewNode) -> tuple[str, str]:
    """(sublabel, badge): a workload's mTLS mode becomes a coloured badge; a policy's action
    is its tag already."""
    if node.kind is NodeKind.WORKLOAD and node.mtls:
        return node.sublabel.split(" · ")[0], node.mtls
    if node.kind is NodeKind.POLICY and node.action:
        return node.sublabel.removeprefix(f"{node.action} · "), ""
    return node.sublabel, ""


def _badge_width(text: str) -> float:
    return len(f"mTLS {text}") * 9 * 0.68 + 10


def _badge(mode: str, box: Box) -> str:
    colour = MTLS_COLOURS.get(mode, "#64748b")
    width = _badge_width(mode)
    x = box.right - 8 - width
    return (
        f'<rect x="{x:.1f}" y="{box.y + 27:.1f}" width="{width:.1f}" height="13" rx="6.5" '
        f'fill="#ffffff" stroke="{colour}"/>'
        f'<text class="badge" x="{x + width / 2:.1f}" y="{box.y + 36.6:.1f}" '
        f'text-anchor="middle" fill="{colour}">mTLS {escape(mode)}</text>'
    )


def _row(node: ViewNode, card: ViewNode, box: Box, index: int) -> str:
    paint = _paint(node)
    label = node.label.removeprefix(card.label + " ")
    missing = " missing" if node.missing else ""
    sub_room = (box.width - 24) * 0.55
    label_room = box.width - 24 - min(len(node.sublabel) * 10 * CHAR_WIDTH, sub_room) - 8
    colour = MISSING.stroke if node.missing else "#0f172a"
    line = "" if index == 0 else "#eef2f6"
    return (
        f'<g class="node row k-{node.kind.value}{missing}" {_data(node, paint)} '
        f'data-parent="{attr(card.id)}" tabindex="0">'
        f"<title>{escape(_tooltip(node, paint))}</title>"
        f'<rect class="hit" x="{box.x + 4:.1f}" y="{box.y + 2:.1f}" width="{box.width - 8:.1f}" '
        f'height="{box.height - 4:.1f}" rx="6" fill="{paint.fill}"/>'
        + (
            f'<line x1="{box.x + 10:.1f}" y1="{box.y:.1f}" x2="{box.right - 10:.1f}" '
            f'y2="{box.y:.1f}" stroke="{line}"/>'
            if line
            else ""
        )
        + f'<text class="rlabel" x="{box.x + 12:.1f}" y="{box.y + 19:.1f}" fill="{colour}">'
        f"{escape(fit(label, label_room, 11.5 * BOLD_WIDTH / CHAR_WIDTH))}</text>"
        f'<text class="rsub" x="{box.right - 12:.1f}" y="{box.y + 19:.1f}" text-anchor="end">'
        f"{escape(fit(node.sublabel, sub_room, 10))}</text></g>"
    )


def _tooltip(node: ViewNode, paint: Paint) -> str:
    lines = [f"{paint.title}: {node.label}", node.sublabel, node.location, *node.detail]
    return "\n".join(line for line in lines if line)
