"""Render the graph as one self-contained, interactive HTML page.

The first view answers "which instruments recur across reviews": reviews and the
instruments they reference (through their recommendations or the responses to them),
instruments sized by the number of reviews and coloured by type, those in two or more
reviews haloed and always labelled. A toggle shows the full graph (recommendations,
responses, agencies).

pyvis builds the network data (nodes, edges, options); the page template is ours
(``kg/templates/graph.*``), because pyvis 0.3.2's template links CDNs. vis-network's
standalone JavaScript, as shipped with pyvis, is inlined, so the page makes no request
to any host and opens from disk.

Safety: every text from a document travels only inside one ``<script
type="application/json">`` block, with ``<``, ``>``, ``&`` and U+2028/9 escaped, and the
page puts it on screen with ``textContent`` alone (never ``innerHTML``, never a vis
``title``), so a protocol named ``<script>…</script>`` is shown, not run.

Determinism: nodes and edges are sorted, positions are computed here (no physics, no
randomness), and nothing depends on the clock, so one graph gives byte-identical HTML.
"""

from __future__ import annotations

import html
import json
import math
import os
import re
import tempfile
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx
from pyvis.network import Network

from kg.errors import ExportError
from kg.model import AGENCY, INSTRUMENT_TYPES, Evidence

TITLE = "Safeguarding case reviews: instruments that recur across reviews"
VIS_JS = "lib/vis-9.1.2/vis-network.min.js"

REVIEW_CLASSES = ("SeriousCaseReview", "LocalChildSafeguardingPracticeReview", "Review")
RECOMMENDATION_CLASSES = ("Recommendation", "LearningArea")
RESPONSE = "Response"
SHOWN_CLASSES = frozenset((*REVIEW_CLASSES, *RECOMMENDATION_CLASSES, RESPONSE, AGENCY, *INSTRUMENT_TYPES))

# Okabe–Ito based: distinguishable by most colour-blind readers.
TYPE_COLOURS: dict[str, str] = {
    "Protocol": "#D55E00",
    "Toolkit": "#0072B2",
    "Policy": "#009E73",
    "Guidance": "#CC79A7",
    "Training": "#E69F00",
    "Campaign": "#56B4E9",
    "Audit": "#8C564B",
    "System": "#7F3C8D",
    "Agreement": "#999933",
    "Review": "#263238",
    "Recommendation": "#90A4AE",
    "Response": "#B0BEC5",
    "Agency": "#546E7A",
}
TYPE_NAMES: dict[str, str] = {
    "SeriousCaseReview": "Serious case review",
    "LocalChildSafeguardingPracticeReview": "Local child safeguarding practice review",
    "Review": "Review",
    "LearningArea": "Learning area",
}
HALO = "rgba(255, 176, 0, 0.95)"
ID_PREFIX = re.compile(r"^(recommendation|response)/([^/]+)/")


@dataclass
class _Model:
    """What the page needs, read once from the graph."""

    reviews: list[str]
    review_of: dict[str, str]  # recommendation or response → its review
    node_reviews: dict[str, set[str]]  # every shown node → the reviews it appears in
    links: dict[tuple[str, str], list[Evidence]]  # (review, instrument) → evidence
    evidence: dict[str, set[Evidence]] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)  # review → recommendations

    @cached_property
    def review_index(self) -> dict[str, int]:
        return {r: i for i, r in enumerate(self.reviews)}


def render_html(graph: nx.MultiDiGraph) -> str:
    """Return the interactive page for ``graph`` as one self-contained HTML string."""
    model = _read_model(graph)
    net = _build_network(graph, model)
    nodes, edges, _heading, _height, _width, options = net.get_network_data()
    payload = {
        "nodes": nodes,
        "edges": edges,
        "options": json.loads(options),
        "info": _node_info(graph, model),
        "reviews": [[r, _label(graph, r)] for r in model.reviews],
        "colours": TYPE_COLOURS,
        "instrumentTypes": list(INSTRUMENT_TYPES),
    }
    return _fill_template(
        {
            "TITLE": html.escape(TITLE),
            "CSS": _template("graph.css"),
            "VIS_JS": _vis_js(),
            "APP_JS": _template("graph.js"),
            "DATA": script_json(payload),
        }
    )


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


