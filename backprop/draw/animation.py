"""The forward/backward animation as a Plotly figure (a plain dict, no plotly import).

Geometry is sent once: node boxes, edges with arrowheads, at Graphviz's layout
(computed once per graph structure). Each frame carries only what changes: node
fill and border, edge colour and width, label texts, and a caption. Every frame
states all of these in full, so jumping anywhere with the slider is exact.
"""

from __future__ import annotations

from typing import Any

from backprop.core.errors import ProgramError
from backprop.core.fmt import compact
from backprop.core.graph import Graph, Node, Trace
from backprop.draw.labels import node_text, plain
from backprop.draw.layout import FONT_PX, Layout, layout
from backprop.draw.shapes import EDGE_WIDTH, box, edge_traces, midpoint
from backprop.draw.style import EDGE_COLOR, GRAD_COLOR, KINDS
from backprop.i18n import DEFAULT_LANG, t
from backprop.teach.message import say
from backprop.teach.steps import Step, steps
from backprop.teach.umath import node_label

IDLE_FILL, IDLE_BORDER = "#FFFFFF", "#BBBBBB"
ACTIVE_FORWARD = "#F0E442"  # Okabe-Ito yellow
ACTIVE_BACKWARD = "#F5C19E"  # light vermillion
FLOW_WIDTH = 4
CAPTION_PX = 80  # room above the graph for the step caption (up to 4 lines)
SPEEDS = {"0.5×": 1600, "1×": 800, "2×": 400}
LEGEND_PX = 230  # right margin that holds the legend


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
    """The node's label (labels.py) in Plotly's markup: what this step has shown."""
    shown = step is not None and n.id in step.known
    grad = step.grads.get(n.id) if step is not None else None
    lab = node_text(g, n, lang, n.value, grad, digits=3, show_value=shown)
    rows = [f"<b>{plain(lab.title)}</b> · {lab.what}"]  # user names: no Plotly markup
    if lab.value is not None:
        rows.append(lab.value)
    if lab.grad is not None:
        rows.append(f"<span style='color:{GRAD_COLOR}'>{lab.grad}</span>")
    return "<br>".join(rows)


def figure(trace: Trace, lang: str = DEFAULT_LANG, start: int = 0) -> dict[str, Any]:
    """The Plotly figure (dict) with one frame per step; controls run in the browser.

    The figure opens on step `start` (0-based); frames do not depend on it.
    """
    all_steps = steps(trace)
    if len(all_steps) * len(trace.graph.nodes) > MAX_FRAME_CELLS:  # issue 11: output bound
        raise ProgramError("too_many_steps", n=len(all_steps),
                           limit=MAX_FRAME_CELLS // max(len(trace.graph.nodes), 1))
    return _build(trace.graph, [(s, trace.graph) for s in all_steps], lang, start)


# Every frame restyles every node: frames x nodes bounds the figure (~100 bytes each).
MAX_FRAME_CELLS = 100_000


def _build(g: Graph, all_steps: list[tuple[Step, Graph]], lang: str,
           start: int) -> dict[str, Any]:
    lay: Layout = layout(g, lang)
    start = min(max(start, 0), len(all_steps) - 1) if all_steps else 0
    first, g0 = all_steps[start] if all_steps else (None, g)
    n_edges = len(g.edges)
    data: list[dict[str, Any]] = edge_traces(lay, arrow=11)
    for n in g0.nodes:
        x, y, w, h = lay.nodes[n.id]
        xs, ys = box(x, y, w, h)
        data.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "fill": "toself",
                     "hoverinfo": "skip", "showlegend": False, **_node_style(first, n)})
    centers = [lay.nodes[n.id][:2] for n in g0.nodes]
    data.append({"type": "scatter", "mode": "text", "x": [c[0] for c in centers],
                 "y": [c[1] for c in centers],
                 "text": [_label(first, g0, n, lang) for n in g0.nodes],
                 "textfont": {"size": FONT_PX, "color": "#111111"}, "hoverinfo": "skip",
                 "showlegend": False})
    mids = [midpoint(pts) for _, _, pts in lay.edges]
    data.append({"type": "scatter", "mode": "text", "x": [m[0] for m in mids],
                 "y": [m[1] for m in mids], "text": [""] * n_edges,
                 "textfont": {"size": FONT_PX, "color": GRAD_COLOR}, "hoverinfo": "skip",
                 "showlegend": False})
    data.append({"type": "scatter", "mode": "text", "x": [0], "y": [lay.height + CAPTION_PX / 2],
                 "text": [_caption(first, g0, lang) if first else ""], "cliponaxis": False,
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


def _caption(step: Step, g: Graph, lang: str) -> str:
    """Step number, what happens, and (backward) the chain rule's numbers."""
    words = plain(f"{step.index + 1}. {say(step.caption, lang)}").split()
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


def edge_frame(step: Step, g: Graph, blank: str = "", flow_width: float = FLOW_WIDTH
               ) -> tuple[list[dict], list[str]]:
    """Each edge's style in this step (gradient colour where one flows) and its text
    (the gradient it carries, else `blank`): the animation's and the stage's frames."""
    styles, texts = [], []
    for e in g.edges:
        flow = step.flows.get((e.src, e.dst, e.slot))
        color = GRAD_COLOR if flow is not None else EDGE_COLOR
        styles.append({"line": {"color": color,
                                "width": flow_width if flow is not None else EDGE_WIDTH},
                       "marker": {"color": color}})
        texts.append(compact(flow, 2) if flow is not None else blank)
    return styles, texts


def _frame(step: Step, g: Graph, lang: str, below: int, prev: str | None,
           nxt: str | None) -> dict[str, Any]:
    edge_updates, edge_texts = edge_frame(step, g)
    node_updates = [_node_style(step, n) for n in g.nodes]
    labels = {"text": [_label(step, g, n, lang) for n in g.nodes]}
    caption = {"text": [_caption(step, g, lang)]}
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
