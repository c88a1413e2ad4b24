"""The forward/backward animation as a Plotly figure (a plain dict, no plotly import).

Geometry is sent once: node boxes, edges with arrowheads, at Graphviz's layout
(computed once per graph structure). Each frame carries only what changes: node
fill and border, edge colour and width, label texts, and a caption. Every frame
states all of these in full, so jumping anywhere with the slider is exact.
"""

from __future__ import annotations

import math
from html import escape
from typing import Any

from backprop.core.errors import ProgramError
from backprop.core.fmt import compact
from backprop.core.graph import Graph, Node, Trace
from backprop.draw.layout import Layout, layout
from backprop.draw.style import EDGE_COLOR, GRAD_COLOR, KINDS
from backprop.i18n import DEFAULT_LANG, t
from backprop.teach.ops import friendly
from backprop.teach.steps import Step, steps
from backprop.teach.umath import node_label

FONT_PX = 18  # the projector's minimum at scale 1; the stage scales the whole figure
CHAR_PX = 9.6  # average glyph width at FONT_PX, for sizing boxes before layout
LINE_PX = 24  # Plotly's line height at FONT_PX (1.3 em)
IDLE_FILL, IDLE_BORDER = "#FFFFFF", "#BBBBBB"
ACTIVE_FORWARD = "#F0E442"  # Okabe-Ito yellow
ACTIVE_BACKWARD = "#F5C19E"  # light vermillion
FLOW_WIDTH, EDGE_WIDTH = 4, 1.4
CAPTION_PX = 80  # room above the graph for the step caption (up to 4 lines)
SPEEDS = {"0.5×": 1600, "1×": 800, "2×": 400}
LEGEND_PX = 230  # right margin that holds the legend


def plain(text: str) -> str:
    """User text (names, source segments) as Plotly text: its `<b>`/`<a href>` subset
    of HTML must not apply to it, so < > & become entities (issue 11)."""
    return escape(text, quote=False)


def _head(g: Graph, n: Node, lang: str) -> tuple[str, str]:
    """(name, what it is): `y × y` (never a bare id) and `MulBackward0 · multiply`."""
    what = f"{n.op} · {friendly(n.op, lang)}" if n.op else t("node.leaf", lang)
    return plain(node_label(g, n.id)), what  # user names: no Plotly markup


def _lines(g: Graph, n: Node, lang: str) -> list[str]:
    """One head line: three text lines in all fit a projector (Plotly spaces 1.3 em)."""
    return [" · ".join(_head(g, n, lang))]


def edge_traces(lay: Layout, arrow: int) -> list[dict[str, Any]]:
    """One line trace per edge along Graphviz's spline, an arrowhead at its tip
    (geometry, sent once; frames restyle colour and width)."""
    traces = []
    for _, _, pts in lay.edges:
        xs, ys = _bezier(pts) if pts else ([], [])
        traces.append({"type": "scatter", "mode": "lines+markers", "x": xs, "y": ys,
                       "hoverinfo": "skip", "showlegend": False,
                       "line": {"color": EDGE_COLOR, "width": EDGE_WIDTH},
                       "marker": {"symbol": "arrow", "angleref": "previous",
                                  "color": EDGE_COLOR,
                                  "size": [0] * (len(xs) - 1) + [arrow]}})
    return traces