# --- reading the graph ------------------------------------------------------------


def _cls(graph: nx.MultiDiGraph, node: str) -> str:
    return str(graph.nodes[node].get("cls", ""))


def _label(graph: nx.MultiDiGraph, node: str) -> str:
    return str(graph.nodes[node].get("label") or node.rsplit("/", 1)[-1])


def _kind(cls: str) -> str:
    """The legend group of a class: instrument types as they are, reviews as "Review"."""
    if cls in REVIEW_CLASSES:
        return "Review"
    if cls in RECOMMENDATION_CLASSES:
        return "Recommendation"
    return cls


def _read_model(graph: nx.MultiDiGraph) -> _Model:
    shown = sorted(n for n in graph.nodes if _cls(graph, n) in SHOWN_CLASSES)
    reviews = sorted(
        (n for n in shown if _cls(graph, n) in REVIEW_CLASSES), key=lambda r: (_label(graph, r), r)
    )
    review_set = set(reviews)
    review_of: dict[str, str] = {}
    for node in shown:
        if _cls(graph, node) in (*RECOMMENDATION_CLASSES, RESPONSE):
            found = _find_review(graph, node, review_set)
            if found:
                review_of[node] = found
    node_reviews: dict[str, set[str]] = {n: set() for n in shown}
    links: dict[tuple[str, str], list[Evidence]] = defaultdict(list)
    evidence: dict[str, set[Evidence]] = defaultdict(set)
    children: dict[str, list[str]] = defaultdict(list)
    for review in reviews:
        node_reviews[review].add(review)
    for node, review in review_of.items():
        node_reviews[node].add(review)
        if _cls(graph, node) in RECOMMENDATION_CLASSES:
            children[review].append(node)
    for source, target, data in graph.edges(data=True):
        if source not in node_reviews or target not in node_reviews:
            continue
        quotes = tuple(e for e in data.get("evidence", ()) if isinstance(e, Evidence))
        evidence[target].update(quotes)
        review = review_of.get(source, source if source in review_set else None)
        if review is None or _cls(graph, target) in (*REVIEW_CLASSES, *RECOMMENDATION_CLASSES):
            continue
        node_reviews[target].add(review)
        if _cls(graph, target) in INSTRUMENT_TYPES:
            links[(review, target)].extend(quotes)
    return _Model(reviews, review_of, node_reviews, dict(links), dict(evidence), dict(children))


def _find_review(graph: nx.MultiDiGraph, node: str, reviews: set[str]) -> str | None:
    """The review a recommendation or response belongs to: by its edges, else by its id."""
    seen: set[str] = set()
    todo = [node]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        for pred, _, key in sorted(graph.in_edges(current, keys=True)):
            if key == "sg:hasRecommendation" and pred in reviews:
                return str(pred)
        for _, succ, key in sorted(graph.out_edges(current, keys=True)):
            if key in ("sg:respondsTo", "sg:partOf"):
                todo.append(succ)
    match = ID_PREFIX.match(node)
    if match and f"review/{match.group(2)}" in reviews:
        return f"review/{match.group(2)}"
    return None


# --- layout -----------------------------------------------------------------------


def _spiral(count: int, spacing: float) -> list[tuple[float, float]]:
    """Points on an Archimedean spiral, ``spacing`` apart along and across the turns."""
    points = []
    for k in range(count):
        radius = spacing * math.sqrt(k / math.pi)
        angle = math.sqrt(4 * math.pi * k)
        points.append((radius * math.cos(angle), radius * math.sin(angle)))
    return points


