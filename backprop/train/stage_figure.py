"""The Tiny Network stage: one Plotly figure (plain dict) with frames.

Left, the network drawn like TF Playground (weights as edge colour and thickness, a
heatmap in every unit); middle, the data with the decision boundary (or the fitted
curve); right, the loss curve and the current step's explanation. Geometry is sent
once in `data`; each frame carries only what changes (quantised heatmaps, edges,
the loss so far, the text), so the browser plays it with no server round trip.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from backprop.i18n import DEFAULT_LANG, t
from backprop.train.episode import GRID, UNIT_GRID, Episode, Frame, Q
from backprop.train.train_figures import NEG, POS

SCALE = [[0, NEG], [0.5, "#FFFFFF"], [1, POS]]
# |w| / (the frame's largest |w|) < a: width b (relative, so a trained net with large
# weights is not one tangle of thick lines)
WIDTHS = ((0.15, 0.7), (0.4, 1.6), (0.7, 3.0), (float("inf"), 5.0))
NODE = 1.3  # a unit's square, in the drawing's units (units 2 apart, layers 4)
WRAP = 34  # characters per line of the explanation (Plotly text does not wrap)
FPS = 20  # nominal: a frame every 50 ms, so redraws can take a little and stay >= 15/s
# (network, data, loss, text) domains: [x0, x1, y0, y1], side by side or stacked
WIDE = ((0.0, 0.3, 0.02, 1.0), (0.33, 0.66, 0.02, 1.0), (0.74, 1.0, 0.56, 1.0),
        (0.7, 1.0, 0.0, 0.42))
STACKED = ((0.0, 0.46, 0.5, 1.0), (0.5, 1.0, 0.5, 1.0), (0.1, 1.0, 0.25, 0.44),
           (0.0, 1.0, 0.0, 0.19))


def _nodes(sizes: tuple[int, ...]) -> list[list[tuple[float, float]]]:
    """Node centres: layer i at x = 4i, units centred on y = 0, two apart (integers:
    every edge in every frame is written with these coordinates)."""
    return [[(4 * i, n - 1 - 2 * j) for j in range(n)] for i, n in enumerate(sizes)]


def _edge_traces(weights: tuple[np.ndarray, ...], pos: list) -> list[dict[str, Any]]:
    """Edges bucketed by sign and thickness: 8 traces, segments split by None."""
    buckets: dict[tuple[int, int], tuple[list, list]] = {
        (s, b): ([], []) for s in (0, 1) for b in range(len(WIDTHS))}
    biggest = max(float(np.abs(w).max()) for w in weights) or 1.0
    for layer, w in enumerate(weights):
        for j in range(w.shape[0]):
            for k in range(w.shape[1]):
                v = float(w[j, k])
                b = next(i for i, (a, _) in enumerate(WIDTHS) if abs(v) / biggest < a)
                xs, ys = buckets[(int(v < 0), b)]
                (x0, y0), (x1, y1) = pos[layer][k], pos[layer + 1][j]
                xs += [x0, x1, None]
                ys += [y0, y1, None]
    return [{"x": xs, "y": ys} for xs, ys in buckets.values()]


def _unit_heat(z: np.ndarray, centre: tuple[float, float]) -> dict[str, Any]:
    z2 = z.reshape(1, -1) if z.ndim == 1 else z
    n_rows, n_cols = z2.shape
    x, y = centre
    # on axes overlaying the drawing's: Plotly paints heatmaps below lines within
    # one subplot, and the units must cover their edges' ends
    return {"type": "heatmap", "z": z2.tolist(), "xaxis": "x5", "yaxis": "y5",
            "x0": x - NODE / 2 + NODE / (2 * n_cols), "dx": NODE / n_cols,
            "y0": y - NODE / 2 + NODE / (2 * n_rows), "dy": NODE / n_rows,
            "zmin": 0, "zmax": 2 * Q, "colorscale": SCALE, "showscale": False,
            "zsmooth": "best", "hoverinfo": "skip"}


def _text(ep: Episode, f: Frame, last: int, lang: str) -> str:
    if f.step == 0:
        return _wrap(t("stage.start", lang))
    same = ep.geometry.same_data
    lines = [t("stage.step", lang, step=f.step, last=last),
             t("stage.loss_same" if same else "stage.loss", lang, loss=f"{f.loss:.4g}")]
    if not same:
        lines.append(t("stage.test_loss", lang, loss=f"{f.test_loss:.4g}"))
    if f.accuracy is not None:
        lines.append(t("stage.acc_same" if same else "stage.acc", lang,
                       acc=f"{f.accuracy:.0%}"))
    return "<br>".join(_wrap(x) for x in lines)


def _wrap(text: str) -> str:
    """Break a line at spaces into lines of at most WRAP characters (<br> kept)."""
    out = []
    for para in text.split("<br>"):
        line = ""
        for word in para.split(" "):
            if line and len(line) + 1 + len(word) > WRAP:
                out.append(line)
                line = word
            else:
                line = f"{line} {word}" if line else word
        out.append(line)
    return "<br>".join(out)


def _output_small(f: Frame) -> np.ndarray:
    """The output node's heatmap: the boundary, sampled down to a unit's size."""
    if f.output.ndim == 2:
        k = max(1, GRID // UNIT_GRID)
        return f.output[::k, ::k]
    idx = np.linspace(0, len(f.output) - 1, UNIT_GRID).round().astype(int)
    ys = f.output[idx]
    span = float(np.abs(ys).max()) or 1.0
    return np.rint((np.clip(ys / span, -1, 1) + 1) * Q).astype(int)


def _changing(ep: Episode, f: Frame, frames: list[Frame], last: int,
              lang: str) -> list[dict[str, Any]]:
    """The traces a frame changes, in the order of `_CHANGING` below."""
    geo = ep.geometry
    pos = _nodes(geo.sizes)
    # every update names its trace type: Plotly (and Streamlit's check) read an
    # untyped frame trace as a scatter
    heat, line = {"type": "heatmap"}, {"type": "scatter"}
    out = ([{**heat, "z": f.output.tolist()}] if geo.classify
           else [{**line, "y": np.round(f.output, 4).tolist()}])
    units = [{**heat, "z": (u.reshape(1, -1) if u.ndim == 1 else u).tolist()}
             for u in f.units]
    units.append({**heat, "z": _output_small(f).reshape(UNIT_GRID if geo.classify else 1,
                                                        -1).tolist()})
    seen = [g for g in frames if 0 < g.step <= f.step]
    xs = [g.step for g in seen]
    loss = [{**line, "x": xs, "y": [round(g.loss, 5) for g in seen]}]
    if not geo.same_data:
        loss.append({**line, "x": xs, "y": [round(g.test_loss, 5) for g in seen]})
    edges = [{**line, **e} for e in _edge_traces(f.weights, pos)]
    return [*out, *units, *edges, *loss, {**line, "text": [_text(ep, f, last, lang)]}]


def stage_figure(ep: Episode, start: int = 0, lang: str = DEFAULT_LANG, *,
                 stacked: bool = False, height: int = 520, font: int = 14) -> dict[str, Any]:
    """All frames of the episode so far, the one at step `start` on show."""
    tr, geo = ep.trainer, ep.geometry
    frames = ep.frames()
    last = frames[-1].step
    shown = next(f for f in frames if f.step >= start)
    dom = STACKED if stacked else WIDE
    pos = _nodes(geo.sizes)
    data: list[dict[str, Any]] = []
    # 0: the model's output over the data (boundary heatmap or curve)
    if geo.classify:
        gx, gy = geo.axes
        data.append({"type": "heatmap", "x": np.round(gx, 3).tolist(),
                     "y": np.round(gy, 3).tolist(), "zmin": 0, "zmax": 2 * Q,
                     "colorscale": SCALE, "opacity": 0.6, "showscale": False, "zsmooth": "best",
                     "hoverinfo": "skip", "xaxis": "x2", "yaxis": "y2"})
    else:
        data.append({"type": "scatter", "mode": "lines", "x": np.round(geo.axes[0], 3).tolist(),
                     "line": {"color": POS, "width": 3}, "xaxis": "x2", "yaxis": "y2",
                     "name": t("train.model", lang), "showlegend": False})
    # 1..: a heatmap per hidden unit, then the output node
    hidden = [p for layer in pos[1:-1] for p in layer]
    for centre, u in zip(hidden, shown.units, strict=True):
        data.append(_unit_heat(u, centre))
    data.append(_unit_heat(_output_small(shown), pos[-1][0]))
    # edges: 2 signs x len(WIDTHS) thicknesses
    for s in (0, 1):
        for _, w in WIDTHS:
            data.append({"type": "scatter", "mode": "lines", "xaxis": "x", "yaxis": "y",
                         "line": {"color": (POS, NEG)[s], "width": w}, "hoverinfo": "skip",
                         "showlegend": False})
    # the loss so far
    loss_names = ["stage.loss_same_name"] if geo.same_data else ["train.loss_train",
                                                                 "train.loss_test"]
    for i, key in enumerate(loss_names):
        data.append({"type": "scatter", "mode": "lines", "xaxis": "x3", "yaxis": "y3",
                     "name": t(key, lang), "line": {"color": (POS, NEG)[i],
                                                    "dash": ("solid", "dash")[i]}})
    data.append({"type": "scatter", "mode": "text", "x": [0], "y": [1], "xaxis": "x4",
                 "yaxis": "y4", "textposition": "bottom right", "hoverinfo": "skip",
                 "showlegend": False, "textfont": {"size": font}})
    n_fixed = len(data)
    changing = list(range(n_fixed))
    for trace, update in zip(data, _changing(ep, shown, frames, last, lang), strict=True):
        trace.update(update)
    data += _static(tr, geo, pos, lang)
    fr = [{"name": str(f.step), "traces": changing,
           "data": _changing(ep, f, frames, last, lang)} for f in frames]
    layout = _layout(tr, geo, pos, dom, frames, shown, lang, height, font)
    return {"data": data, "frames": fr, "layout": layout}


def _static(tr: Any, geo: Any, pos: list, lang: str) -> list[dict[str, Any]]:
    """Data points and the input units' labels: drawn once."""
    out = []
    x = tr.data["x"]
    for split, sym in (("", "circle"), ("_test", "circle-open")):
        if split and geo.same_data:
            continue
        xs, ys = tr.data["x" + split], tr.data["y" + split]
        if geo.classify:
            pts = {"x": np.round(xs[:, 0].numpy(), 3).tolist(),
                   "y": np.round(xs[:, 1].numpy(), 3).tolist(),
                   "marker": {"symbol": sym, "size": 7, "line": {"color": "#222", "width": 0.6},
                              "color": [POS if v else NEG for v in ys.tolist()]}}
        else:
            pts = {"x": xs.tolist(), "y": ys.tolist(),
                   "marker": {"symbol": sym, "size": 9, "color": NEG}}
        out.append({"type": "scatter", "mode": "markers", "xaxis": "x2", "yaxis": "y2",
                    "name": t("train.points" + split, lang), "hoverinfo": "skip",
                    "showlegend": False, **pts})  # the caption explains the colours
    out += _input_heat(geo, pos)
    out.append(_borders(pos))
    names = ["x1", "x2"] if x.dim() == 2 else ["x"]
    out.append({"type": "scatter", "mode": "text", "xaxis": "x", "yaxis": "y",
                "x": [p[0] - NODE / 2 - 0.1 for p in pos[0]], "y": [p[1] for p in pos[0]],
                "text": names, "textposition": "middle left", "hoverinfo": "skip",
                "showlegend": False})
    return out


