"""Plotly figures (plain dicts) of a training run: loss, parameters, decision
boundary over time, loss landscape, and the network drawn like TF Playground."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import torch

from backprop.draw.style import GRAD_COLOR
from backprop.i18n import DEFAULT_LANG, t
from backprop.train.losses import loss_of
from backprop.train.training import Trainer

POS, NEG = "#0072B2", "#D55E00"  # Okabe-Ito blue / vermillion: weight sign, class 1 / 0
GRID = 36  # decision-boundary resolution (GRID x GRID points)
MAX_FRAMES = 25
MAX_LINES = 24


def _base(title: str, x: str, y: str) -> dict[str, Any]:
    return {"title": {"text": title}, "xaxis": {"title": {"text": x}},
            "yaxis": {"title": {"text": y}}, "margin": {"l": 50, "r": 20, "t": 60, "b": 110},
            "height": 320, "legend": {"orientation": "h", "y": -0.25}}


def has_test_split(tr: Trainer) -> bool:
    """False when the "test" points are the training points (the data has no split)."""
    return tr.data["x_test"] is not tr.data["x"]


def loss_figure(tr: Trainer, lang: str = DEFAULT_LANG) -> dict[str, Any]:
    h = tr.history
    steps = list(range(1, h.steps + 1))
    data = [{"type": "scatter", "mode": "lines", "x": steps, "y": h.losses,
             "name": t("train.loss_train", lang), "line": {"color": POS}}]
    if has_test_split(tr):  # the book's network and XOR: their test set IS the training set
        data.append({"type": "scatter", "mode": "lines", "x": steps, "y": h.test_losses,
                     "name": t("train.loss_test", lang), "line": {"color": NEG, "dash": "dash"}})
    return {"data": data, "layout": _base(t("train.loss_title", lang),
                                          t("train.step", lang), t("train.loss", lang))}


def params_figure(tr: Trainer, lang: str = DEFAULT_LANG) -> dict[str, Any]:
    h = tr.history
    steps = list(range(h.steps + 1))
    data = []
    for name in h.names:
        series = np.stack(h.params[name]).reshape(len(steps), -1)
        for j in range(series.shape[1]):
            if len(data) >= MAX_LINES:
                break
            label = name if series.shape[1] == 1 else f"{name}[{j}]"
            data.append({"type": "scatter", "mode": "lines", "x": steps,
                         "y": series[:, j].round(5).tolist(), "name": label})
    return {"data": data, "layout": _base(t("train.params_title", lang),
                                          t("train.step", lang), t("train.value", lang))}


def frame_steps(total: int, n: int = MAX_FRAMES) -> list[int]:
    """Evenly spaced steps (0 = before training) for animations over training."""
    if total <= n:
        return list(range(total + 1))
    return sorted({round(i * total / n) for i in range(n + 1)})


def boundary_figure(tr: Trainer, lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """Heatmap of P(class 1) over the plane with the data on top, one frame per
    sampled step (frames carry only the heatmap's z)."""
    x = tr.data["x"]
    lo = torch.minimum(x.min(0).values, tr.data["x_test"].min(0).values) - 0.3
    hi = torch.maximum(x.max(0).values, tr.data["x_test"].max(0).values) + 0.3
    gx = torch.linspace(float(lo[0]), float(hi[0]), GRID)
    gy = torch.linspace(float(lo[1]), float(hi[1]), GRID)
    pts = torch.cartesian_prod(gy, gx)[:, [1, 0]]  # row-major: y rows, x columns
    steps = frame_steps(tr.history.steps)

    def z(step: int) -> list[list[float]]:
        return tr.predict_at(step, pts).reshape(GRID, GRID).round(decimals=2).tolist()

    heat = {"type": "heatmap", "x": gx.round(decimals=3).tolist(),
            "y": gy.round(decimals=3).tolist(), "z": z(steps[-1]), "zmin": 0, "zmax": 1,
            "colorscale": [[0, NEG], [0.5, "#FFFFFF"], [1, POS]], "opacity": 0.55,
            "showscale": False, "hoverinfo": "skip"}
    data = [heat]
    splits = (("", "circle"), ("_test", "circle-open"))
    for split, sym in splits if has_test_split(tr) else splits[:1]:
        xs, ys = tr.data["x" + split], tr.data["y" + split]
        data.append({"type": "scatter", "mode": "markers", "x": xs[:, 0].tolist(),
                     "y": xs[:, 1].tolist(),
                     "name": t("train.points" + split, lang),
                     "marker": {"symbol": sym, "size": 7,
                                "color": [POS if v else NEG for v in ys.tolist()],
                                "line": {"color": "#222222", "width": 0.6}}})
    frames = [{"name": str(s), "data": [{"type": "heatmap", "z": z(s)}], "traces": [0]}
              for s in steps]
    layout = _base(t("train.boundary_title", lang), "x1", "x2")
    layout.update(height=520, yaxis={"scaleanchor": "x", "title": {"text": "x2"}},
                  sliders=[_slider(steps, lang)], updatemenus=[_play(lang)],
                  legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0})
    return {"data": data, "frames": frames, "layout": layout}