def _layout(
    reviews: list[str],
    private: dict[str, list[str]],
    shared: list[tuple[str, list[str]]],
    loose: list[str],
) -> dict[str, tuple[float, float]]:
    """Shared nodes in rings at the centre, reviews on a circle, their own nodes outside.

    ``private[review]`` are the nodes of one review only (in order, kept together along a
    spiral); ``shared`` are (node, its reviews), the most shared nearest the centre, each
    turned towards its reviews; ``loose`` nodes belong to no review and go below.
    """
    pos: dict[str, tuple[float, float]] = {}
    spacing = 42.0
    discs = {r: spacing * math.sqrt(len(private.get(r, ())) / math.pi) + spacing for r in reviews}
    widths = {r: 2 * discs[r] + 70 for r in reviews}
    circumference = sum(widths.values())
    angles: dict[str, float] = {}
    angle = -math.pi / 2
    for review in reviews:
        share = widths[review] / circumference * 2 * math.pi
        angles[review] = angle + share / 2 if len(reviews) > 1 else -math.pi / 2
        angle += share
    radius = _place_shared(shared, angles, pos)
    ring_radius = max(radius + 60, circumference / (2 * math.pi), 240.0)
    for review in reviews:
        mid = angles[review]
        pos[review] = (ring_radius * math.cos(mid), ring_radius * math.sin(mid))
        out = ring_radius + discs[review] + 20
        cx, cy = out * math.cos(mid), out * math.sin(mid)
        own = private.get(review, [])
        for node, (dx, dy) in zip(own, _spiral(len(own), spacing), strict=True):
            pos[node] = (cx + dx, cy + dy)
    bottom = max((y for _, y in pos.values()), default=0.0) + 200
    for node, (dx, dy) in zip(loose, _spiral(len(loose), spacing), strict=True):
        pos[node] = (dx, bottom + spacing * math.sqrt(len(loose) / math.pi) + dy)
    return {n: (round(x, 1), round(y, 1)) for n, (x, y) in pos.items()}


def _place_shared(
    shared: list[tuple[str, list[str]]],
    angles: dict[str, float],
    pos: dict[str, tuple[float, float]],
) -> float:
    """Fill rings from the centre; in a ring, each node as near its reviews' side as fits.

    Returns the radius just outside the last ring.
    """
    ring_gap, along = 150.0, 240.0
    radius, placed = 0.0, 0
    while placed < len(shared):
        capacity = 1 if radius == 0 else max(1, int(2 * math.pi * radius / along))
        batch = shared[placed : placed + capacity]
        placed += len(batch)
        if radius == 0:
            pos[batch[0][0]] = (0.0, 0.0)
            radius += ring_gap + 40
            continue
        wants = sorted((_mean_angle([angles[r] for r in rs]), node) for node, rs in batch)
        for (_, node), theta in zip(wants, _spread([w for w, _ in wants], along / radius), strict=True):
            pos[node] = (radius * math.cos(theta), radius * math.sin(theta))
        radius += ring_gap
    return radius


def _spread(wanted: list[float], gap: float) -> list[float]:
    """Angles as near ``wanted`` (sorted) as keeps neighbours ``gap`` radians apart."""
    if len(wanted) < 2:
        return list(wanted)
    gap = min(gap, 2 * math.pi / len(wanted))
    out = list(wanted)
    for _ in range(60):
        moved = False
        for i in range(len(out)):
            j = (i + 1) % len(out)
            ahead = (out[j] - out[i]) % (2 * math.pi)
            if ahead < gap - 1e-6:
                push = (gap - ahead) / 2
                out[i] -= push
                out[j] += push
                moved = True
        if not moved:
            break
    return out


def _mean_angle(values: list[float]) -> float:
    x = sum(math.cos(v) for v in values)
    y = sum(math.sin(v) for v in values)
    return math.atan2(y, x) if abs(x) + abs(y) > 1e-9 else -math.pi / 2


