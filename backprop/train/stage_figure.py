"""The Tiny Network stage: a figure for our own player (ui/stage.py, assets/stage.js).

Left, the network drawn like TF Playground (weights as edge colour and thickness, a
heatmap in every unit); middle, the data with the decision boundary (or the fitted
curve); right, the loss curve; the step's explanation below, in the player's panel.
Plotly draws what never changes once (axes, the data points, labels, the legend);
the painter (assets/netstage.js) draws each frame's heatmaps, edges and loss curve on
canvases under and over it, so a frame costs no Plotly redraw and no re-layout.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from backprop.draw.figdigits import with_native_digits
from backprop.i18n import DEFAULT_LANG, t
from backprop.train.episode import GRID, UNIT_GRID, Episode, Q
from backprop.train.net_frames import frame_payload, grid_text
from backprop.train.train_figures import NEG, POS

# |w| / (the frame's largest |w|) < a: width b (relative, so a trained net with large
# weights is not one tangle of thick lines)
WIDTHS = ((0.15, 0.7), (0.4, 1.6), (0.7, 3.0), (float("inf"), 5.0))
NODE = 1.3  # a unit's square, in the drawing's units (units 2 apart, layers 4)
FPS = 20  # a frame every 50 ms
SPEEDS = (("0.5×", 2000 // FPS), ("1×", 1000 // FPS), ("2×", 500 // FPS))  # ms per frame
# (network, data, loss) domains: [x0, x1, y0, y1], side by side or stacked (phone)
WIDE = ((0.0, 0.3, 0.0, 1.0), (0.35, 0.67, 0.0, 1.0), (0.76, 1.0, 0.08, 0.86))
STACKED = ((0.0, 0.47, 0.5, 1.0), (0.53, 1.0, 0.5, 1.0), (0.16, 1.0, 0.06, 0.36))


def nodes(sizes: tuple[int, ...]) -> list[list[tuple[int, int]]]:
    """Node centres: layer i at x = 4i, units centred on y = 0, two apart."""
    return [[(4 * i, n - 1 - 2 * j) for j in range(n)] for i, n in enumerate(sizes)]


def stage_figure(ep: Episode, start: int = 0, lang: str = DEFAULT_LANG, *,
                 stacked: bool = False, width: int = 1100, height: int = 400,
                 font: int = 14, native: bool = False) -> dict[str, Any]:
    """All frames of the episode so far; `meta.start` is the frame of step `start`.
    `native`: numbers in the language's digits (axes and explanations)."""
    geo = ep.geometry
    frames = ep.frames()
    last = frames[-1].step
    dom = STACKED if stacked else WIDE
    pos = nodes(geo.sizes)
    fr = [frame_payload(ep, f, last, lang, native) for f in frames]
    shown = next(i for i, f in enumerate(frames) if f.step >= start)
    fig = {"data": _static(ep, pos, lang), "frames": fr,
           "layout": _layout(ep, pos, dom, frames, lang, width, height, font),
           "meta": _meta(ep, pos, font, shown)}
    return with_native_digits(fig, lang) if native else fig


def _meta(ep: Episode, pos: list, font: int, shown: int) -> dict[str, Any]:
    """What the painter needs besides the frames (sent once)."""
    geo = ep.geometry
    ramp = np.linspace(0, 2 * Q, UNIT_GRID).round().astype(int)
    if geo.classify:
        inputs = [grid_text(np.tile(ramp, (UNIT_GRID, 1))),
                  grid_text(np.tile(ramp[:, None], (1, UNIT_GRID)))]
    else:
        inputs = [grid_text(ramp)]
    meta: dict[str, Any] = {
        "painter": "net", "font_px": font, "start": shown, "q": Q, "neg": NEG, "pos": POS,
        "classify": geo.classify, "grid": GRID if geo.classify else 0,
        "unit_rows": UNIT_GRID if geo.classify else 1, "unit_cols": UNIT_GRID,
        "nodes": pos, "node": NODE, "widths": [list(w) for w in WIDTHS[:-1]] + [[1e9, 5.0]],
        "inputs": inputs, "same_data": geo.same_data}
    if not geo.classify:
        meta["curve_x"] = np.round(geo.axes[0].astype(np.float64), 3).tolist()
    return meta