def fit_figure(tr: Trainer, lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """Regression: the data and the model's curve, one frame per sampled step."""
    x, y = tr.data["x"], tr.data["y"]
    xs = torch.linspace(float(x.min()) - 0.5, float(x.max()) + 0.5, 60)
    steps = frame_steps(tr.history.steps)

    def curve(step: int) -> list[float]:
        return tr.predict_at(step, xs).round(decimals=4).tolist()

    data = [{"type": "scatter", "mode": "lines", "x": xs.round(decimals=3).tolist(),
             "y": curve(steps[-1]), "name": t("train.model", lang), "line": {"color": POS}},
            {"type": "scatter", "mode": "markers", "x": x.tolist(), "y": y.tolist(),
             "name": t("train.points", lang), "marker": {"color": NEG, "size": 8}}]
    frames = [{"name": str(s), "data": [{"y": curve(s)}], "traces": [0]} for s in steps]
    layout = _base(t("train.fit_title", lang), "x", "y")
    layout.update(height=480, sliders=[_slider(steps, lang)], updatemenus=[_play(lang)],
                  legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0})
    return {"data": data, "frames": frames, "layout": layout}


def loss_grid(tr: Trainer, a: str, b: str, xs: np.ndarray, ys: np.ndarray
              ) -> list[list[float]]:
    """The training loss with the model's two parameters `a`, `b` set to every point
    of the grid (rows follow `ys`): a two-parameter model's loss landscape."""
    x, y = tr.data["x"], tr.data["y"]
    model = copy.deepcopy(tr.model)  # functional_call swaps parameters: never the shared one
    z = []
    with torch.no_grad():
        for vb in ys:
            row = []
            for va in xs:
                params = {a: torch.tensor(va, dtype=torch.float32),
                          b: torch.tensor(vb, dtype=torch.float32)}
                pred, _ = torch.func.functional_call(model, params, (x,))
                row.append(float(loss_of(tr.loss, pred, y)))
            z.append(row)
    return z