def _positions(graph: nx.MultiDiGraph, model: _Model, full: bool) -> dict[str, tuple[float, float]]:
    """Positions for the overview (reviews and instruments) or the full graph."""
    private: dict[str, list[str]] = defaultdict(list)
    shared: list[tuple[str, list[str]]] = []
    loose: list[str] = []
    if full:
        for review in model.reviews:
            for rec in sorted(model.children.get(review, ()), key=_natural):
                private[review].append(rec)
                responders = sorted(p for p, _, k in graph.in_edges(rec, keys=True) if k == "sg:respondsTo")
                private[review].extend(r for r in responders if r not in private[review])
        for node, review in sorted(model.review_of.items()):
            if node not in private[review]:
                private[review].append(node)
    kinds = (*INSTRUMENT_TYPES, AGENCY) if full else INSTRUMENT_TYPES
    index = model.review_index
    for node in sorted(n for n in model.node_reviews if _cls(graph, n) in kinds):
        found = sorted(model.node_reviews[node], key=index.__getitem__)
        if len(found) >= 2:
            shared.append((node, found))
        elif found:
            private[found[0]].append(node)
        else:
            loose.append(node)
    shared.sort(key=lambda item: (-len(item[1]), _label(graph, item[0]), item[0]))
    return _layout(model.reviews, private, shared, loose)


def _natural(text: str) -> list[Any]:
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", text)]


# --- the network ------------------------------------------------------------------


def _build_network(graph: nx.MultiDiGraph, model: _Model) -> Any:
    overview = _positions(graph, model, full=False)
    full = _positions(graph, model, full=True)
    net = Network(directed=True, height="100%", width="100%")
    for node in sorted(model.node_reviews):
        net.add_node(node, **_node_style(graph, model, node, overview, full))
    count = 0
    for (review, target), found in sorted(model.links.items()):
        colour = TYPE_COLOURS.get(_cls(graph, target), "#888888")
        shared = len(model.node_reviews[target]) >= 2
        width = (2.0 if shared else 1.0) + math.log2(len({(e.document, e.start) for e in found}) or 1)
        net.add_edge(
            review,
            target,
            id=f"e{count}",
            tier=0,
            width=round(width, 2),
            color={"color": colour, "opacity": 0.85 if shared else 0.4},
            arrows="",
        )
        count += 1
    pairs = sorted({(u, v) for u, v in graph.edges() if u in full and v in full and u != v})
    for source, target in pairs:
        net.add_edge(
            source,
            target,
            id=f"e{count}",
            tier=1,
            width=1,
            color={"color": "#9AA5AD", "opacity": 0.7},
            arrows={"to": {"enabled": True, "scaleFactor": 0.4}},
        )
        count += 1
    net.options = {
        "autoResize": True,
        "physics": {"enabled": False},
        "layout": {"improvedLayout": False, "randomSeed": 1},
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": True,
            "hideEdgesOnZoom": len(pairs) > 3000,
            "navigationButtons": False,
            "keyboard": False,
            "multiselect": False,
        },
        "edges": {"smooth": False, "selectionWidth": 2, "hoverWidth": 0},
        "nodes": {
            "font": {"face": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif"},
            "scaling": {"label": {"drawThreshold": 7}},
        },
    }
    return net