def _static(ep: Episode, pos: list, lang: str) -> list[dict[str, Any]]:
    """What Plotly draws once: data points, the input units' names, the loss legend."""
    tr, geo = ep.trainer, ep.geometry
    out: list[dict[str, Any]] = []
    for split, sym in (("", "circle"), ("_test", "circle-open")):
        if split and geo.same_data:
            continue
        xs, ys = tr.data["x" + split], tr.data["y" + split]
        if geo.classify:
            pts = {"x": np.round(xs[:, 0].double().numpy(), 3).tolist(),
                   "y": np.round(xs[:, 1].double().numpy(), 3).tolist(),
                   "marker": {"symbol": sym, "size": 7, "line": {"color": "#222", "width": 0.6},
                              "color": [POS if v else NEG for v in ys.tolist()]}}
        else:
            pts = {"x": np.round(xs.double().numpy(), 3).tolist(),
                   "y": np.round(ys.double().numpy(), 3).tolist(),
                   "marker": {"symbol": sym, "size": 9, "color": NEG}}
        out.append({"type": "scatter", "mode": "markers", "xaxis": "x2", "yaxis": "y2",
                    "name": t("train.points" + split, lang), "hoverinfo": "skip",
                    "showlegend": False, **pts})  # the caption explains the colours
    names = ["x1", "x2"] if geo.classify else ["x"]
    out.append({"type": "scatter", "mode": "text", "xaxis": "x", "yaxis": "y",
                "x": [p[0] - NODE / 2 - 0.1 for p in pos[0]], "y": [p[1] for p in pos[0]],
                "text": names, "textposition": "middle left", "hoverinfo": "skip",
                "showlegend": False})
    # the loss curves are the painter's; these two lines only name them in the legend
    loss_names = ["stage.loss_same_name"] if geo.same_data else ["train.loss_train",
                                                                 "train.loss_test"]
    for i, key in enumerate(loss_names):
        out.append({"type": "scatter", "mode": "lines", "xaxis": "x3", "yaxis": "y3",
                    "x": [None], "y": [None], "name": t(key, lang), "hoverinfo": "skip",
                    "line": {"color": (POS, NEG)[i], "dash": ("solid", "dash")[i]}})
    return out


def _data_range(ep: Episode) -> tuple[list[float], list[float]]:
    """The data panel's fixed ranges: the boundary grid's box, or the points' (curve)."""
    geo, tr = ep.geometry, ep.trainer
    if geo.classify:
        gx, gy = geo.axes
        return ([round(float(gx[0]), 3), round(float(gx[-1]), 3)],
                [round(float(gy[0]), 3), round(float(gy[-1]), 3)])
    ys = np.concatenate([tr.data["y"].numpy().ravel(), tr.data["y_test"].numpy().ravel()])
    lo, hi = float(ys.min()), float(ys.max())
    pad = 0.15 * (hi - lo or 1.0)
    gx = geo.axes[0]
    return ([round(float(gx[0]), 3), round(float(gx[-1]), 3)],
            [round(lo - pad, 3), round(hi + pad, 3)])


def _layout(ep: Episode, pos: list, dom: tuple, frames: list, lang: str, width: int,
            height: int, font: int) -> dict[str, Any]:
    hidden_axis = {"visible": False, "fixedrange": True}
    (n0, n1, n2, n3), (d0, d1, d2, d3), (l0, l1, l2, l3) = dom
    tall = max(len(c) for c in pos)
    xr, yr = _data_range(ep)
    layout = {
        "width": width, "height": height, "font": {"size": font},
        "margin": {"l": 10 + 2 * font, "r": 10, "t": 10, "b": 10 + 2 * font},
        "paper_bgcolor": "rgba(0,0,0,0)", "plot_bgcolor": "rgba(0,0,0,0)",  # canvas below
        "showlegend": True,
        "legend": {"x": l1, "xanchor": "right", "y": l3, "yanchor": "bottom",
                   "bgcolor": "rgba(255,255,255,0.7)", "orientation": "h"},
        "xaxis": {**hidden_axis, "domain": [n0, n1], "range": [-2.4, 4 * len(pos) - 3.2],
                  "constrain": "domain"},
        "yaxis": {**hidden_axis, "domain": [n2, n3], "range": [-tall - 0.2, tall + 0.2],
                  "scaleanchor": "x", "constrain": "domain"},  # square units
        "xaxis2": {"domain": [d0, d1], "anchor": "y2", "fixedrange": True, "range": xr,
                   "showgrid": False, "zeroline": False, "constrain": "domain"},
        "yaxis2": {"domain": [d2, d3], "anchor": "x2", "fixedrange": True, "range": yr,
                   "showgrid": False, "zeroline": False, "constrain": "domain"},
        "xaxis3": {"domain": [l0, l1], "anchor": "y3", "range": [0, max(frames[-1].step, 1)],
                   "fixedrange": True},
        "yaxis3": {"domain": [l2, l3], "anchor": "x3", "title": {"text": t("train.loss", lang)},
                   "fixedrange": True, "range": [0, 1]},
    }
    losses = [v for f in frames if f.loss is not None for v in (f.loss, f.test_loss)]
    finite = [v for v in losses if v is not None and np.isfinite(v)]
    if finite:
        top = min(max(finite), 10 * float(np.median(finite))) * 1.05
        layout["yaxis3"]["range"] = [0, round(top, 4) or 1]
    if ep.geometry.classify:  # square cells: the boundary is not stretched
        layout["yaxis2"]["scaleanchor"] = "x2"
    return layout