def landscape_figure(tr: Trainer, lang: str = DEFAULT_LANG) -> dict[str, Any] | None:
    """For two-parameter models: the loss over the parameter plane, and the path the
    optimizer took on it. None for other models."""
    h = tr.history
    scalars = [n for n in h.names if h.params[n][0].size == 1]
    if len(h.names) != 2 or len(scalars) != 2:
        return None
    a, b = h.names
    path_a = [float(v) for v in h.params[a]]
    path_b = [float(v) for v in h.params[b]]
    ra = np.linspace(min(path_a) - 1.5, max(path_a) + 1.5, 40)
    rb = np.linspace(min(path_b) - 1.5, max(path_b) + 1.5, 40)
    z = [[round(v, 4) for v in row] for row in loss_grid(tr, a, b, ra, rb)]
    data = [{"type": "contour", "x": ra.round(3).tolist(), "y": rb.round(3).tolist(), "z": z,
             "colorscale": "Viridis", "contours": {"coloring": "heatmap"},
             "colorbar": {"title": {"text": t("train.loss", lang)}}},
            {"type": "scatter", "mode": "lines+markers", "x": path_a, "y": path_b,
             "name": t("train.path", lang), "line": {"color": "#FFFFFF", "width": 2},
             "marker": {"size": 4, "color": GRAD_COLOR}}]
    layout = _base(t("train.landscape_title", lang), a, b)
    layout["height"] = 430
    return {"data": data, "layout": layout}


def network_figure(tr: Trainer, step: int, lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """Neurons in columns; each weight an edge coloured by sign, width by size."""
    weights = [(n, tr.history.params[n][step]) for n in tr.history.names
               if tr.history.params[n][step].ndim == 2]
    if not weights:  # scalar networks: one neuron per layer
        weights = [(n, tr.history.params[n][step].reshape(1, 1)) for n in tr.history.names
                   if n.startswith("w")]
    sizes = [weights[0][1].shape[1]] + [w.shape[0] for _, w in weights]
    pos = [[(i, (j - (n - 1) / 2)) for j in range(n)] for i, n in enumerate(sizes)]
    biggest = max(float(np.abs(w).max()) for _, w in weights) or 1.0
    data = []
    for layer, (name, w) in enumerate(weights):
        for j in range(w.shape[0]):
            for k in range(w.shape[1]):
                v = float(w[j, k])
                (x0, y0), (x1, y1) = pos[layer][k], pos[layer + 1][j]
                data.append({"type": "scatter", "mode": "lines", "x": [x0, x1], "y": [y0, y1],
                             "line": {"color": POS if v >= 0 else NEG,
                                      "width": 0.5 + 7 * abs(v) / biggest},
                             "hovertext": f"{name}[{j},{k}] = {v:.4g}", "hoverinfo": "text",
                             "showlegend": False})
    xs = [p[0] for col in pos for p in col]
    ys = [p[1] for col in pos for p in col]
    data.append({"type": "scatter", "mode": "markers", "x": xs, "y": ys, "hoverinfo": "skip",
                 "marker": {"size": 26, "color": "#F2F2F2", "line": {"color": "#555555",
                                                                     "width": 1.5}},
                 "showlegend": False})
    layout = {"title": {"text": t("train.network_title", lang, step=step)},
              "xaxis": {"visible": False}, "yaxis": {"visible": False},
              "height": 320, "margin": {"l": 10, "r": 10, "t": 40, "b": 10},
              "plot_bgcolor": "#FFFFFF"}
    return {"data": data, "layout": layout}


def _slider(steps: list[int], lang: str) -> dict[str, Any]:
    # beside the Play button, under the plot
    return {"active": len(steps) - 1, "currentvalue": {"prefix": t("train.step", lang) + " "},
            "x": 0.14, "len": 0.86, "y": -0.12, "yanchor": "top", "pad": {"t": 10},
            "steps": [{"label": str(s), "method": "animate",
                       "args": [[str(s)], {"frame": {"duration": 0, "redraw": True},
                                           "mode": "immediate"}]} for s in steps]}


def _play(lang: str) -> dict[str, Any]:
    return {"type": "buttons", "showactive": False, "x": 0, "y": -0.12, "xanchor": "left",
            "yanchor": "top", "pad": {"t": 38},
            "buttons": [{"label": f"▶ {t('anim.play', lang)}", "method": "animate",
                         "args": [None, {"frame": {"duration": 250, "redraw": True},
                                         "fromcurrent": False, "mode": "immediate"}]}]}
