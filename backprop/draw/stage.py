"""The stage: a trace as one episode the browser plays (a Plotly figure with frames).

Unlike `animation.figure` (Plotly's own buttons, for plain Plotly viewers), the
stage figure is the graph alone: the player (draw/assets/stage.js) draws Play/Pause, the
scrubber and the explanation panel in HTML, so text and controls scale with the
screen. Frame 0 is the final state (every value and gradient, what a static graph
shows); then the forward steps, then the backward steps. Each frame carries its
explanation (`explain`, plain text) so the panel follows playback by construction.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from backprop.core.graph import Graph, Trace
from backprop.draw.animation import _label, _node_style, edge_frame
from backprop.draw.layout import FONT_PX, layout
from backprop.draw.shapes import box, edge_traces, midpoint
from backprop.draw.style import GRAD_COLOR, KINDS
from backprop.i18n import DEFAULT_LANG, t
from backprop.teach.stage_text import overview_text, step_text
from backprop.teach.steps import Step, steps

FLOW_WIDTH = 5
PAD = 12  # px around the graph


def stage_figure(trace: Trace, lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """The episode of a trace: frame 0 the final state, then forward, then backward."""
    g = trace.graph
    all_steps = steps(trace)
    n = len(all_steps)
    if not all_steps:
        return {"data": [], "frames": [], "layout": {}, "meta": {"steps": 0}}
    last = all_steps[-1]
    overview = replace(last, node="", flows={}, terms=())  # no node lit, every number shown
    lay = layout(g, lang)
    data: list[dict[str, Any]] = edge_traces(lay, arrow=13)
    for node in g.nodes:
        x, y, w, h = lay.nodes[node.id]
        xs, ys = box(x, y, w, h)
        data.append({"type": "scatter", "mode": "lines", "x": xs, "y": ys, "fill": "toself",
                     "hoverinfo": "skip", "showlegend": False,
                     **_node_style(overview, node)})
    # One text trace: node labels, then the gradients on the edges (a text trace whose
    # texts are mostly empty is not redrawn reliably by Plotly.react, so share one).
    centers = [lay.nodes[node.id][:2] for node in g.nodes]
    sides = _edge_text_sides(g)
    # a few px beside the edge line (Plotly also skips a text point that sits exactly
    # on the column of the node labels, and redraws only texts that were never empty)
    mids = [(m[0] + (-4 if side == "middle left" else 4), m[1])
            for m, side in zip([midpoint(pts) for _, _, pts in lay.edges], sides, strict=True)]
    n_n, n_e = len(g.nodes), len(g.edges)
    data.append({"type": "scatter", "mode": "text", "x": [p[0] for p in centers + mids],
                 "y": [p[1] for p in centers + mids],
                 "text": [_label(overview, g, node, lang) for node in g.nodes] + [" "] * n_e,
                 "textposition": ["middle center"] * n_n + sides,
                 "textfont": {"size": [FONT_PX] * n_n + [FONT_PX - 2] * n_e,
                              "color": ["#111111"] * n_n + [GRAD_COLOR] * n_e},
                 "cliponaxis": False, "hoverinfo": "skip", "showlegend": False})
    frames = [_frame("overview", overview, g, lang, overview_text(trace, n, lang))]
    frames += [_frame(s.name, s, g, lang, step_text(trace, s, n, lang)) for s in all_steps]
    width, height = lay.width + 2 * PAD, lay.height + 2 * PAD
    fig_layout = {
        "width": width, "height": height, "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "xaxis": {"visible": False, "range": [-PAD, lay.width + PAD], "fixedrange": True},
        "yaxis": {"visible": False, "range": [-PAD, lay.height + PAD], "fixedrange": True},
        "plot_bgcolor": "#FFFFFF", "paper_bgcolor": "#FFFFFF", "showlegend": False,
        "font": {"family": "Noto Sans, Noto Sans Bengali, Arial, sans-serif",
                 "size": FONT_PX}}
    return {"data": data, "frames": frames, "layout": fig_layout,
            "meta": {"steps": n, "forward": sum(s.phase == "forward" for s in all_steps),
                     "font_px": FONT_PX}}


def _edge_text_sides(g: Graph) -> list[str]:
    """Parallel edges (`y * y`: two edges y -> mul) put their numbers on opposite
    sides, so the two gradients are never drawn on top of each other."""
    seen: dict[tuple[str, str], int] = {}
    sides = []
    for e in g.edges:
        k = seen.get((e.src, e.dst), 0)
        seen[(e.src, e.dst)] = k + 1
        sides.append("middle right" if k % 2 else "middle left")
    twins = {pair for pair, count in seen.items() if count > 1}
    return [side if (e.src, e.dst) in twins else "middle right"
            for e, side in zip(g.edges, sides, strict=True)]


def _frame(name: str, step: Step, g: Graph, lang: str, explain: dict) -> dict[str, Any]:
    edges, texts = edge_frame(step, g, blank=" ", flow_width=FLOW_WIDTH)  # " ": see above
    nodes = [_node_style(step, n) for n in g.nodes]
    labels = {"text": [_label(step, g, n, lang) for n in g.nodes] + texts}
    n_e, n_n = len(g.edges), len(g.nodes)
    return {"name": name, "data": [*edges, *nodes, labels],
            "traces": list(range(n_e + n_n + 1)), "explain": explain}


def legend_items(lang: str) -> list[dict[str, str]]:
    """The stage's legend (drawn in HTML by the player): fill, border, words."""
    from backprop.draw.animation import ACTIVE_BACKWARD, ACTIVE_FORWARD

    rows = [(KINDS[k].fill, KINDS[k].border, t(f"kind.{k}", lang))
            for k in ("leaf", "op", "output")]
    rows += [(ACTIVE_FORWARD, "#000000", t("anim.legend_forward", lang)),
             (ACTIVE_BACKWARD, GRAD_COLOR, t("anim.legend_backward", lang))]
    return [{"fill": f, "border": b, "text": x} for f, b, x in rows]