def _layout(tr: Any, geo: Any, pos: list, dom: tuple, frames: list[Frame], shown: Frame,
            lang: str, height: int, font: int) -> dict[str, Any]:
    hidden_axis = {"visible": False, "fixedrange": True}
    slider_x = 0.25 if dom is STACKED else 0.1  # beside ▶ and ❚❚, not under them
    (n0, n1, n2, n3), (d0, d1, d2, d3), (l0, l1, l2, l3), (t0, t1, t2, t3) = dom
    tall = max(len(c) for c in pos)

    steps = [{"label": str(f.step), "method": "animate",
              "args": [[str(f.step)], {"frame": {"duration": 0, "redraw": True},
                                       "mode": "immediate", "transition": {"duration": 0}}]}
             for f in frames]
    layout = {
        "height": height, "font": {"size": font}, "margin": {"l": 10, "r": 10, "t": 10,
                                                            "b": 70},
        "plot_bgcolor": "#FFFFFF", "showlegend": True,
        "legend": {"x": l1, "xanchor": "right", "y": l3, "yanchor": "top",
                   "bgcolor": "rgba(255,255,255,0.7)"},
        "xaxis": {**hidden_axis, "domain": [n0, n1], "range": [-2.4, 4 * len(pos) - 3.2]},
        "yaxis": {**hidden_axis, "domain": [n2, n3], "range": [-tall - 0.2, tall + 0.2],
                  "scaleanchor": "x"},  # square units
        "xaxis5": {**hidden_axis, "overlaying": "x", "range": [-2.4, 4 * len(pos) - 3.2]},
        "yaxis5": {**hidden_axis, "overlaying": "y", "range": [-tall - 0.2, tall + 0.2],
                   "scaleanchor": "x5"},
        "xaxis2": {"domain": [d0, d1], "anchor": "y2", "fixedrange": True},
        "yaxis2": {"domain": [d2, d3], "anchor": "x2", "fixedrange": True},
        "xaxis3": {"domain": [l0, l1], "anchor": "y3", "range": [0, max(frames[-1].step, 1)],
                   "fixedrange": True},
        "yaxis3": {"domain": [l2, l3], "anchor": "x3", "title": {"text": t("train.loss", lang)},
                   "fixedrange": True, "rangemode": "tozero"},
        "xaxis4": {**hidden_axis, "domain": [t0, t1], "range": [0, 1]},
        "yaxis4": {**hidden_axis, "domain": [t2, t3], "range": [0, 1]},
        "updatemenus": [_buttons(frames, lang)],
        "sliders": [{"active": frames.index(shown), "steps": steps, "x": slider_x,
                     "len": 1 - slider_x,
                     "y": 0, "yanchor": "top", "pad": {"t": 30},
                     "currentvalue": {"prefix": t("train.step", lang) + " "}}],
    }
    losses = [v for f in frames if f.loss is not None for v in (f.loss, f.test_loss)]
    finite = [v for v in losses if np.isfinite(v)]
    if finite:
        layout["yaxis3"]["range"] = [0, min(max(finite), 10 * np.median(finite)) * 1.05]
    if geo.classify:  # square cells: the boundary is not stretched
        layout["yaxis2"]["scaleanchor"] = "x2"
    return layout


