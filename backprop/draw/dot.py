"""to_dot: a Trace or Graph as Graphviz DOT text (deterministic: same graph, same text)."""

from __future__ import annotations

from html import escape as _html_escape

from backprop.core.fmt import compact
from backprop.core.graph import Graph, Node, Trace
from backprop.draw.style import EDGE_COLOR, FONT, GRAD_COLOR, KINDS
from backprop.i18n import DEFAULT_LANG, digits, t
from backprop.teach.ops import friendly

MAX_LR_RANKS = 5  # deeper graphs are laid out top-down so they fit a screen's width

_CONTROL = {c: " " for c in [*range(0x20), 0x7F, 0x2028, 0x2029]}


def escape(text: str) -> str:
    """HTML-like label text: entities for < > & ", and control characters (which
    Graphviz's XML parser rejects, failing the whole drawing) as spaces."""
    return _html_escape(text.translate(_CONTROL))


def depth(graph: Graph) -> int:
    """Nodes on the longest input -> output path (nodes are in topological order)."""
    level: dict[str, int] = {}
    for e in sorted(graph.edges, key=lambda e: int(e.dst[1:])):
        level[e.dst] = max(level.get(e.dst, 1), level.get(e.src, 1) + 1)
    return max(level.values(), default=1)


def to_dot(obj: Trace | Graph, lang: str = DEFAULT_LANG, rankdir: str = "auto",
           values: bool = True, labels: dict[str, str] | None = None,
           clusters: dict[str, str] | None = None, native_digits: bool = False) -> str:
    """DOT text of the autograd graph, edges in data-flow direction (inputs -> output).

    `rankdir="auto"` draws short graphs left-to-right and deep ones top-down.
    `values=False` leaves numbers out: the text then depends on structure only.
    `labels` replaces the label of some nodes (HTML-like); `clusters` draws nodes that
    share a key inside one box (Model Anatomy groups nodes by module this way).
    """
    graph = obj.graph if isinstance(obj, Trace) else obj
    if rankdir == "auto":
        rankdir = "LR" if depth(graph) <= MAX_LR_RANKS else "TB"
    lines = [
        "digraph autograd {",
        f'  graph [rankdir={rankdir}, nodesep=0.3, ranksep=0.45, bgcolor="transparent", '
        f'fontname="{FONT}"];',
        f'  node [fontname="{FONT}", fontsize=14, margin="0.12,0.06", penwidth=1.2];',
        f'  edge [color="{EDGE_COLOR}", arrowsize=0.7, penwidth=1.2];',
    ]
    boxes: dict[str, list[str]] = {}
    for n in graph.nodes:
        k = KINDS[n.kind]
        text = (labels or {}).get(n.id) or label(n, lang, values, native_digits)
        line = (f'  "{n.id}" [shape={k.shape}, style="{k.style}", fillcolor="{k.fill}", '
                f'color="{k.border}", label=<{text}>];')
        key = (clusters or {}).get(n.id)
        if key:
            boxes.setdefault(key, []).append(line)
        else:
            lines.append(line)
    for i, (key, members) in enumerate(boxes.items()):
        lines.append(f'  subgraph cluster_{i} {{ label=<{escape(key)}>; style="rounded,dashed"; '
                     'color="#999999"; fontsize=12;')
        lines += ["  " + m for m in members]
        lines.append("  }")
    for e in graph.edges:
        lines.append(f'  "{e.src}" -> "{e.dst}";')
    lines.append("}")
    return "\n".join(lines) + "\n"


def label(n: Node, lang: str, values: bool = True, native_digits: bool = False) -> str:
    """HTML-like label: name, op (autograd's name and ours), value, gradient."""
    def num(v: object) -> str:  # Bengali digits for the numbers only, never for names
        return escape(digits(compact(v, lang=lang), lang, native_digits))
    rows = []
    if n.name:
        rows.append(f"<B>{escape(n.name)}</B>")
    # One text run per line: the in-browser Graphviz places runs by its own width
    # estimate, so mixing fonts within a line leaves gaps.
    if n.op:
        rows.append(escape(f"{n.op} · {friendly(n.op, lang)}"))
    elif n.kind == "leaf" and not n.name:
        rows.append(escape(t("node.leaf", lang)))
    if values:
        rows.append(f'{escape(t("node.value", lang))} {num(n.value)}')
        if n.grad is not None:
            rows.append(f'<FONT COLOR="{GRAD_COLOR}">{escape(t("node.grad", lang))} '
                        f"{num(n.grad)}</FONT>")
    return "<BR/>".join(rows)
