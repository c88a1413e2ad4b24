"""Graphviz in a `dot` subprocess (an in-process binding segfaulted in our tests).

render() turns DOT into svg/png; layout() returns node positions for Plotly, from
the one layout DOT (`layout_dot`: structure and box sizes, no values). Both are
cached: render by DOT text, layout by that structure.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from collections import OrderedDict
from dataclasses import dataclass
from threading import Lock

from backprop.core.errors import ProgramError
from backprop.core.graph import Graph, Node, Trace
from backprop.draw.dot import to_dot
from backprop.draw.labels import head, plain
from backprop.i18n import DEFAULT_LANG

DOT_TIMEOUT = 10.0  # seconds; a stuck layout must not hold a session forever
FORMATS = ("svg", "png", "dot")
FONT_PX = 18  # the projector's minimum at scale 1; the stage scales the whole figure
CHAR_PX = 9.6  # average glyph width at FONT_PX, for sizing boxes before layout
LINE_PX = 24  # Plotly's line height at FONT_PX (1.3 em)


class _LRU:
    """A small thread-safe LRU: shared read-only results across sessions."""

    def __init__(self, size: int) -> None:
        self.size, self.data, self.lock = size, OrderedDict(), Lock()

    def get(self, key: str) -> object | None:
        with self.lock:
            if key in self.data:
                self.data.move_to_end(key)
                return self.data[key]
        return None

    def put(self, key: str, value: object) -> None:
        with self.lock:
            self.data[key] = value
            self.data.move_to_end(key)
            while len(self.data) > self.size:
                self.data.popitem(last=False)


_renders = _LRU(128)
_layouts = _LRU(256)


def run_dot(dot_text: str, fmt: str, timeout: float = DOT_TIMEOUT) -> bytes:
    """One `dot -T<fmt>` run. Failures become ProgramError("layout")."""
    exe = shutil.which("dot")
    if exe is None:
        raise ProgramError("no_graphviz")
    try:
        proc = subprocess.run([exe, f"-T{fmt}"], input=dot_text.encode(), capture_output=True,
                              timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        raise ProgramError("layout_timeout", seconds=timeout) from None
    if proc.returncode != 0:
        detail = proc.stderr.decode(errors="replace").strip().splitlines()[:1]
        raise ProgramError("layout", detail=detail[0] if detail else proc.returncode)
    return proc.stdout


def render(obj: Trace | Graph | str, fmt: str = "svg", lang: str = DEFAULT_LANG) -> bytes:
    """SVG/PNG bytes (or DOT text as bytes) of a trace, graph or DOT string."""
    if fmt not in FORMATS:
        raise ProgramError("format", fmt=fmt)
    dot_text = obj if isinstance(obj, str) else to_dot(obj, lang)
    if fmt == "dot":
        return dot_text.encode()
    key = fmt + hashlib.sha256(dot_text.encode()).hexdigest()
    cached = _renders.get(key)
    if cached is None:
        cached = run_dot(dot_text, fmt)
        _renders.put(key, cached)
    return cached  # type: ignore[return-value]


@dataclass(frozen=True)
class Layout:
    """Positions in points (y up, as Graphviz gives them), per node id."""

    width: float
    height: float
    nodes: dict[str, tuple[float, float, float, float]]  # id -> (x, y, w, h)
    edges: tuple[tuple[str, str, tuple[tuple[float, float], ...]], ...]  # spline points


def layout(graph: Graph, lang: str = DEFAULT_LANG) -> Layout:
    """Graphviz positions for a graph, computed once per structure (and language: the
    boxes fit the labels' words). New values never re-run the layout."""
    dot_text = layout_dot(graph, lang)
    key = hashlib.sha256(dot_text.encode()).hexdigest()
    cached = _layouts.get(key)
    if cached is None:
        cached = parse_json0(run_dot(dot_text, "json0"))
        _layouts.put(key, cached)
    return cached  # type: ignore[return-value]


def clear_layouts() -> None:
    """Forget every layout (the bench's cold runs; tests of a failing `dot`)."""
    with _layouts.lock:
        _layouts.data.clear()


def layout_dot(graph: Graph, lang: str = DEFAULT_LANG, rankdir: str = "TB") -> str:
    """Structure-only DOT with fixed box sizes that fit the labels (labels.py).

    Top-down: the figure then stays narrow enough to sit beside the chain-rule panel.
    """
    lines = [f"digraph layout {{ graph [rankdir={rankdir}, nodesep=0.35, ranksep=0.34];",
             '  node [shape=box, fixedsize=true, label=""];']
    for n in graph.nodes:
        w, h = box_size(graph, n, lang)
        lines.append(f"  {n.id} [width={w / 72:.3f}, height={h / 72:.3f}];")
    lines += [f"  {e.src} -> {e.dst};" for e in graph.edges]
    return "\n".join([*lines, "}"]) + "\n"


def _value_chars(n: Node) -> int:
    """Room for `grad 2×2 [0.75, 0.75, 0.75, …]`, from the shape only (structure), so a
    new program with the same structure reuses the layout."""
    v = n.value
    if v is None or not v.shape:
        return 6 + 9  # "grad " + a number of up to 4 significant digits
    items = min(v.numel, 3)
    more = 3 if v.numel > 3 or len(v.shape) > 1 else 0
    prefix = 0 if (len(v.shape) == 1 and v.numel <= 3) else len("×".join(map(str, v.shape))) + 1
    return 5 + prefix + 2 + items * 7 + more


def box_size(g: Graph, n: Node, lang: str) -> tuple[float, float]:
    """One head line (`title · what`, as Plotly gets it) and room for value and grad:
    three text lines in all fit a projector (Plotly spaces 1.3 em)."""
    title, what = head(g, n, lang)
    chars = max(_value_chars(n), len(f"{plain(title)} · {what}"))
    return chars * CHAR_PX + 16, 3 * LINE_PX + 10


def parse_json0(raw: bytes) -> Layout:
    data = json.loads(raw)
    _, _, w, h = (float(v) for v in data["bb"].split(","))
    names = {}
    nodes = {}
    for obj in data.get("objects", []):
        x, y = (float(v) for v in obj["pos"].split(","))
        names[obj["_gvid"]] = obj["name"]
        nodes[obj["name"]] = (x, y, float(obj["width"]) * 72, float(obj["height"]) * 72)
    edges = []
    # by _gvid: the order the DOT text listed them (so edge i is Graph.edges[i])
    for e in sorted(data.get("edges", []), key=lambda e: e["_gvid"]):
        pts = _spline(e.get("pos", ""))
        edges.append((names[e["tail"]], names[e["head"]], pts))
    return Layout(w, h, nodes, tuple(edges))


def _spline(pos: str) -> tuple[tuple[float, float], ...]:
    pts, end = [], None
    for part in pos.split():
        if part.startswith("e,"):
            x, y = part[2:].split(",")
            end = (float(x), float(y))
        elif part.startswith("s,"):
            continue
        else:
            x, y = part.split(",")
            pts.append((float(x), float(y)))
    if end is not None:
        pts.append(end)
    return tuple(pts)