def _node_style(
    graph: nx.MultiDiGraph,
    model: _Model,
    node: str,
    overview: dict[str, tuple[float, float]],
    full: dict[str, tuple[float, float]],
) -> dict[str, Any]:
    cls = _cls(graph, node)
    kind = _kind(cls)
    label = _label(graph, node)
    in_overview = node in overview
    x, y = overview[node] if in_overview else full[node]
    fx, fy = full[node]
    style: dict[str, Any] = {
        "x": x,
        "y": y,
        "fx": fx,
        "fy": fy,
        "kind": kind,
        "cls": cls,
        "tier": 0 if in_overview else 1,
        "hidden": not in_overview,
        "reviews": sorted(model.review_index[r] for r in model.node_reviews[node]),
        "color": TYPE_COLOURS.get(kind, "#888888"),
    }
    count = len(model.node_reviews[node])
    if kind == "Review":
        style.update(
            shape="box",
            margin=10,
            font={"color": "#ffffff", "size": 26},
            widthConstraint={"maximum": 220},
            borderWidth=0,
            scaling={"label": {"enabled": False, "drawThreshold": 1}},
        )
    elif cls in INSTRUMENT_TYPES:
        recurring = count >= 2
        style.update(
            shape="dot",
            size=round(8 + 11 * math.sqrt(max(0, count - 1)), 1),
            recurring=recurring,
            borderWidth=3 if recurring else 1,
            color={
                "background": style["color"],
                "border": "#1B1B1B" if recurring else "#FFFFFF",
                "highlight": {"background": style["color"], "border": "#000000"},
                "hover": {"background": style["color"], "border": "#000000"},
            },
            font={
                "size": 24 if recurring else 12,
                "color": "#0D1B24" if recurring else "#455A64",
                "strokeWidth": 5 if recurring else 3,
                "strokeColor": "#ffffff",
            },
            widthConstraint={"maximum": 220 if recurring else 170},
        )
        if recurring:
            style["shadow"] = {"enabled": True, "color": HALO, "size": 22, "x": 0, "y": 0}
            style["scaling"] = {"label": {"enabled": False, "drawThreshold": 1}}
    elif kind == AGENCY:
        style.update(shape="diamond", size=11, font={"size": 12, "color": "#37474F"})
    else:
        style.update(
            shape="dot",
            size=6 if kind == RESPONSE else 8,
            font={"size": 10, "color": "#455A64"},
            scaling={"label": {"drawThreshold": 9}},
        )
    style["label"] = label
    return style


def _node_info(graph: nx.MultiDiGraph, model: _Model) -> dict[str, Any]:
    """Text for hover and the side panel: type, alternative names, literals, evidence."""
    info: dict[str, Any] = {}
    for node in sorted(model.node_reviews):
        attrs = graph.nodes[node]
        cls = _cls(graph, node)
        entry: dict[str, Any] = {"type": TYPE_NAMES.get(cls, cls)}
        alt = sorted({str(a) for a in attrs.get("alt_labels", ())} - {_label(graph, node)})
        if alt:
            entry["alt"] = alt
        facts = _literals(attrs.get("literals", ()))
        if facts:
            entry["facts"] = facts
        found = sorted(model.evidence.get(node, ()), key=lambda e: (e.document, e.start, e.end))
        if found:
            entry["evidence"] = [[e.quote, e.document, e.start, e.end] for e in found]
        if node in model.children:
            entry["recommendations"] = sorted(model.children[node], key=_natural)
        info[node] = entry
    return info


def _literals(literals: Iterable[Any]) -> list[list[str]]:
    facts = []
    for item in literals:
        if isinstance(item, tuple | list) and len(item) >= 2:
            name = str(item[0]).split(":", 1)[-1]
            facts.append([re.sub(r"(?<!^)(?=[A-Z])", " ", name).lower(), str(item[1])])
    return sorted(facts)


# --- the page ---------------------------------------------------------------------


def _template(name: str) -> str:
    return (resources.files("kg") / "templates" / name).read_text(encoding="utf-8")


def _vis_js() -> str:
    text = (resources.files("pyvis") / VIS_JS).read_text(encoding="utf-8")
    text = re.sub(r"//# sourceMappingURL=\S*", "", text)
    if "</script" in text.lower():  # pragma: no cover - a guard for a future pyvis
        raise ExportError("vis-network's script contains '</script'; it cannot be inlined")
    return text


def _fill_template(values: dict[str, str]) -> str:
    page = _template("graph.html")
    return re.sub(r"@@KG_([A-Z_]+)@@", lambda m: values[m.group(1)], page)