def layout_dot(graph: Graph, lang: str = DEFAULT_LANG, rankdir: str = "TB") -> str:
    """Structure-only DOT with fixed box sizes that fit the animation's labels.

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
    text = _lines(g, n, lang)
    chars = max([_value_chars(n), *(len(x) for x in text)])
    return chars * CHAR_PX + 16, (len(text) + 2) * LINE_PX + 10


def _box(x: float, y: float, w: float, h: float, r: float = 8) -> tuple[list, list]:
    """A rounded rectangle as a closed polygon (corners in 4 segments)."""
    xs, ys = [], []
    corners = [(x + w / 2 - r, y + h / 2 - r, 0), (x - w / 2 + r, y + h / 2 - r, 90),
               (x - w / 2 + r, y - h / 2 + r, 180), (x + w / 2 - r, y - h / 2 + r, 270)]
    for cx, cy, start in corners:
        for k in range(5):
            a = math.radians(start + k * 22.5)
            xs.append(round(cx + r * math.cos(a), 1))
            ys.append(round(cy + r * math.sin(a), 1))
    return [*xs, xs[0]], [*ys, ys[0]]


def _bezier(pts: tuple[tuple[float, float], ...]) -> tuple[list, list]:
    """Sample Graphviz's cubic B-spline control points; the last point is the tip."""
    tip = pts[-1]
    ctrl = pts[:-1]
    xs, ys = [], []
    for i in range(0, len(ctrl) - 3, 3):
        p0, p1, p2, p3 = ctrl[i:i + 4]
        for k in range(0 if i == 0 else 1, 5):
            u = k / 4
            a, b, c, d = (1 - u) ** 3, 3 * u * (1 - u) ** 2, 3 * u * u * (1 - u), u ** 3
            xs.append(round(a * p0[0] + b * p1[0] + c * p2[0] + d * p3[0], 1))
            ys.append(round(a * p0[1] + b * p1[1] + c * p2[1] + d * p3[1], 1))
    xs.append(round(tip[0], 1))
    ys.append(round(tip[1], 1))
    return xs, ys


def _node_style(step: Step | None, n: Node) -> dict[str, Any]:
    kind = KINDS[n.kind]
    if step is None or n.id not in step.known:
        fill, border, width = IDLE_FILL, IDLE_BORDER, 1
    else:
        fill, border, width = kind.fill, kind.border, 1.5
    if step is not None and step.node == n.id and step.phase != "train":
        fill = ACTIVE_FORWARD if step.phase == "forward" else ACTIVE_BACKWARD
        border, width = ("#000000", 3) if step.phase == "forward" else (GRAD_COLOR, 3)
    return {"fillcolor": fill, "line": {"color": border, "width": width}}


def _label(step: Step | None, g: Graph, n: Node, lang: str) -> str:
    name, what = _head(g, n, lang)
    rows = [f"<b>{name}</b> · {what}"]
    if step is not None and n.id in step.known:
        rows.append(f"{t('node.value', lang)} {compact(n.value, 3)}")
    if step is not None and n.id in step.grads:
        rows.append(f"<span style='color:{GRAD_COLOR}'>{t('node.grad', lang)} "
                    f"{compact(step.grads[n.id], 3)}</span>")
    return "<br>".join(rows)


