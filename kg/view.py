"""Render the graph as one self-contained, interactive HTML page.

The page leads with the answer to "which instruments recur across which reviews": a
review × instrument matrix (instruments as rows, most reviews first; reviews as columns,
by date, titled by case name and partnership). A cell opens that pair's sentences. A
timeline shows, for one instrument, every review that referenced it on a year axis (and
what the responses did, when the graph has ``sg:Action`` nodes). A graph (vis-network,
inlined from pyvis) shows neighbourhoods, laid out here without collisions
(``kg.layout``). Instruments referenced in one review only are drawn as nodes while there
are few of them; past ``SINGLES_DRAWN`` they collapse into a count on their review.

Counting is ``kg.viewdata``'s: references from recommendations and responses only, the
same as ``kg build`` and the ``recurring-instruments`` query; "commissioned under"
(``sg:underGuidance``) is shown apart and never counted.

Safety: every text from a document travels only inside one ``<script
type="application/json">`` block, with ``<``, ``>``, ``&`` and U+2028/9 escaped, and the
page puts it on screen with ``textContent`` alone (never ``innerHTML``, never a vis
``title``), so a protocol named ``<script>…</script>`` is shown, not run. The page makes
no request: its Content-Security-Policy forbids any.

Determinism: everything is sorted and laid out by arithmetic, nothing depends on the
clock, so one graph gives byte-identical HTML.
"""

from __future__ import annotations

import gc
import html
import json
import math
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from kg.errors import ExportError
from kg.layout import Box, dot_box, label_box, layout, wrap
from kg.model import INSTRUMENT_TYPES, Evidence
from kg.viewdata import ACTION_KINDS, Cite, ViewData, evidence_order, read_view_data

TITLE = "Safeguarding case reviews: which instruments recur across which reviews"
VIS_JS = "lib/vis-9.1.2/vis-network.min.js"
SINGLES_DRAWN = 400  # more instruments of one review only than this: a count on the review
LINKS_DRAWN = 5000  # more links than this: the overview draws nodes, links only for the selection

# Dark enough for 3:1 against the page (4.5:1 in fact), told apart by hue.
TYPE_COLOURS: dict[str, str] = {
    "Protocol": "#C25400",
    "Toolkit": "#0068B5",
    "Policy": "#00805E",
    "Guidance": "#B4357F",
    "Training": "#8F6A00",
    "Campaign": "#1A7F8E",
    "Audit": "#7A5230",
    "System": "#6F42A6",
    "Agreement": "#667300",
    "Review": "#263238",
}
REVIEW_FONT, SHARED_FONT, SINGLE_FONT = 15.0, 14.0, 12.0
REVIEW_WRAP, SHARED_WRAP, SINGLE_WRAP = 210.0, 170.0, 150.0
REVIEW_MARGIN = 8.0


def render_html(graph: nx.MultiDiGraph) -> str:
    """Return the interactive page for ``graph`` as one self-contained HTML string."""
    with _collector_paused():
        payload = page_data(graph)
    return _fill_template(
        {
            "TITLE": html.escape(TITLE),
            "CSS": _template("graph.css"),
            "VIS_JS": _vis_js(),
            "APP_JS": _template("graph.js"),
            "DATA": script_json(payload),
        }
    )


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while the page's data is made.

    Rendering allocates hundreds of thousands of small acyclic objects beside a large graph;
    each full collection would walk the whole graph (half the time at 1,000 reviews).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def write_html(graph: nx.MultiDiGraph, path: Path | str) -> Path:
    """Write ``render_html(graph)`` to ``path`` atomically (a temporary file, then a rename)."""
    target = Path(path)
    text = render_html(graph)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as err:
        raise ExportError(
            f"cannot write the HTML view ({err.strerror or err}); check the folder is writable",
            target,
        ) from err
    return target


def script_json(value: object) -> str:
    """JSON safe to place inside ``<script type="application/json">``: no ``<``, ``>``, ``&``."""
    text = json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


