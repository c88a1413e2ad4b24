"""Plotly geometry at Graphviz's layout: rounded boxes, sampled edge splines with
arrowheads, edge midpoints. Sent once per figure; frames restyle, never move."""

from __future__ import annotations

import math
from typing import Any

from backprop.draw.layout import Layout
from backprop.draw.style import EDGE_COLOR

EDGE_WIDTH = 1.4


def edge_traces(lay: Layout, arrow: int) -> list[dict[str, Any]]:
    """One line trace per edge along Graphviz's spline, an arrowhead at its tip
    (geometry, sent once; frames restyle colour and width)."""
    traces = []
    for _, _, pts in lay.edges:
        xs, ys = bezier(pts) if pts else ([], [])
        traces.append({"type": "scatter", "mode": "lines+markers", "x": xs, "y": ys,
                       "hoverinfo": "skip", "showlegend": False,
                       "line": {"color": EDGE_COLOR, "width": EDGE_WIDTH},
                       "marker": {"symbol": "arrow", "angleref": "previous",
                                  "color": EDGE_COLOR,
                                  "size": [0] * (len(xs) - 1) + [arrow]}})
    return traces


def box(x: float, y: float, w: float, h: float, r: float = 8) -> tuple[list, list]:
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


def bezier(pts: tuple[tuple[float, float], ...]) -> tuple[list, list]:
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


def midpoint(pts: tuple[tuple[float, float], ...]) -> tuple[float, float]:
    if not pts:
        return (0.0, 0.0)
    x, y = pts[len(pts) // 2]
    return (round(x, 1), round(y, 1))