def figure(trace: Trace, lang: str = DEFAULT_LANG, start: int = 0) -> dict[str, Any]:
    """The Plotly figure (dict) with one frame per step; controls run in the browser.

    The figure opens on step `start` (0-based); frames do not depend on it.
    """
    all_steps = steps(trace, lang)
    if len(all_steps) * len(trace.graph.nodes) > MAX_FRAME_CELLS:  # issue 11: output bound
        raise ProgramError("too_many_steps", n=len(all_steps),
                           limit=MAX_FRAME_CELLS // max(len(trace.graph.nodes), 1))
    return _build(trace.graph, [(s, trace.graph) for s in all_steps], lang, start)


# Every frame restyles every node: frames x nodes bounds the figure (~100 bytes each).
MAX_FRAME_CELLS = 100_000


def _build(g: Graph, all_steps: list[tuple[Step, Graph]], lang: str,
           start: int) -> dict[str, Any]:
    lay: Layout = layout(layout_dot(g, lang))
    start = min(max(start, 0), len(all_steps) - 1) if all_steps else 0
    first, g0 = all_steps[start] if all_steps else (None, g)
    n_edges = len(g.edges)
    data: list[dict[str, Any]] = edge_traces(lay, arrow=11)
    for n in g0.nodes:
        x, y, w, h = lay.nodes[n.id]
        xs, ys = _box(x, y, w, h)
        data.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "fill": "toself",
                     "hoverinfo": "skip", "showlegend": False, **_node_style(first, n)})
    centers = [lay.nodes[n.id][:2] for n in g0.nodes]
    data.append({"type": "scatter", "mode": "text", "x": [c[0] for c in centers],
                 "y": [c[1] for c in centers],
                 "text": [_label(first, g0, n, lang) for n in g0.nodes],
                 "textfont": {"size": FONT_PX, "color": "#111111"}, "hoverinfo": "skip",
                 "showlegend": False})
    mids = [_midpoint(pts) for _, _, pts in lay.edges]
    data.append({"type": "scatter", "mode": "text", "x": [m[0] for m in mids],
                 "y": [m[1] for m in mids], "text": [""] * n_edges,
                 "textfont": {"size": FONT_PX, "color": GRAD_COLOR}, "hoverinfo": "skip",
                 "showlegend": False})
    data.append({"type": "scatter", "mode": "text", "x": [0], "y": [lay.height + CAPTION_PX / 2],
                 "text": [_caption(first, g0) if first else ""], "cliponaxis": False,
                 "textposition": "middle right",
                 "textfont": {"size": FONT_PX + 1, "color": "#111111"}, "hoverinfo": "skip",
                 "showlegend": False})
    data += _legend(lang)
    width = max(lay.width, 560) + 40
    height = lay.height + CAPTION_PX + 40
    only = [s for s, _ in all_steps]
    fig_layout = _layout(only, lang, width, height, start)
    below = fig_layout["updatemenus"][1]["pad"]["t"]
    names = [s.name for s in only]
    frames = [_frame(s, gk, lang, below, names[i - 1] if i else None,
                     names[i + 1] if i + 1 < len(names) else None)
              for i, (s, gk) in enumerate(all_steps)]
    return {"data": data, "frames": frames, "layout": fig_layout}


CAPTION_CHARS = 64  # wrap the caption so it stays inside a narrow figure


def _caption(step: Step, g: Graph) -> str:
    """Step number, what happens, and (backward) the chain rule's numbers."""
    words = plain(f"{step.index + 1}. {step.caption}").split()
    lines, line = [], ""
    for w in words:
        if line and len(line) + len(w) + 1 > CAPTION_CHARS:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}".strip()
    lines.append(line)
    for term in step.terms[:2]:
        if term.sent is not None and term.local is not None:
            src = plain(node_label(g, term.src))
            lines.append(f"→ {src}: {compact(step.grads.get(step.node), 1)} × "
                         f"{compact(term.local, 1)} = {compact(term.sent, 1)}")
    return "<br>".join(lines[:4])