class _Strings:
    """One table of every text, so a sentence quoted for several pairs is written once."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}
        self.items: list[str] = []

    def __call__(self, text: str) -> int:
        found = self.index.get(text)
        if found is None:
            found = self.index[text] = len(self.items)
            self.items.append(text)
        return found


def page_data(graph: nx.MultiDiGraph) -> dict[str, Any]:
    """What the page's script reads (compact: texts once, rows as lists, see graph.js)."""
    view = read_view_data(graph)
    text = _Strings()
    review_index = {r.node: i for i, r in enumerate(view.reviews)}
    inst_index = {row.node: i for i, row in enumerate(view.instruments)}

    def order(reviews: set[str]) -> list[int]:
        return sorted(review_index[r] for r in reviews)

    def source(e: Evidence, review: str) -> int:
        """The document's title; a document without one is named by its review, never by file name."""
        return text(view.documents.get(e.document) or view.reviews[review_index[review]].document)

    def cite(c: Cite, review: str) -> list[Any]:
        e = c.evidence
        return [
            text(e.quote),
            source(e, review),
            c.number,
            e.start,
            e.end,
            c.role == "response",
            text(c.agency),
        ]

    def plain(e: Evidence, review: str) -> list[Any]:
        return [text(e.quote), source(e, review), e.start, e.end]

    reviews = [
        [r.node, r.title, r.case, r.partnership, r.kind, r.date, r.document, list(r.files)]
        for r in view.reviews
    ]
    instruments = [
        [row.node, row.label, row.kind, list(row.alt), order(row.referenced), order(row.commissioned)]
        for row in view.instruments
    ]
    cites = [
        [inst_index[i], review_index[r], [cite(c, r) for c in found]]
        for (r, i), found in sorted(
            view.cites.items(), key=lambda kv: (inst_index[kv[0][1]], review_index[kv[0][0]])
        )
    ]
    commissioned = [
        [
            inst_index[i],
            review_index[r],
            [plain(e, r) for e in sorted(set(found), key=evidence_order)],
        ]
        for (r, i), found in sorted(view.commissioned_evidence.items())
    ]
    actions = [
        [
            inst_index[a.instrument],
            review_index[a.review],
            a.kind,
            a.date,
            [plain(e, a.review) for e in a.evidence],
        ]
        for a in view.actions
    ]
    return {
        "title": TITLE,
        "types": [t for t in INSTRUMENT_TYPES if any(row.kind == t for row in view.instruments)],
        "colours": TYPE_COLOURS,
        "actionKinds": list(ACTION_KINDS),
        "reviews": reviews,
        "instruments": instruments,
        "cites": cites,
        "commissioned": commissioned,
        "actions": actions,
        "strings": text.items,
        "graph": _graph_data(view, review_index, inst_index),
    }


def _graph_data(view: ViewData, review_index: dict[str, int], inst_index: dict[str, int]) -> dict[str, Any]:
    """Positions and wrapped labels of the graph's nodes ("r3" a review, "i7" an instrument)."""
    singles = [row for row in view.instruments if len(row.referenced) == 1]
    collapsed = len(singles) > SINGLES_DRAWN
    boxes: dict[str, Box] = {}
    labels: dict[str, list[str]] = {}
    radius: dict[str, float] = {}
    only: dict[str, int] = {}
    for row in singles:
        home = f"r{review_index[next(iter(row.referenced))]}"
        only[home] = only.get(home, 0) + 1
    for r in view.reviews:
        key = f"r{review_index[r.node]}"
        lines = wrap(r.title, REVIEW_FONT, REVIEW_WRAP)
        if collapsed and only.get(key):
            lines.append(f"+{only[key]} only here")
        labels[key] = lines
        boxes[key] = label_box(lines, REVIEW_FONT, REVIEW_MARGIN)
    own: dict[str, list[str]] = {f"r{i}": [] for i in range(len(view.reviews))}
    shared: list[str] = []
    for row in view.instruments:
        count = len(row.referenced)
        if count == 0 or (count == 1 and collapsed):
            continue
        key = f"i{inst_index[row.node]}"
        size, width = (SHARED_FONT, SHARED_WRAP) if count > 1 else (SINGLE_FONT, SINGLE_WRAP)
        radius[key] = round(min(24.0, 6 + 3 * math.sqrt(count - 1)), 1)
        labels[key] = wrap(row.label, size, width)
        boxes[key] = dot_box(labels[key], size, radius[key])
        if count > 1:
            shared.append(key)
        else:
            own[f"r{review_index[next(iter(row.referenced))]}"].append(key)
    placed = layout([f"r{i}" for i in range(len(view.reviews))], own, shared, boxes)
    nodes = []
    for key in sorted(placed, key=_key_order):
        x, y = placed[key]
        font = REVIEW_FONT if key[0] == "r" else (SHARED_FONT if key in shared else SINGLE_FONT)
        nodes.append([key, x, y, "\n".join(labels[key]), font, radius.get(key, 0)])
    return {"nodes": nodes, "collapsed": collapsed, "only": only, "linksDrawn": LINKS_DRAWN}


def _key_order(key: str) -> tuple[str, int]:
    return (key[0], int(key[1:]))


# --- the page ---------------------------------------------------------------------


@cache
def _template(name: str) -> str:
    return (resources.files("kg") / "templates" / name).read_text(encoding="utf-8")


@cache
def _vis_js() -> str:
    text = (resources.files("pyvis") / VIS_JS).read_text(encoding="utf-8")
    text = re.sub(r"//# sourceMappingURL=\S*", "", text)
    if "</script" in text.lower():  # pragma: no cover - a guard for a future pyvis
        raise ExportError("vis-network's script contains '</script'; it cannot be inlined")
    return text


def _fill_template(values: dict[str, str]) -> str:
    page = _template("graph.html")
    return re.sub(r"@@KG_([A-Z_]+)@@", lambda m: values[m.group(1)], page)
