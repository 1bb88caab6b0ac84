"""A deterministic, collision-free layout for the view's graph of reviews and instruments.

Every node is a box (the shape and its label, measured with Arial's metrics and a margin,
since the page draws labels in Arial or a metric twin such as Liberation Sans). Boxes
are packed so that none overlap: each review is a *cluster* (its box, then the instruments
only it references in a grid below); the instruments that recur sit in a grid of their
own in the middle; clusters go round the middle (a few reviews) or in rows with the
middle block among them (many). Everything is arithmetic on sorted input: no randomness,
no physics, the same graph gives the same positions.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# Helvetica/Arial advance widths in 1/1000 em, ASCII 32–126.
_ARIAL = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 556 "
    "556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 722 778 "
    "667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 556 278 556 "
    "556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 334 260 334 584"
)
WIDTHS = {chr(32 + i): int(w) / 1000 for i, w in enumerate(_ARIAL.split())}
SAFETY = 1.1  # fonts differ a little between systems
LINE = 1.25  # line height, in font sizes
GAP = 18.0  # between boxes


def text_width(text: str, size: float) -> float:
    """Width of one line of ``text`` at font ``size`` (Arial metrics, with a margin)."""
    return sum(WIDTHS.get(ch, 0.72) for ch in text) * size * SAFETY


def wrap(text: str, size: float, width: float, max_lines: int = 3) -> list[str]:
    """Break ``text`` at spaces into lines no wider than ``width``; ellipsis past ``max_lines``."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if current and text_width(candidate, size) > width:
            lines.append(current)
            current = word
        else:
            current = candidate
    if current:
        lines.append(current)
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        last = lines[-1]
        while last and text_width(last + "…", size) > width:
            last = last[:-1]
        lines[-1] = last.rstrip() + "…"
    out = []
    for line in lines:  # a single word longer than the width is cut
        while text_width(line, size) > width and len(line) > 2:
            line = line[:-2] + "…"
        out.append(line)
    return out or [""]


@dataclass(frozen=True)
class Box:
    """A node's extent around its position: ``left``/``top`` are negative offsets."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top


def dot_box(lines: Sequence[str], size: float, radius: float) -> Box:
    """A dot with its label centred below it (as vis-network draws a "dot")."""
    width = max(max(text_width(line, size) for line in lines), 2 * radius)
    return Box(-width / 2, -radius - 2, width / 2, radius + 4 + len(lines) * size * 1.1)


def label_box(lines: Sequence[str], size: float, margin: float) -> Box:
    """A box with its label inside it (as vis-network draws a "box")."""
    width = max(text_width(line, size) for line in lines) + 2 * margin
    height = len(lines) * size * LINE + 2 * margin
    return Box(-width / 2, -height / 2, width / 2, height / 2)


Placed = dict[str, tuple[float, float]]


def _grid(nodes: Sequence[str], boxes: dict[str, Box], columns: int) -> tuple[Placed, Box]:
    """``nodes`` row by row in ``columns`` columns; positions relative to the block's top-left."""
    columns = max(1, min(columns, len(nodes)))
    widths = [0.0] * columns
    rows = math.ceil(len(nodes) / columns)
    heights = [0.0] * rows
    for i, node in enumerate(nodes):
        widths[i % columns] = max(widths[i % columns], boxes[node].width)
        heights[i // columns] = max(heights[i // columns], boxes[node].height)
    xs = [sum(widths[:c]) + GAP * c for c in range(columns)]
    ys = [sum(heights[:r]) + GAP * r for r in range(rows)]
    out: Placed = {}
    for i, node in enumerate(nodes):
        c, r = i % columns, i // columns
        box = boxes[node]
        out[node] = (xs[c] + widths[c] / 2, ys[r] - box.top)
    total = Box(0, 0, sum(widths) + GAP * (columns - 1), sum(heights) + GAP * (rows - 1))
    return out, total


def _columns_for(nodes: Sequence[str], boxes: dict[str, Box], aspect: float) -> int:
    """Columns that make a block about ``aspect`` times wider than tall."""
    if not nodes:
        return 1
    w = sum(boxes[n].width for n in nodes) / len(nodes) + GAP
    h = sum(boxes[n].height for n in nodes) / len(nodes) + GAP
    return max(1, round(math.sqrt(len(nodes) * h * aspect / w)))


@dataclass
class _Block:
    positions: Placed  # relative to the block's top-left corner
    width: float
    height: float


def _cluster(review: str, own: Sequence[str], boxes: dict[str, Box]) -> _Block:
    head = boxes[review]
    if not own:
        return _Block({review: (head.width / 2, -head.top)}, head.width, head.height)
    grid, size = _grid(own, boxes, _columns_for(own, boxes, 2.2))
    width = max(head.width, size.width)
    dx = (width - size.width) / 2
    dy = head.height + GAP
    positions = {review: (width / 2, -head.top)}
    positions.update({n: (x + dx, y + dy) for n, (x, y) in grid.items()})
    return _Block(positions, width, dy + size.height)


def _middle(shared: Sequence[str], boxes: dict[str, Box]) -> _Block:
    grid, size = _grid(shared, boxes, _columns_for(shared, boxes, 1.6))
    return _Block(grid, size.width, size.height)


def layout(
    reviews: Sequence[str],
    own: dict[str, list[str]],
    shared: Sequence[str],
    boxes: dict[str, Box],
) -> Placed:
    """Positions (x, y) for every node, rounded to 0.1, no two boxes overlapping.

    ``reviews`` in display order; ``own[review]`` the nodes of that review only;
    ``shared`` the nodes of several reviews, most shared first.
    """
    blocks = [_cluster(r, own.get(r, []), boxes) for r in reviews]
    middle = _middle(shared, boxes) if shared else None
    placed = _ring(blocks, middle) if len(blocks) <= 12 else _rows(blocks, middle)
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in placed.items()}