def _midpoint(pts: tuple[tuple[float, float], ...]) -> tuple[float, float]:
    if not pts:
        return (0.0, 0.0)
    x, y = pts[len(pts) // 2]
    return (round(x, 1), round(y, 1))


def _frame(step: Step, g: Graph, lang: str, below: int, prev: str | None,
           nxt: str | None) -> dict[str, Any]:
    edge_updates = []
    edge_texts = []
    for e in g.edges:
        flow = step.flows.get((e.src, e.dst, e.slot))
        color = GRAD_COLOR if flow is not None else EDGE_COLOR
        edge_updates.append({"line": {"color": color,
                                      "width": FLOW_WIDTH if flow is not None else EDGE_WIDTH},
                             "marker": {"color": color}})
        edge_texts.append(compact(flow, 2) if flow is not None else "")
    node_updates = [_node_style(step, n) for n in g.nodes]
    labels = {"text": [_label(step, g, n, lang) for n in g.nodes]}
    caption = {"text": [_caption(step, g)]}
    n_e, n_n = len(g.edges), len(g.nodes)
    return {"name": step.name,
            "data": [*edge_updates, *node_updates, labels, {"text": edge_texts}, caption],
            "traces": list(range(n_e + n_n + 3)),
            # the ◀ ▶ buttons are re-aimed at this frame's neighbours
            "layout": {"updatemenus": [{},  # {}: the Play menu stays as it is
                                       _step_menu(prev, nxt, lang, below)]}}


def _step_menu(prev: str | None, nxt: str | None, lang: str, below: int) -> dict[str, Any]:
    buttons = [{"label": f"◀ {t('anim.back', lang)}", "method": "animate",
                "args": [[prev] if prev else [], _animate_args(0)]},
               {"label": f"{t('anim.next', lang)} ▶", "method": "animate",
                "args": [[nxt] if nxt else [], _animate_args(0)]}]
    return {"type": "buttons", "direction": "left", "showactive": False, "x": 1,
            "xanchor": "right", "y": 0, "yanchor": "top", "pad": {"t": below},
            "buttons": buttons}


def _legend(lang: str) -> list[dict[str, Any]]:
    items = [(KINDS["leaf"].fill, KINDS["leaf"].border, t("kind.leaf", lang)),
             (KINDS["op"].fill, KINDS["op"].border, t("kind.op", lang)),
             (KINDS["output"].fill, KINDS["output"].border, t("kind.output", lang)),
             (ACTIVE_FORWARD, "#000000", t("anim.legend_forward", lang)),
             (ACTIVE_BACKWARD, GRAD_COLOR, t("anim.legend_backward", lang))]
    return [{"type": "scatter", "mode": "markers", "x": [None], "y": [None], "name": name,
             "marker": {"symbol": "square", "size": 14, "color": fill,
                        "line": {"color": border, "width": 2}}, "hoverinfo": "skip"}
            for fill, border, name in items]


def _animate_args(duration: int) -> dict[str, Any]:
    return {"frame": {"duration": duration, "redraw": True}, "fromcurrent": True,
            "mode": "immediate", "transition": {"duration": 0}}


def _layout(all_steps: list[Step], lang: str, width: float, height: float,
            start: int) -> dict[str, Any]:
    play = [{"label": f"▶ {t('anim.play', lang)} {speed}", "method": "animate",
             "args": [None, _animate_args(ms)]} for speed, ms in SPEEDS.items()]
    pause = {"label": f"❚❚ {t('anim.pause', lang)}", "method": "animate",
             "args": [[None], {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
                               "transition": {"duration": 0}}]}
    slider_steps = [{"label": str(s.index + 1), "method": "animate",
                     "args": [[s.name], _animate_args(0)]} for s in all_steps]
    below = 12  # px between the plot and the buttons
    names = [s.name for s in all_steps]
    prev = names[start - 1] if start > 0 else None
    nxt = names[start + 1] if start + 1 < len(names) else None
    return {
        "width": width + LEGEND_PX + 30, "height": height + below + 140,
        "margin": {"l": 20, "r": LEGEND_PX, "t": 10, "b": 10},
        "xaxis": {"visible": False, "range": [-10, width - 30], "fixedrange": True},
        "yaxis": {"visible": False, "range": [-10, height - 30], "scaleanchor": "x",
                  "fixedrange": True},
        "plot_bgcolor": "#FFFFFF", "paper_bgcolor": "#FFFFFF",
        "font": {"family": "Noto Sans, Noto Sans Bengali, Arial, sans-serif"},
        # legend on the right; below the plot (in pixels): the buttons, then the slider
        "legend": {"orientation": "v", "x": 1.01, "xanchor": "left", "y": 1, "yanchor": "top"},
        "updatemenus": [{"type": "buttons", "direction": "left", "showactive": False,
                         "x": 0, "y": 0, "xanchor": "left", "yanchor": "top",
                         "pad": {"t": below, "r": 4}, "buttons": [*play, pause]},
                        _step_menu(prev, nxt, lang, below)],
        "sliders": [{"active": start, "steps": slider_steps, "x": 0, "y": 0, "yanchor": "top",
                     "len": 1.0, "pad": {"t": below + 46},
                     "currentvalue": {"prefix": t("anim.step", lang) + " "},
                     "transition": {"duration": 0}}],
    }
