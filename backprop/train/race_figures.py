"""The race (or a branch) as one Plotly figure (a plain dict) played in the browser.

One slider and one Play button drive every panel: the loss curves overlaid (a marker
per run at the scrubbed step), each run's decision boundary (or fitted curve) side by
side, every path on one loss landscape for two-parameter models, and under each run
the numbers of its update of one chosen parameter. Frames carry only what changes
(markers, heatmap z as whole percents, captions) at sampled steps.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import torch

from backprop.draw.figdigits import log_ticks
from backprop.i18n import DEFAULT_LANG, t
from backprop.train.race import Race
from backprop.train.race_landscape import landscape
from backprop.train.race_notes import note

COLORS = ("#E69F00", "#009E73", "#CC79A7", "#56B4E9")  # Okabe-Ito, one per run
BRANCH_COLORS = ("#555555", "#E69F00")  # the original in grey, the branch in orange
POS, NEG = "#0072B2", "#D55E00"  # class 1 / class 0, as on the Tiny Network stage
GRID = 30  # boundary resolution per panel (GRID x GRID)
MAX_FRAMES = 100
FIRST = 10  # the first steps, where most happens, are all frames
# vertical bands (paper fractions): loss + landscape, boundaries, captions
TOP, MID, LOW = (0.73, 1.0), (0.3, 0.62), (0.0, 0.21)


def num(v: float) -> float | None:
    """4 significant digits; None (a gap) for nan/inf, which JSON cannot carry."""
    return float(f"{v:.4g}") if math.isfinite(v) else None


def frame_steps(lo: int, hi: int, n: int = MAX_FRAMES) -> list[int]:
    """lo..lo+FIRST, then about `n` evenly spaced steps up to hi (both included)."""
    head = range(lo, min(hi, lo + FIRST) + 1)
    span = hi - lo
    even = {lo + round(i * span / n) for i in range(n + 1)} if span > n else set()
    return sorted(set(head) | even | set(range(lo, hi + 1) if span <= n else ()))


def labels(race: Race, lang: str) -> list[str]:
    out = [f"{t('opt.' + r.optimizer, lang)}, η = {r.lr:g}" for r in race.racers]
    if race.branch_at is not None:
        out = [t("race.original", lang, run=out[0]),
               t("race.branch", lang, run=out[1], step=race.branch_at)]
    return out


def _axis(n: int) -> tuple[str, str]:
    return ("x" if n == 1 else f"x{n}"), ("y" if n == 1 else f"y{n}")


def _columns(n: int, gap: float = 0.04) -> list[tuple[float, float]]:
    w = (1 - gap * (n - 1)) / n
    return [(i * (w + gap), i * (w + gap) + w) for i in range(n)]


def race_figure(race: Race, task: str, param: str, index: int = 0,
                lang: str = DEFAULT_LANG) -> dict[str, Any]:
    """The playback figure. `task`: "classification" | "regression"; `param`/`index`:
    the parameter entry whose update each caption explains."""
    n, trs = len(race.trainers), race.trainers
    lo = race.branch_at or 0
    steps = frame_steps(lo, race.steps)
    colors = BRANCH_COLORS if race.branch_at is not None else COLORS
    names = labels(race, lang)
    layout: dict[str, Any] = {"height": 960, "margin": {"l": 55, "r": 20, "t": 40, "b": 90},
                              "showlegend": False, "plot_bgcolor": "#FFFFFF",
                              "annotations": [], "shapes": []}
    data: list[dict[str, Any]] = []
    moving: list[tuple[int, Any]] = []  # (trace index, step -> frame data of that trace)
    axis = 0

    def new_axes(cols: tuple[float, float], rows: tuple[float, float],
                 **kw: Any) -> tuple[str, str]:
        nonlocal axis
        axis += 1
        xa, ya = _axis(axis)
        layout["xaxis" if axis == 1 else f"xaxis{axis}"] = {"domain": list(cols), "anchor": ya,
                                                            **kw.get("x", {})}
        layout["yaxis" if axis == 1 else f"yaxis{axis}"] = {"domain": list(rows), "anchor": xa,
                                                            **kw.get("y", {})}
        return xa, ya

    def title(text: str, xa: str, y: float, color: str = "#222222") -> None:
        dom = layout["xaxis" if xa == "x" else "xaxis" + xa[1:]]["domain"]
        layout["annotations"].append({"text": text, "x": (dom[0] + dom[1]) / 2, "y": y,
                                      "xref": "paper", "yref": "paper", "showarrow": False,
                                      "yanchor": "bottom", "font": {"color": color}})

    land = landscape(race)
    # 1. loss curves, overlaid; a marker per run at the scrubbed step
    ticks = log_ticks([float(v) for h in race.histories for v in h.losses])
    xa, ya = new_axes((0, 0.56 if land else 1), TOP,
                      x={"title": {"text": t("train.step", lang)}},
                      y={"title": {"text": t("train.loss", lang)}, "type": "log", **ticks})
    title(t("race.loss_title", lang), xa, TOP[1] + 0.005)
    for i, h in enumerate(race.histories):
        first = lo if i == 1 and race.branch_at is not None else 0
        xs = list(range(first + 1, h.steps + 1))
        data.append({"type": "scatter", "mode": "lines", "x": xs, "xaxis": xa, "yaxis": ya,
                     "y": [num(v) for v in h.losses[first:]], "name": names[i],
                     "line": {"color": colors[i], "width": 2}, "hoverinfo": "x+y+name"})
    if race.branch_at is not None:
        layout["shapes"].append({"type": "line", "xref": xa, "yref": "paper", "x0": lo,
                                 "x1": lo, "y0": TOP[0], "y1": TOP[1],
                                 "line": {"color": "#555555", "dash": "dot"}})
    for i, h in enumerate(race.histories):
        def marker(s: int, h: Any = h) -> dict[str, Any]:
            k = min(max(s, 1), h.steps)
            return {"x": [k], "y": [num(h.losses[k - 1])]} if h.steps else {}
        moving.append((len(data), marker))
        data.append({"type": "scatter", "mode": "markers", "xaxis": xa, "yaxis": ya,
                     "marker": {"size": 11, "color": colors[i], "line": {"color": "#000000",
                                                                         "width": 1}},
                     "hoverinfo": "skip", **marker(steps[0])})
    # 2. every path on one loss landscape (two-parameter models)
    if land:
        xa, ya = new_axes((0.64, 1), TOP, x={"title": {"text": land.names[0]}},
                          y={"title": {"text": land.names[1]}})
        title(t("race.landscape_title", lang), xa, TOP[1] + 0.005)
        data.append({"type": "contour", "x": land.xs, "y": land.ys, "z": land.z, "xaxis": xa,
                     "yaxis": ya, "colorscale": "Greys", "reversescale": True,
                     "showscale": False, "contours": {"coloring": "heatmap"},
                     "hoverinfo": "skip"})
        for i, (px, py) in enumerate(land.paths):
            data.append({"type": "scatter", "mode": "lines", "x": px, "y": py, "xaxis": xa,
                         "yaxis": ya, "line": {"color": colors[i], "width": 2},
                         "hoverinfo": "skip"})
        for i in range(n):
            def point(s: int, i: int = i) -> dict[str, Any]:
                return {"x": [land.at(i, s)[0]], "y": [land.at(i, s)[1]]}
            moving.append((len(data), point))
            data.append({"type": "scatter", "mode": "markers", "xaxis": xa, "yaxis": ya,
                         "marker": {"size": 12, "color": colors[i],
                                    "line": {"color": "#FFFFFF", "width": 1.5}},
                         "hoverinfo": "skip", **point(steps[0])})
    # 3. each run's boundary (or fit), side by side, and its caption underneath
    panel = _boundary if task == "classification" else _fit
    for i, (cols, tr) in enumerate(zip(_columns(n), trs, strict=True)):
        xa, ya = new_axes(cols, MID, x={"title": {"text": "x" if task == "regression"
                                                  else "x1"}, "zeroline": False},
                          y={"title": {"text": ("y" if task == "regression" else "x2")
                                       if i == 0 else ""}, "zeroline": False})
        title(names[i], xa, MID[1] + 0.005, colors[i])
        static, frame = panel(tr, xa, ya, colors[i], lang)
        moving.append((len(data), frame))
        data.append({**static, **frame(steps[0])})
        data.extend(_points(tr, task, xa, ya))
        xa, ya = new_axes(cols, LOW, x={"visible": False, "range": [0, 1]},
                          y={"visible": False, "range": [0, 1]})

        def caption(s: int, i: int = i) -> dict[str, Any]:
            return {"text": [note(race, i, s, param, index, names[i], lang)]}
        moving.append((len(data), caption))
        data.append({"type": "scatter", "mode": "text", "x": [0], "y": [1], "xaxis": xa,
                     "yaxis": ya, "textposition": "bottom right", "hoverinfo": "skip",
                     "cliponaxis": False,
                     "textfont": {"family": "DejaVu Sans Mono, monospace",
                                  "size": 12 if n < 4 else 11,
                                  "color": "#222222"}, **caption(steps[0])})
    idx = [j for j, _ in moving]
    frames = [{"name": str(s), "traces": idx,
               "data": [{"type": data[j]["type"], **make(s)} for j, make in moving]}
              for s in steps]
    layout["sliders"] = [_slider(steps, lang)]
    layout["updatemenus"] = [_buttons(lang)]
    return {"data": data, "frames": frames, "layout": layout}


def _grid(tr: Any) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    both = torch.cat([tr.data["x"], tr.data["x_test"]])
    lo, hi = both.min(0).values - 0.3, both.max(0).values + 0.3
    gx = torch.linspace(float(lo[0]), float(hi[0]), GRID)
    gy = torch.linspace(float(lo[1]), float(hi[1]), GRID)
    return gx, gy, torch.cartesian_prod(gy, gx)[:, [1, 0]]  # rows: y, columns: x


def _boundary(tr: Any, xa: str, ya: str, color: str, lang: str):  # noqa: ANN202
    gx, gy, pts = _grid(tr)

    def frame(s: int) -> dict[str, Any]:
        p = (tr.predict_at(s, pts).clamp(0, 1).reshape(GRID, GRID) * 100).round()
        # whole percents; a diverged model's nan is a gap
        return {"z": [[None if math.isnan(v) else int(v) for v in row] for row in p.tolist()]}
    return ({"type": "heatmap", "x": gx.round(decimals=3).tolist(), "xaxis": xa, "yaxis": ya,
             "y": gy.round(decimals=3).tolist(), "zmin": 0, "zmax": 100, "opacity": 0.6,
             "colorscale": [[0, NEG], [0.5, "#FFFFFF"], [1, POS]], "showscale": False,
             "hovertemplate": "x1=%{x}<br>x2=%{y}<br>P(1)=%{z}%<extra></extra>"}, frame)


def _fit(tr: Any, xa: str, ya: str, color: str, lang: str):  # noqa: ANN202
    x = tr.data["x"]
    xs = torch.linspace(float(x.min()) - 0.5, float(x.max()) + 0.5, 50)

    def frame(s: int) -> dict[str, Any]:
        return {"y": [num(v) for v in tr.predict_at(s, xs).tolist()]}
    return ({"type": "scatter", "mode": "lines", "x": xs.round(decimals=3).tolist(),
             "xaxis": xa, "yaxis": ya, "line": {"color": color, "width": 3},
             "name": t("train.model", lang)}, frame)


def _points(tr: Any, task: str, xa: str, ya: str) -> list[dict[str, Any]]:
    x, y = tr.data["x"], tr.data["y"]
    if task == "regression":
        return [{"type": "scatter", "mode": "markers", "x": x.tolist(), "y": y.tolist(),
                 "xaxis": xa, "yaxis": ya, "marker": {"color": "#444444", "size": 6},
                 "hoverinfo": "skip"}]
    return [{"type": "scatter", "mode": "markers", "x": np.round(x[:, 0].numpy(), 3).tolist(),
             "y": np.round(x[:, 1].numpy(), 3).tolist(), "xaxis": xa, "yaxis": ya,
             "hoverinfo": "skip",
             "marker": {"size": 5, "color": [POS if v else NEG for v in y.tolist()],
                        "line": {"color": "#222222", "width": 0.5}}}]


def _slider(steps: list[int], lang: str) -> dict[str, Any]:
    return {"active": 0, "currentvalue": {"prefix": t("train.step", lang) + " "},
            "x": 0.2, "len": 0.8, "y": -0.01, "yanchor": "top", "pad": {"t": 20},
            "steps": [{"label": str(s), "method": "animate",
                       "args": [[str(s)], {"frame": {"duration": 0, "redraw": True},
                                           "mode": "immediate",
                                           "transition": {"duration": 0}}]} for s in steps]}


def _buttons(lang: str) -> dict[str, Any]:
    play = {"frame": {"duration": 120, "redraw": True}, "fromcurrent": True,
            "mode": "immediate", "transition": {"duration": 0}}
    pause = {"frame": {"duration": 0, "redraw": False}, "mode": "immediate"}
    return {"type": "buttons", "direction": "left", "showactive": False, "x": 0, "y": -0.01,
            "xanchor": "left", "yanchor": "top", "pad": {"t": 45},
            "buttons": [{"label": f"▶ {t('anim.play', lang)}", "method": "animate",
                         "args": [None, play]},
                        {"label": f"⏸ {t('race.pause', lang)}", "method": "animate",
                         "args": [[None], pause]}]}