def _borders(pos: list) -> dict[str, Any]:
    """Every unit's square as one line trace above the heatmaps (one path to redraw
    per frame, not a shape per unit)."""
    xs: list[float | None] = []
    ys: list[float | None] = []
    h = NODE / 2
    for layer in pos:
        for x, y in layer:
            xs += [x - h, x + h, x + h, x - h, x - h, None]
            ys += [y - h, y - h, y + h, y + h, y - h, None]
    return {"type": "scatter", "mode": "lines", "x": xs, "y": ys, "xaxis": "x5",
            "yaxis": "y5", "line": {"color": "#555", "width": 1}, "hoverinfo": "skip",
            "showlegend": False}


def _input_heat(geo: Any, pos: list) -> list[dict[str, Any]]:
    """Input units show their own feature (x1 left to right, x2 bottom to top)."""
    ramp = np.linspace(0, 2 * Q, UNIT_GRID).round().astype(int)
    if not geo.classify:
        return [_unit_heat(ramp, pos[0][0])]
    return [_unit_heat(np.tile(ramp, (UNIT_GRID, 1)), pos[0][0]),
            _unit_heat(np.tile(ramp[:, None], (1, UNIT_GRID)), pos[0][1])]


def _buttons(frames: list[Frame], lang: str) -> dict[str, Any]:
    play = {"frame": {"duration": 1000 // FPS, "redraw": True}, "fromcurrent": True,
            "mode": "immediate", "transition": {"duration": 0}}
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate",
             "transition": {"duration": 0}}
    return {"type": "buttons", "direction": "left", "showactive": False, "x": 0, "y": 0,
            "xanchor": "left", "yanchor": "top", "pad": {"t": 36, "r": 10},
            "buttons": [{"label": "▶", "method": "animate", "args": [None, play],
                         "name": "play"},
                        {"label": "❚❚", "method": "animate", "args": [[None], pause],
                         "name": "pause"}]}
