"""Graphviz in a `dot` subprocess (an in-process binding segfaulted in our tests).

render() turns DOT into svg/png; layout() returns node positions for Plotly.
Both are cached: render by DOT text, layout by graph structure.
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
from backprop.core.graph import Graph, Trace
from backprop.draw.dot import to_dot
from backprop.i18n import DEFAULT_LANG

DOT_TIMEOUT = 10.0  # seconds; a stuck layout must not hold a session forever
FORMATS = ("svg", "png", "dot")


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


def layout(graph: Graph | str, lang: str = DEFAULT_LANG) -> Layout:
    """Graphviz positions for a graph (or layout DOT text), computed once per structure.

    For a Graph the DOT is its values-free text, so new values never re-run layout.
    """
    dot_text = graph if isinstance(graph, str) else to_dot(graph, lang, values=False)
    key = hashlib.sha256(dot_text.encode()).hexdigest()
    cached = _layouts.get(key)
    if cached is None:
        cached = parse_json0(run_dot(dot_text, "json0"))
        _layouts.put(key, cached)
    return cached  # type: ignore[return-value]


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