def _offset(block: _Block, left: float, top: float, into: Placed) -> None:
    for node, (x, y) in block.positions.items():
        into[node] = (left + x, top + y)


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[2] + GAP and b[0] < a[2] + GAP and a[1] < b[3] + GAP and b[1] < a[3] + GAP


def _ring(blocks: list[_Block], middle: _Block | None) -> Placed:
    """Clusters round the middle block, the first at the top, clockwise.

    Each cluster moves out along its own direction (an ellipse wider than tall, as screens
    are) until it touches nothing placed before it.
    """
    out: Placed = {}
    mw, mh = (middle.width, middle.height) if middle else (0.0, 0.0)
    placed: list[tuple[float, float, float, float]] = [(-mw / 2, -mh / 2, mw / 2, mh / 2)] if middle else []
    count = len(blocks)
    for k, block in enumerate(blocks):
        angle = -math.pi / 2 + 2 * math.pi * k / max(1, count)
        dx, dy = 1.5 * math.cos(angle), math.sin(angle)
        step = 0.0
        while True:
            cx, cy = dx * step, dy * step
            rect = (cx - block.width / 2, cy - block.height / 2, cx + block.width / 2, cy + block.height / 2)
            if not any(_overlaps(rect, other) for other in placed):
                break
            step += 12.0
        placed.append(rect)
        _offset(block, rect[0], rect[1], out)
    if middle:
        _offset(middle, -mw / 2, -mh / 2, out)
    return out


def _rows(blocks: list[_Block], middle: _Block | None) -> Placed:
    """Clusters in rows (in order), the middle block in the middle row, rows centred."""
    out: Placed = {}
    area = sum((b.width + GAP) * (b.height + GAP) for b in blocks)
    if middle:
        area += (middle.width + GAP) * (middle.height + GAP)
    target = max(math.sqrt(area * 1.6), middle.width if middle else 0.0, max(b.width for b in blocks))
    rows: list[list[_Block]] = [[]]
    width = 0.0
    for block in blocks:
        if rows[-1] and width + block.width > target:
            rows.append([])
            width = 0.0
        rows[-1].append(block)
        width += block.width + GAP
    half = len(rows) // 2
    if middle:
        rows.insert(half, [middle])
    top = 0.0
    for row in rows:
        row_width = sum(b.width for b in row) + GAP * (len(row) - 1)
        row_height = max(b.height for b in row)
        left = -row_width / 2
        for block in row:
            _offset(block, left, top + (row_height - block.height) / 2, out)
            left += block.width + GAP
        top += row_height + GAP * 3
    return out
