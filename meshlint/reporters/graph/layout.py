"""A layered left-to-right layout of a GraphView: namespace bands, columns, and cards.

Route rules sit as rows inside their VirtualService's card and subsets inside their
Service's card; within a band and column, cards are ordered and placed near the mean height
of their neighbours (a few barycentre sweeps), so most edges run straight.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from meshlint.graph.view import GraphView, NodeKind, ViewEdgeKind

MARGIN = 24
TITLE_HEIGHT = 30  # column titles above the first band
CARD_WIDTH = 196
COLUMN_GAP = 96
CARD_HEAD = 46
ROW_HEIGHT = 30
ROW_PAD = 6
GAP = 12  # between cards of a column
BAND_TOP = 30  # room for the band title
BAND_BOTTOM = 14
BAND_GAP = 10
SWEEPS = 6

CARD_COLUMNS: dict[NodeKind, int] = {
    NodeKind.GATEWAY: 0,
    NodeKind.MESH: 0,
    NodeKind.SOURCE: 0,
    NodeKind.VIRTUAL_SERVICE: 1,
    NodeKind.SERVICE: 2,
    NodeKind.WORKLOAD: 3,
    NodeKind.POLICY: 4,
}
COLUMN_TITLES = (
    "Entry points · sources",
    "VirtualServices · routes",
    "Services · subsets",
    "Workloads",
    "AuthorizationPolicies",
)
CONTAINS = {ViewEdgeKind.RULE: NodeKind.ROUTE, ViewEdgeKind.SUBSET: NodeKind.SUBSET}


@dataclass(frozen=True, slots=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def middle(self) -> float:
        return self.y + self.height / 2


@dataclass(frozen=True, slots=True)
class Band:
    namespace: str
    y: float
    height: float


@dataclass(frozen=True, slots=True)
class Layout:
    boxes: Mapping[str, Box]  # every node: cards and the rows inside them
    parent: Mapping[str, str]  # row id -> its card's id
    rows: Mapping[str, tuple[str, ...]]  # card id -> its rows, top to bottom
    column: Mapping[str, int]  # card or row id -> drawn column
    bands: tuple[Band, ...]
    titles: tuple[tuple[str, float], ...]  # (column title, x)
    width: float
    height: float


def natural_key(text: str) -> tuple[object, ...]:
    """``http/2`` before ``http/10``."""
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


def compute(view: GraphView) -> Layout:
    return _Placer(view).run()


@dataclass
class _Placer:
    view: GraphView
    parent: dict[str, str] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    column: dict[str, int] = field(default_factory=dict)
    top: dict[str, float] = field(default_factory=dict)  # card id -> y
    groups: dict[tuple[str, int], list[str]] = field(default_factory=dict)
    limits: dict[str, tuple[float, float]] = field(default_factory=dict)  # band inner range
    links: dict[str, list[tuple[float, str]]] = field(default_factory=dict)
    titles: tuple[str, ...] = ()
    row_index: dict[str, int] = field(default_factory=dict)

    def run(self) -> Layout:
        self._nest()
        self._columns()
        bands = self._bands()
        self._link()
        for sweep in range(SWEEPS):
            order = sorted({c for _, c in self.groups}, reverse=sweep % 2 == 1)
            for col in order:
                for key in [k for k in self.groups if k[1] == col]:
                    self._place(key)
        return self._result(bands)

    # ------------------------------------------------------------------ structure

    def _nest(self) -> None:
        kinds = {node.id: node.kind for node in self.view.nodes}
        for edge in self.view.edges:
            if CONTAINS.get(edge.kind) is kinds.get(edge.target) and edge.target not in self.parent:
                self.parent[edge.target] = edge.source
                self.children.setdefault(edge.source, []).append(edge.target)
        for rows in self.children.values():
            rows.sort(key=natural_key)
            self.row_index.update((row, index) for index, row in enumerate(rows))

    def _columns(self) -> None:
        used = sorted({CARD_COLUMNS[n.kind] for n in self.view.nodes if n.id not in self.parent})
        index = {col: i for i, col in enumerate(used)}
        self.titles = tuple(COLUMN_TITLES[col] for col in used)
        for node in self.view.nodes:
            if node.id not in self.parent:
                self.column[node.id] = index[CARD_COLUMNS[node.kind]]
                self.groups.setdefault((node.namespace, self.column[node.id]), []).append(node.id)
        for row, card in self.parent.items():
            self.column[row] = self.column[card]

    def height(self, card: str) -> float:
        rows = len(self.children.get(card, ()))
        return CARD_HEAD + rows * ROW_HEIGHT + (ROW_PAD if rows else 0)

    def _stack(self, cards: list[str]) -> float:
        return sum(self.height(c) for c in cards) + GAP * max(len(cards) - 1, 0)

    def _bands(self) -> tuple[Band, ...]:
        bands: list[Band] = []
        y: float = MARGIN + TITLE_HEIGHT
        for namespace in self.view.namespaces:
            stacks = [cards for (ns, _), cards in self.groups.items() if ns == namespace]
            if not stacks:
                continue  # only rows live there (a subset of another namespace's DR)
            inner = max((self._stack(cards) for cards in stacks), default=0.0)
            height = BAND_TOP + inner + BAND_BOTTOM
            bands.append(Band(namespace, y, height))
            self.limits[namespace] = (y + BAND_TOP, y + BAND_TOP + inner)
            for cards in stacks:
                self._stack_from(cards, y + BAND_TOP)
            y += height + BAND_GAP
        return tuple(bands)

    def _stack_from(self, cards: list[str], y: float) -> None:
        for card in cards:
            self.top[card] = y
            y += self.height(card) + GAP

    # ------------------------------------------------------------------ ordering

    def offset(self, node: str) -> float:
        """Height of ``node``'s anchor below its card's top."""
        card = self.parent.get(node)
        if card is None:
            return CARD_HEAD / 2
        return CARD_HEAD + self.row_index[node] * ROW_HEIGHT + ROW_HEIGHT / 2

    def anchor(self, node: str) -> float:
        return self.top[self.parent.get(node, node)] + self.offset(node)

    def _link(self) -> None:
        """card -> (offset of the endpoint inside it, the other endpoint) per edge."""
        for edge in self.view.edges:
            if edge.kind in CONTAINS:
                continue
            for own, other in ((edge.source, edge.target), (edge.target, edge.source)):
                card = self.parent.get(own, own)
                if self.column[card] != self.column[other]:
                    self.links.setdefault(card, []).append((self.offset(own), other))

    def _desired(self, card: str) -> float:
        found = self.links.get(card)
        if not found:
            return self.top[card]
        return sum(self.anchor(other) - offset for offset, other in found) / len(found)

    def _place(self, key: tuple[str, int]) -> None:
        cards = self.groups[key]
        wanted = {card: self._desired(card) for card in cards}
        cards.sort(key=lambda c: wanted[c])
        low, high = self.limits[key[0]]
        floor = low
        for card in cards:
            self.top[card] = max(wanted[card], floor)
            floor = self.top[card] + self.height(card) + GAP
        ceiling = high + GAP
        for card in reversed(cards):
            self.top[card] = min(self.top[card], ceiling - GAP - self.height(card))
            ceiling = self.top[card]

    # ------------------------------------------------------------------ result

    def _result(self, bands: tuple[Band, ...]) -> Layout:
        boxes: dict[str, Box] = {}
        for card, y in self.top.items():
            x = MARGIN + self.column[card] * (CARD_WIDTH + COLUMN_GAP)
            boxes[card] = Box(x, y, CARD_WIDTH, self.height(card))
            for index, row in enumerate(self.children.get(card, ())):
                boxes[row] = Box(x, y + CARD_HEAD + index * ROW_HEIGHT, CARD_WIDTH, ROW_HEIGHT)
        count = len(self.titles)
        width = 2 * MARGIN + count * CARD_WIDTH + max(count - 1, 0) * COLUMN_GAP
        height = (bands[-1].y + bands[-1].height if bands else MARGIN) + MARGIN
        titles = tuple(
            (title, MARGIN + i * (CARD_WIDTH + COLUMN_GAP)) for i, title in enumerate(self.titles)
        )
        rows = {card: tuple(children) for card, children in self.children.items()}
        return Layout(
            boxes, dict(self.parent), rows, dict(self.column), bands, titles, width, height
        )
