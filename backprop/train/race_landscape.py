"""One loss landscape for every run of a two-parameter model, with each run's path."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from backprop.train.race import Race
from backprop.train.train_figures import loss_grid

SIDE = 40  # landscape resolution (SIDE x SIDE model evaluations)
MAX_PATH = 400  # points per drawn path (a long run is thinned, its ends kept)


@dataclass(frozen=True)
class Landscape:
    names: tuple[str, str]
    xs: list[float]
    ys: list[float]
    z: list[list[float]]  # log10 of the training loss, rows: ys, columns: xs
    paths: list[tuple[list[float], list[float]]]  # one (x, y) polyline per run
    points: list[np.ndarray]  # per run: (steps + 1, 2), every step

    def at(self, i: int, step: int) -> tuple[float | None, float | None]:
        p = self.points[i][min(step, len(self.points[i]) - 1)]
        return _num(p[0]), _num(p[1])


def landscape(race: Race) -> Landscape | None:
    """None unless the model has exactly two scalar parameters."""
    h0 = race.histories[0]
    if len(h0.names) != 2 or any(h0.params[n][0].size != 1 for n in h0.names):
        return None
    a, b = h0.names
    points = [np.array([[float(pa), float(pb)] for pa, pb in zip(h.params[a], h.params[b],
                                                                 strict=True)])
              for h in race.histories]
    every = np.concatenate(points)
    every = every[np.isfinite(every).all(1)]
    if not len(every):
        return None
    lo, hi = every.min(0), every.max(0)
    pad = 0.25 * (hi - lo) + 0.3
    xs, ys = np.linspace(lo[0] - pad[0], hi[0] + pad[0], SIDE), \
        np.linspace(lo[1] - pad[1], hi[1] + pad[1], SIDE)
    z = [[round(math.log10(max(v, 1e-12)), 3) if math.isfinite(v) else None for v in row]
         for row in loss_grid(race.trainers[0], a, b, xs, ys)]
    starts = [race.branch_at if race.branch_at and i == 1 else 0 for i in range(len(points))]
    return Landscape((a, b), xs.round(4).tolist(), ys.round(4).tolist(), z,
                     [_thin(p[s:]) for p, s in zip(points, starts, strict=True)], points)


def _num(v: float) -> float | None:
    return round(float(v), 4) if math.isfinite(v) else None  # nan/inf: a gap


def _thin(p: np.ndarray) -> tuple[list[float | None], list[float | None]]:
    keep = np.unique(np.r_[np.linspace(0, len(p) - 1, min(len(p), MAX_PATH)).round()
                           .astype(int), len(p) - 1])
    return [_num(v) for v in p[keep, 0]], [_num(v) for v in p[keep, 1]]
